"""Sentence splitting: boundaries a careful reader accepts, and exact character offsets."""

from __future__ import annotations

import pytest

from classifier import SentenceSplitter
from conftest import DATA
from training.splitter import boundary_scores, read_gold

SPLITTER = SentenceSplitter()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Yusov met Gen. Goita. The junta denied it.",
            ["Mr. Yusov met Gen. Goita.", "The junta denied it."],
        ),
        (
            "The U.S. Treasury acted on Jan. 5 at 9 a.m. local time. Markets fell.",
            ["The U.S. Treasury acted on Jan. 5 at 9 a.m. local time.", "Markets fell."],
        ),
        (
            "The talks ended at 5 p.m. No statement was issued.",
            ["The talks ended at 5 p.m.", "No statement was issued."],
        ),
        (
            "He lives at No. 10 Downing Street. He left.",
            ["He lives at No. 10 Downing Street.", "He left."],
        ),
        (
            "Shares of Acme Inc. rose 3.5% to $1.25. Rivals fell 0.4 points.",
            ["Shares of Acme Inc. rose 3.5% to $1.25.", "Rivals fell 0.4 points."],
        ),
        (
            "George W. Bush met J. K. Rowling. They talked.",
            ["George W. Bush met J. K. Rowling.", "They talked."],
        ),
        ('He said, "We will win." Then he left.', ['He said, "We will win."', "Then he left."]),
        (
            "“We will not go into details,” he said. “You will see more.”",
            ["“We will not go into details,” he said.", "“You will see more.”"],
        ),
        (
            '"Will they win?" she asked. Nobody knew.',
            ['"Will they win?" she asked.', "Nobody knew."],
        ),
        (
            "“Why now?” Diop asked reporters. He did not wait.",
            ["“Why now?” Diop asked reporters.", "He did not wait."],
        ),
        (
            "Output rose (up from 2.1%). Analysts were surprised.",
            ["Output rose (up from 2.1%).", "Analysts were surprised."],
        ),
        (
            "Mali cuts ties with Ukraine\nMali has cut ties with Kyiv.",
            ["Mali cuts ties with Ukraine", "Mali has cut ties with Kyiv."],
        ),
        (
            "The rebels said the attack\nwas repelled. The army disagreed.",
            ["The rebels said the attack\nwas repelled.", "The army disagreed."],
        ),
    ],
)
def test_splits_where_a_careful_reader_would(text, expected):
    assert [s.text for s in SPLITTER.split(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "  Leading spaces. And “curly quotes,” she said.\n\n  Indented paragraph here.  ",
        "Decimals 3.14 and 2.5% stay. Ellipses… stay too. Is it so? Yes!",
        "\u00a0Non-breaking space first. Then tabs\tinside. Emoji 🙂 count as one char.",
    ],
)
def test_offsets_give_back_each_sentence(text):
    sentences = SPLITTER.split(text)
    assert sentences, "expected at least one sentence"
    for i, s in enumerate(sentences):
        assert s.index == i
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))


def test_boundary_f1_on_wire_news_gold_set_is_at_least_097():
    scores = boundary_scores(SPLITTER, read_gold(DATA / "split_gold.txt"))
    assert scores["boundaries"] > 300
    assert scores["f1"] >= 0.97, scores["errors"]


def test_one_very_long_line_is_split_without_timing_out():
    text = "The convoy moved north on the main road and the patrol followed it. " * 4000
    sentences = SPLITTER.split(text)
    assert len(sentences) == 4000
    assert (
        sentences[-1].text == "The convoy moved north on the main road and the patrol followed it."
    )


def test_text_without_sentences_gives_none():
    assert SPLITTER.split(" \n\t\n ") == []


def test_learned_parameters_round_trip_through_the_model(tiny_model):
    params = tiny_model.splitter.params
    assert {"abbrev_types", "collocations", "sent_starters", "ortho_context"} <= set(params)
    assert SentenceSplitter(params).split("Col. Maiga spoke. He left.")[1].text == "He left."
