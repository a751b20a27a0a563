"""Annotation: the JSON contract, offsets, evidence, uncertainty and the article summary."""

from __future__ import annotations

import pytest

from classifier import TextError, annotate


def test_annotate_reports_offsets_for_each_sentence(tiny_model, article):
    result = annotate(tiny_model, article)
    for s in result["sentences"]:
        assert article[s["start"] : s["end"]] == s["text"]
    assert [s["index"] for s in result["sentences"]] == list(range(6))


def test_annotation_follows_the_json_contract(tiny_model, article):
    result = annotate(tiny_model, article)
    assert set(result) == {"model", "sentences", "summary"}
    assert result["model"] == {
        "version": tiny_model.version,
        "scheme": "sahel",
        "scheme_version": "1.0",
    }
    s = result["sentences"][1]
    assert set(s) == {
        "index",
        "start",
        "end",
        "text",
        "label",
        "confidence",
        "uncertain",
        "probabilities",
        "evidence",
        "reason",
        "source",
    }
    assert set(s["probabilities"]) == set(tiny_model.scheme.label_ids)
    assert sum(s["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    assert s["confidence"] == max(s["probabilities"].values())
    assert s["label"] == max(s["probabilities"], key=s["probabilities"].get)


def test_evidence_names_terms_of_the_sentence_that_pushed_toward_the_label(tiny_model):
    result = annotate(tiny_model, "The junta said armed terrorist groups attacked.")
    s = result["sentences"][0]
    assert s["label"] == "mali_government"
    words = [e["term"] for e in s["evidence"] if e["kind"] == "word"]
    assert words and all(t in s["text"].lower() for t in words)
    context = [e["term"] for e in s["evidence"] if e["kind"] == "context"]
    assert all(
        t.startswith(("source=", "cue=", "quote=", "previous=", "recent=", "voice=", "outlet="))
        for t in context
    )
    weights = [e["weight"] for e in s["evidence"]]
    assert weights == sorted(weights, reverse=True) and weights[-1] > 0


def test_sentences_below_the_threshold_are_uncertain_for_low_confidence(tiny_model, article):
    threshold = tiny_model.scheme.uncertain_threshold
    for s in annotate(tiny_model, article)["sentences"]:
        if s["reason"] in (None, "low_confidence"):
            assert s["uncertain"] is (s["confidence"] < threshold)
            assert (s["reason"] == "low_confidence") is s["uncertain"]


def test_summary_counts_and_shares_every_label(tiny_model, article):
    summary = annotate(tiny_model, article)["summary"]
    assert set(summary["counts"]) == set(tiny_model.scheme.label_ids)
    assert sum(summary["counts"].values()) == 6
    assert sum(summary["shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert summary["counts"][summary["dominant"]] == max(summary["counts"].values())


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_text_without_sentences_is_an_error(tiny_model, text):
    with pytest.raises(TextError, match="holds no sentence"):
        annotate(tiny_model, text)


def test_too_many_sentences_is_an_error(tiny_model):
    with pytest.raises(TextError, match="has 3 sentences, more than the limit of 2"):
        annotate(tiny_model, "One. Two. Three.", max_sentences=2)
