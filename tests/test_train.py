"""Training: gating on quality, and failures that leave the current model serving."""

from __future__ import annotations

import pytest

from classifier import TrainingDataError
from conftest import TINY_CSV
from training import FitConfig, train
from training.select import candidate_configs


def test_failed_training_midway_leaves_the_current_model(registry, monkeypatch):
    before, versions = registry.current(), registry.versions()

    def explode(*args, **kwargs):
        raise MemoryError("simulated crash while writing the artefact")

    monkeypatch.setattr("classifier.registry.joblib.dump", explode)
    with pytest.raises(MemoryError, match="simulated crash"):
        train([TINY_CSV], scheme="sahel", registry=registry, config=FitConfig(), force=True)
    assert registry.current() == before
    assert registry.versions() == versions
    assert not [p for p in (registry.root / "versions").iterdir() if p.name.startswith(".tmp")]
    assert registry.load().version == before


def test_bad_csv_fails_before_touching_the_registry(registry, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nA sentence.,ukriane\n", encoding="utf-8")
    before = registry.versions()
    with pytest.raises(TrainingDataError, match="'ukriane' is not a label"):
        train([bad], scheme="sahel", registry=registry)
    assert registry.versions() == before


def test_worse_model_is_kept_but_not_promoted(registry, monkeypatch):
    current = registry.current()
    manifest_path = registry.root / "versions" / current / "manifest.json"
    text = manifest_path.read_text()
    manifest_path.write_text(text.replace('"macro_f1": ', '"macro_f1": 1.5, "_was": ', 1))
    # The manifest's hash guards the artefact, not the metrics, so this edit is allowed.
    result = train([TINY_CSV], scheme="sahel", registry=registry, config=FitConfig(), n_jobs=1)
    assert not result.promoted
    assert "not promoted" in result.reason
    assert registry.current() == current
    assert result.version in registry.versions()


def test_model_selection_is_recorded_in_the_manifest(registry):
    manifest = registry.manifest(registry.current())
    assert manifest["selection"]["temperature"] > 0
    assert 0 < manifest["selection"]["uncertain_threshold"] < 1
    assert manifest["scheme"]["uncertain_threshold"] == manifest["selection"]["uncertain_threshold"]


def test_default_search_tries_several_configurations():
    assert len(candidate_configs()) >= 4


def _bias_csv(folder, labels=("Biased", "Non-biased")):
    folder.mkdir(parents=True, exist_ok=True)
    words = ["vote", "budget", "court", "strike", "border", "election", "tax", "school"]
    rows = [
        f"{'A shameful' if i % 2 else 'The scheduled'} {w} item {i} came up,{labels[i % 2]}"
        for i, w in enumerate(words * 3)
    ]
    path = folder / "train.csv"
    path.write_text("\n".join(["text,label", *rows]) + "\n", encoding="utf-8")
    return path


def test_the_same_labels_from_another_folder_face_the_promotion_gate(tmp_path):
    from classifier import ModelRegistry

    registry = ModelRegistry(tmp_path / "models")
    first = train([_bias_csv(tmp_path / "babe")], registry=registry, config=FitConfig(), n_jobs=1)
    again = train([_bias_csv(tmp_path / "copy")], registry=registry, config=FitConfig(), n_jobs=1)
    assert again.manifest["scheme_name"] == first.manifest["scheme_name"]
    assert again.reason.startswith("promoted: CV macro-F1")
    other = _bias_csv(tmp_path / "other", ("Biased", "Neutral"))
    different = train([other], registry=registry, config=FitConfig(), n_jobs=1)
    assert not different.promoted
    assert "is a model of scheme auto_biased_non_biased_" in different.reason


def test_a_model_whose_inferred_scheme_was_named_after_its_folder_still_gates(tmp_path):
    import json

    from classifier import ModelRegistry

    registry = ModelRegistry(tmp_path / "models")
    old = train([_bias_csv(tmp_path / "babe")], registry=registry, config=FitConfig(), n_jobs=1)
    # As written before inferred schemes were named by their labels.
    path = registry.root / "versions" / old.version / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["scheme_name"] = manifest["scheme"]["name"] = "babe"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert registry.load(old.version).scheme.name == "babe"
    new = train([_bias_csv(tmp_path / "copy")], registry=registry, config=FitConfig(), n_jobs=1)
    assert new.reason.startswith("promoted: CV macro-F1")
