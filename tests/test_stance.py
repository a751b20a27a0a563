"""Stance toward a target: the same words can mean favour for one target, against for another."""

from __future__ import annotations

import csv

import pytest

from classifier import ModelRegistry, annotate
from training import train
from training.evaluate import evaluate_model

PHRASES = [
    "We should ban it everywhere.",
    "Ban it in every town now.",
    "A ban is long overdue.",
    "Time to ban it for good.",
    "The council must ban it.",
    "Only a ban will work.",
    "I signed the petition to ban it.",
    "Ban it before more harm is done.",
]
NEUTRAL = [
    "The hearing is on Tuesday.",
    "Officials will publish figures next month.",
    "The debate lasted three hours.",
    "Reporters asked about the timetable.",
    "The vote was postponed again.",
    "Two committees will review it.",
]


@pytest.fixture(scope="module")
def stance_csv(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("stance") / "train.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "target"])
        for p in PHRASES:
            w.writerow([p, "AGAINST", "Street racing"])
            w.writerow([p, "FAVOR", "Street racing ban"])
        for n in NEUTRAL:
            w.writerow([n, "NONE", "Street racing"])
            w.writerow([n, "NONE", "Street racing ban"])
    return path


@pytest.fixture(scope="module")
def stance_registry(stance_csv, tmp_path_factory):
    registry = ModelRegistry(tmp_path_factory.mktemp("stance-models"))
    train([stance_csv], registry=registry, n_jobs=1)
    return registry


def test_inferred_stance_scheme_reports_f_avg(stance_registry):
    manifest = stance_registry.manifest(stance_registry.current())
    assert manifest["scheme"]["favg_labels"] == ["against", "favor"]
    assert manifest["uses_target"] is True
    assert manifest["targets"] == ["street racing", "street racing ban"]
    assert "f_avg" in manifest["metrics"]


@pytest.mark.parametrize(
    ("target", "label"), [("Street racing", "against"), ("street racing ban", "favor")]
)
def test_stance_depends_on_the_target(stance_registry, target, label):
    model = stance_registry.load()
    result = annotate(model, "Ban it in every town now.", target=target)
    assert result["sentences"][0]["label"] == label


def test_evaluate_uses_the_target_column(stance_registry, stance_csv):
    metrics = evaluate_model(stance_registry.load(), stance_csv)
    assert metrics["f_avg"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("target", "label"), [("Street racing", "against"), ("Street racing ban", "favor")]
)
def test_api_takes_the_target(stance_registry, target, label):
    from service import create_app

    app = create_app(
        {"TESTING": True, "MODEL_DIR": str(stance_registry.root), "RELOAD_INTERVAL": 0}
    )
    response = app.test_client().post(
        "/v1/annotate", json={"text": "Ban it in every town now.", "target": target}
    )
    assert response.status_code == 200
    assert response.get_json()["sentences"][0]["label"] == label


def test_api_rejects_a_target_that_is_not_a_string(client):
    response = client.post("/v1/annotate", json={"text": "Some text.", "target": 3})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": {"code": "invalid_request", "message": "'target' must be a string, got a number"}
    }


def test_evaluate_predictions_carry_each_rows_target(stance_registry, stance_csv, tmp_path):
    out = tmp_path / "predictions.csv"
    evaluate_model(stance_registry.load(), stance_csv, predictions=out)
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:4] == ["line", "text", "target", "gold"]
    assert [c for c in rows[0] if c.startswith("p_")] == ["p_against", "p_favor", "p_none"]
    assert (rows[0]["target"], rows[0]["gold"], rows[0]["predicted"]) == (
        "Street racing",
        "against",
        "against",
    )
    assert rows[1]["target"] == "Street racing ban" and rows[1]["predicted"] == "favor"


# Where the words of a stance flip from one target to another, one model per target wins.


@pytest.fixture(scope="module")
def flipping_registry(tmp_path_factory: pytest.TempPathFactory) -> ModelRegistry:
    from stance_corpus import write_stance_csv

    root = tmp_path_factory.mktemp("flipping")
    registry = ModelRegistry(root / "models")
    train([write_stance_csv(root / "train.csv")], registry=registry, n_jobs=1)
    return registry


def test_cross_validation_picks_one_model_per_target_when_words_flip(flipping_registry):
    manifest = flipping_registry.manifest(flipping_registry.current())
    choice = manifest["selection"]["target_mode"]

    assert manifest["config"]["target_mode"] == "separate"
    assert choice["chosen"] == "separate"
    assert choice["metric"] == "f_avg"
    assert set(choice["scores"]) == {"augmented", "separate", "ignore"}
    assert choice["scores"]["separate"] > choice["scores"]["augmented"] + 0.05
    assert choice["reason"].startswith("separate scored the best CV f_avg")


