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
