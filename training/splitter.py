"""Learn the sentence splitter's Punkt parameters from the training text."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nltk.tokenize.punkt import PunktTrainer

from classifier.text import SentenceSplitter

# Punkt learns at about 0.4 million characters a second, in one process; its parameters settle
# well before this much text (the sahel corpus is under a million characters), so on larger data
# it learns from whole articles drawn at random up to this many characters.
SPLITTER_CHARS = 4_000_000


def splitter_sample(
    documents: Sequence[str], limit: int = SPLITTER_CHARS, seed: int = 0
) -> list[str]:
    """``documents`` if they hold at most ``limit`` characters; else whole documents drawn at
    random (the same ones each run) until the next would pass ``limit``, in their order."""
    if sum(len(d) for d in documents) <= limit:
        return list(documents)
    order = list(range(len(documents)))
    random.Random(seed).shuffle(order)
    chosen, total = [], 0
    for i in order:
        if total + len(documents[i]) > limit and chosen:
            break
        chosen.append(i)
        total += len(documents[i])
    return [documents[i] for i in sorted(chosen)]


def learn_splitter_params(documents: Iterable[str]) -> dict[str, Any]:
    """Train Punkt on running text and return its parameters as plain, JSON-able data.

    ``documents`` are whole articles (sentences joined by spaces); Punkt learns abbreviations,
    collocations, frequent sentence starters and each word's capitalisation habits from them.
    """
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = False
    for document in documents:
        trainer.train(document, finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    return {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted(list(pair) for pair in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": {word: int(flags) for word, flags in sorted(params.ortho_context.items())},
    }


def read_gold(path: str | Path) -> list[list[str]]:
    """Paragraphs of a gold file: one sentence per line, paragraphs split by blank lines."""
    lines = [
        ln for ln in Path(path).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")
    ]
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    return paragraphs


def boundary_scores(splitter: SentenceSplitter, paragraphs: list[list[str]]) -> dict[str, Any]:
    """Precision, recall and F1 of the sentence boundaries inside each paragraph.

    Each paragraph is joined with single spaces; a boundary is the offset where a sentence ends
    and another follows. The paragraph's end is not counted, since it is given away.
    """
    tp = fp = fn = 0
    errors: list[dict[str, Any]] = []
    for sentences in paragraphs:
        text = " ".join(sentences)
        gold, offset = set(), 0
        for sentence in sentences[:-1]:
            offset += len(sentence)
            gold.add(offset)
            offset += 1
        found = {s.end for s in splitter.split(text)[:-1]}
        tp += len(gold & found)
        fp += len(found - gold)
        fn += len(gold - found)
        for end in sorted(found ^ gold):
            kind = "false split" if end in found else "missed split"
            errors.append({"kind": kind, "context": text[max(0, end - 40) : end + 30]})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "boundaries": tp + fn,
        "errors": errors,
    }