SENTENCE = "A ban on it would be welcome in our street."


@pytest.mark.parametrize(("target", "label"), [("Vaping", "against"), ("Smoking ban", "favor")])
def test_a_model_per_target_loads_and_explains_with_the_targets_own_model(
    flipping_registry, target, label
):
    from classifier.targets import PerTargetLogisticRegression

    model = flipping_registry.load()
    sentence = annotate(model, SENTENCE, target=target)["sentences"][0]

    assert isinstance(model.pipeline[-1], PerTargetLogisticRegression)
    assert sentence["label"] == label
    terms = {t["term"]: t["weight"] for t in sentence["evidence"]}
    assert terms["ban"] > 0


def test_a_target_never_seen_gets_the_shared_models_answer(flipping_registry):
    model = flipping_registry.load()
    unseen = annotate(model, SENTENCE, target="Cycling")["sentences"][0]
    none = annotate(model, SENTENCE)["sentences"][0]

    assert unseen["probabilities"] == none["probabilities"]
    assert unseen["evidence"] == none["evidence"]


def test_a_given_config_keeps_its_target_mode(tmp_path):
    from stance_corpus import write_stance_csv

    from training import FitConfig

    registry = ModelRegistry(tmp_path / "models")
    csv_path = write_stance_csv(tmp_path / "train.csv")
    result = train([csv_path], registry=registry, config=FitConfig(C=3.0), n_jobs=1)

    assert result.manifest["config"]["target_mode"] == "augmented"
    assert "target_mode" not in result.manifest["selection"]


# framelens evaluate on stance data: F_avg, scores per target, and warnings.


def evaluate_cli(registry: ModelRegistry, csv_path, *options: str):
    from click.testing import CliRunner

    from framelens.cli import main

    args = ["evaluate", "current", str(csv_path), *options, "--models", str(registry.root)]
    return CliRunner().invoke(main, args)


def test_evaluate_prints_f_avg_and_a_table_per_target(flipping_registry, tmp_path):
    from stance_corpus import write_stance_csv

    result = evaluate_cli(flipping_registry, write_stance_csv(tmp_path / "test.csv"))

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert any(line.startswith("F_avg (against, favor): ") for line in lines)
    targets = [line for line in lines if line in ("smoking", "smoking ban", "vaping")]
    assert targets == ["smoking", "smoking ban", "vaping"]
    per_target = [line for line in lines if line.startswith("  F_avg ")]
    assert len(per_target) == 3 and all(line.endswith("(32 rows)") for line in per_target)


def test_evaluate_json_has_f_avg_per_target_and_no_warnings(flipping_registry, tmp_path):
    import json

    from stance_corpus import write_stance_csv

    result = evaluate_cli(
        flipping_registry, write_stance_csv(tmp_path / "t.csv"), "--format", "json"
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["f_avg_labels"] == ["against", "favor"]
    assert list(data["per_target"]) == ["smoking", "smoking ban", "vaping"]
    assert all(m["n"] == 32 and 0.8 < m["f_avg"] <= 1.0 for m in data["per_target"].values())
    assert data["warnings"] == []


def test_evaluate_warns_when_no_row_has_a_target(flipping_registry, tmp_path):
    import json

    from stance_corpus import stance_rows

    path = tmp_path / "plain.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows((text, label) for text, label, target in stance_rows() if target == "Vaping")

    table = evaluate_cli(flipping_registry, path)
    data = json.loads(evaluate_cli(flipping_registry, path, "--format", "json").stdout)

    assert table.exit_code == 0, table.output
    assert table.stderr.startswith("warning: model ")
    assert "no row of plain.csv has one" in table.stderr
    assert "shared weights alone" in table.stderr
    assert "per_target" not in data
    assert len(data["warnings"]) == 1 and "no row of plain.csv has one" in data["warnings"][0]


def test_evaluate_warns_about_rows_without_a_target_and_unseen_targets(flipping_registry, tmp_path):
    path = tmp_path / "mixed.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "target"])
        w.writerow(["Ban it in every public place.", "FAVOR", "Smoking ban"])
        w.writerow(["Leave people their freedom to choose.", "FAVOR", ""])
        w.writerow(["The vote was postponed again.", "NONE", "Cycling"])

    result = evaluate_cli(flipping_registry, path)

    assert result.exit_code == 0, result.output
    assert "warning: 1 of 3 rows of mixed.csv have no target" in result.stderr
    assert "never seen in training, labelled by the shared weights: cycling" in result.stderr
