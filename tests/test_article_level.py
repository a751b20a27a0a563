"""Article mode: rows that are whole articles train a model that also labels whole texts."""

from __future__ import annotations

import csv
import random

import pytest

from classifier import ModelRegistry, annotate
from training import train

HARBOUR = [
    "The harbour authority opened a second container terminal this week.",
    "Dock workers said shifts had grown longer since the expansion began.",
    "Shipping lines asked for deeper berths to take larger vessels.",
    "The port handled a record number of containers in the spring.",
    "Cranes on the new quay were delivered from overseas in March.",
]
ORCHARD = [
    "Apple growers in the valley reported a late frost in April.",
    "The cooperative said cider sales rose for a third year.",
    "Pickers arrived early because the blossom came two weeks ahead.",
    "Several orchards planted hardier varieties after the drought.",
    "Buyers at the autumn market paid more for heritage apples.",
]


def article(sentences: list[str], rng: random.Random) -> str:
    return " ".join(rng.sample(sentences, k=len(sentences)) * 2)


@pytest.fixture(scope="module")
def article_registry(tmp_path_factory: pytest.TempPathFactory) -> ModelRegistry:
    rng = random.Random(0)
    path = tmp_path_factory.mktemp("articles") / "train.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for _ in range(12):
            w.writerow([article(HARBOUR, rng), "port"])
            w.writerow([article(ORCHARD, rng), "farm"])
    registry = ModelRegistry(tmp_path_factory.mktemp("article-models"))
    train([path], registry=registry, n_jobs=1)
    return registry


def test_long_rows_train_an_article_model(article_registry):
    assert article_registry.manifest(article_registry.current())["level"] == "article"


def test_article_model_labels_the_whole_text_and_its_sentences(article_registry):
    text = " ".join(ORCHARD[:3]) + "\n\n" + HARBOUR[0]
    result = annotate(article_registry.load(), text)
    assert result["summary"]["article"]["label"] == "farm"
    assert [s["label"] for s in result["sentences"]] == ["farm", "farm", "farm", "port"]


def test_sentence_models_have_no_article_label(tiny_model, article):
    assert "article" not in annotate(tiny_model, article)["summary"]


def test_api_response_of_an_article_model_matches_the_openapi_document(article_registry):
    from test_service import check

    from service import create_app

    app = create_app(
        {"TESTING": True, "MODEL_DIR": str(article_registry.root), "RELOAD_INTERVAL": 0}
    )
    response = app.test_client().post("/v1/annotate", json={"text": " ".join(HARBOUR)})
    assert response.status_code == 200
    assert check(response, "/v1/annotate", "POST")["summary"]["article"]["label"] == "port"
