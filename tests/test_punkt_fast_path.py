"""FastPunkt takes Punkt's certain decisions itself: its spans must be exactly Punkt's."""

from __future__ import annotations

import csv

import pytest
from nltk.tokenize.punkt import PunktSentenceTokenizer

from classifier.text import SentenceSplitter
from conftest import DATA, TINY_CSV

GOLD = (DATA / "split_gold.txt").read_text(encoding="utf-8")
TINY = " ".join(
    row["text"] for row in csv.DictReader(TINY_CSV.read_text(encoding="utf-8").splitlines())
)
TRICKY = (
    "He met Mr. Smith at 5 p.m. The U.S. Army left. Was it so? Yes! “Go.” She went... Then "
    "J. K. Rowling spoke. No. 10 said 3.5. It rose 2.1%. Etc. etc. The end? Really!? OK."
)


ROOT = DATA.parent.parent
CORPUS = "\n".join(
    " ".join(row["text"] for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    for path in sorted((ROOT / "labels").glob("**/*.csv"))
)
EXAMPLES = "\n".join(
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))
)


@pytest.mark.parametrize(
    "text",
    [GOLD, TINY, TRICKY, CORPUS, EXAMPLES],
    ids=["gold", "tiny-corpus", "tricky", "sahel-corpus", "examples"],
)
def test_fast_path_gives_exactly_punkts_spans(text, tiny_model):
    for splitter in (SentenceSplitter(), tiny_model.splitter):
        fast = splitter._punkt
        plain = PunktSentenceTokenizer(fast._params)
        for block in text.split("\n"):
            expected = list(plain.span_tokenize(block))
            assert list(fast.span_tokenize(block)) == expected
            assert fast.spans(block) == expected
