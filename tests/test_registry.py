"""The model registry: integrity checks before loading, atomic versions, promote and rollback."""

from __future__ import annotations

import json

import pytest

from classifier import ModelIntegrityError, ModelNotFoundError, ModelRegistry
from classifier.registry import ARTEFACT, MANIFEST
from conftest import TINY_CSV
from training import FitConfig, train


def test_manifest_records_what_was_trained_and_how_well(registry):
    manifest = registry.manifest(registry.current())
    assert manifest["scheme_name"] == "sahel"
    assert manifest["label_ids"] == ["mali_government", "ukraine", "russia", "rebels", "neutral"]
    assert len(manifest["artefact_sha256"]) == 64
    assert len(manifest["training_data"]["sha256"]) == 64
    assert manifest["training_data"]["rows"] == 40
    assert 0 <= manifest["metrics"]["macro_f1"] <= 1
    assert {"sklearn_version", "framelens_version", "created_at", "config"} <= set(manifest)


def test_tampered_artefact_is_refused_before_loading(registry):
    version = registry.current()
    path = registry.root / "versions" / version / ARTEFACT
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ModelIntegrityError, match=rf"refusing to load .*{version}.*its SHA-256"):
        registry.load()


def test_manifest_without_hash_is_refused(registry):
    version = registry.current()
    path = registry.root / "versions" / version / MANIFEST
    manifest = json.loads(path.read_text())
    del manifest["artefact_sha256"]
    path.write_text(json.dumps(manifest))
    with pytest.raises(ModelIntegrityError, match="records no SHA-256"):
        registry.load()


@pytest.mark.parametrize("version", ["../../etc/passwd", "nope", "/abs/path", ""])
def test_unknown_or_malformed_version_is_not_found(registry, version):
    if version == "":
        assert registry.load(version).version == registry.current()
        return
    with pytest.raises(ModelNotFoundError, match="no model version"):
        registry.load(version)


def test_empty_registry_says_how_to_train(tmp_path):
    with pytest.raises(ModelNotFoundError, match=r"no current model .*'framelens train"):
        ModelRegistry(tmp_path / "none").load()


def test_promote_and_rollback_switch_the_current_version(registry):
    first = registry.current()
    second = train(
        [TINY_CSV], scheme="sahel", registry=registry, config=FitConfig(), force=True, n_jobs=1
    ).version
    assert registry.current() == second
    assert registry.rollback() == first
    assert registry.current() == first
    registry.promote(second)
    assert registry.versions() == [first, second]


def test_rollback_with_no_history_is_an_error(registry):
    with pytest.raises(ModelNotFoundError, match="roll back to.*'previous' is the model"):
        registry.rollback()


def test_round_trip_gives_identical_probabilities(registry, tiny_model):
    texts = ["The junta said terrorist groups attacked.", "Kyiv rejected the claims."]
    again = registry.load()
    assert (again.predict_proba(texts) == tiny_model.predict_proba(texts)).all()
