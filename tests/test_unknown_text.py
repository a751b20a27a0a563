"""Text the model cannot judge is marked uncertain with a reason, not labelled with confidence."""

from __future__ import annotations

import pytest

from classifier import annotate


@pytest.mark.parametrize(
    "text",
    [
        "Le gouvernement de transition a dénoncé une attaque contre les forces armées du pays.",
        "Les rebelles affirment avoir pris le contrôle de la ville après des combats violents.",
        "Міністерство закордонних справ України відкинуло звинувачення уряду Малі.",
        "Повстанці заявили, що знищили колону найманців біля кордону з Алжиром.",
        "Министерство иностранных дел России обвинило Киев в поддержке террористов.",
        "Представитель МИД заявила, что Украина открыла второй фронт в Африке.",
    ],
)
def test_sentences_in_another_language_are_uncertain_for_language(tiny_model, text):
    (s,) = annotate(tiny_model, text)["sentences"]
    assert (s["uncertain"], s["reason"]) == (True, "language")


@pytest.mark.parametrize(
    "text",
    [
        "xqzv plorkt wubbn qrrst vvmmk",
        "Zorblat fennik quastrel ombry vintage plosk.",
        "https://news.example.org/2024/07/29/sahel-story-4471?ref=home",
        "asdf qwer zxcv uiop hjkl",
    ],
)
def test_gibberish_and_urls_are_uncertain_for_unknown_vocabulary(tiny_model, text):
    (s,) = annotate(tiny_model, text)["sentences"]
    assert (s["uncertain"], s["reason"]) == (True, "unknown_vocabulary")


def test_english_in_the_models_vocabulary_gets_no_such_reason(tiny_model):
    text = (
        "The junta said armed terrorist groups attacked the army convoy near Kidal. "
        "Kyiv said Russian war criminals had suffered a heavy defeat in the desert."
    )
    reasons = {s["reason"] for s in annotate(tiny_model, text)["sentences"]}
    assert not reasons & {"language", "unknown_vocabulary"}


def test_the_summary_counts_uncertain_sentences_by_reason(tiny_model):
    text = (
        "The junta said armed terrorist groups attacked the army near Kidal.\n"
        "Le gouvernement de transition a dénoncé une attaque contre les forces armées.\n"
        "Xqzv plorkt wubbn qrrst vvmmk"
    )
    summary = annotate(tiny_model, text)["summary"]
    assert summary["reasons"]["language"] == 1
    assert summary["reasons"]["unknown_vocabulary"] == 1
    assert summary["uncertain"] == sum(summary["reasons"].values())
