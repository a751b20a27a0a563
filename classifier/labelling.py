"""The one labelling path: inputs, probabilities, labels, doubt, evidence and attribution.

``label_articles`` is what ``annotate``, ``framelens score`` and ``framelens evaluate`` call, so
their outputs cannot drift apart. Probabilities come in the scheme's label order everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from .attribution import Context
from .context import inputs_for
from .model import Model
from .targets import with_target

# A sentence with at least this many words, under this share of them known to the model, is
# text the model cannot judge: another language, gibberish, a pasted URL.
MIN_WORDS = 3
MIN_KNOWN_SHARE = 0.5
LOW_CONFIDENCE, UNKNOWN_VOCABULARY, LANGUAGE = "low_confidence", "unknown_vocabulary", "language"
REASONS = (LOW_CONFIDENCE, UNKNOWN_VOCABULARY, LANGUAGE)
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ɏ]")
_LETTER = re.compile(r"[^\W\d_]")
# Common words of languages near English in script; two of them, more than English ones, and a
# sentence is taken to be in another language.
_FOREIGN_WORDS = frozenset(
    "le la les des du est une que qui pour dans sur avec pas sont été ont par au aux cette "
    "nous vous ils elles leur selon également après contre entre sous depuis mais "
    "el los las del por una con para según también "
    "der die das und ist nicht mit sich auch auf für "
    "dos das não com uma pelo pela".split()
)
_ENGLISH_WORDS = frozenset(
    "the of and to in a is was that for on with said by as at from it has have were are be "
    "its his her their an this which who after over".split()
)


class _Sentence(Protocol):
    index: int
    start: int
    end: int
    text: str


@dataclass
class Labelled:
    """Everything known about a batch of sentences, rows in input order, columns in scheme order."""

    labels: list[str]  # the scheme's label ids: the columns of ``proba``
    proba: np.ndarray
    best: np.ndarray  # column of each row's label
    confidence: np.ndarray
    uncertain: np.ndarray
    reasons: list[str | None]
    contexts: list[Context | None]
    features: sparse.csr_matrix

    def label_of(self, row: int) -> str:
        return self.labels[int(self.best[row])]


def model_inputs(
    model: Model,
    articles: Sequence[Sequence[_Sentence]],
    *,
    target: str | None = None,
    targets: Sequence[str | None] | None = None,
) -> tuple[list[str], list[Context | None]]:
    """What the model sees for each sentence, and the attribution found for it. ``target`` is
    the one target of every sentence; ``targets``, one per sentence, overrides it."""
    texts = [s.text for sentences in articles for s in sentences]
    if model.uses_target:
        each = targets if targets is not None else [target] * len(texts)
        texts = [with_target(t, g) for t, g in zip(texts, each, strict=True)]
    actors = model.scheme.actor_index if model.uses_context else None
    return inputs_for(articles, texts, actors)


def label_articles(
    model: Model,
    articles: Sequence[Sequence[_Sentence]],
    *,
    target: str | None = None,
    targets: Sequence[str | None] | None = None,
) -> Labelled:
    """Label every sentence of ``articles`` (each a list of sentences in order)."""
    inputs, contexts = model_inputs(model, articles, target=target, targets=targets)
    features = model.features(inputs)
    proba = model.scheme_proba(model.pipeline[-1].predict_proba(features)) if inputs else None
    labels = model.scheme.label_ids
    if proba is None:
        proba = np.zeros((0, len(labels)))
    best = proba.argmax(axis=1) if len(inputs) else np.zeros(0, dtype=np.int64)
    confidence = proba[np.arange(len(best)), best]
    uncertain = confidence < model.scheme.uncertain_threshold
    reasons: list[str | None] = [LOW_CONFIDENCE if u else None for u in uncertain.tolist()]
    texts = [s.text for sentences in articles for s in sentences]
    for row in _unknown_rows(model, features, texts):
        reasons[row] = LANGUAGE if _foreign(texts[row]) else UNKNOWN_VOCABULARY
        uncertain[row] = True
    return Labelled(labels, proba, best, confidence, uncertain, reasons, contexts, features)


def _unknown_rows(model: Model, features: sparse.csr_matrix, texts: list[str]) -> list[int]:
    """Rows most of whose words the model has never seen."""
    if not texts:
        return []
    known = model.known_words(features)
    words = np.fromiter(map(_word_count, texts), dtype=np.int64, count=len(texts))
    unknown = ((words >= MIN_WORDS) & (known < MIN_KNOWN_SHARE * words)) | (known == 0)
    rows = np.flatnonzero(unknown).tolist()
    urls = [i for i, t in enumerate(texts) if "://" in t and i not in set(rows)]
    return sorted(rows + [i for i in urls if _mostly_url(texts[i])])


def _word_count(text: str) -> int:
    return len(text.split())


def _mostly_url(text: str) -> bool:
    return sum(len(w) for w in text.split() if "://" in w) >= len(text) / 2


def _foreign(text: str) -> bool:
    """Another script than Latin for most letters, or more foreign than English common words."""
    letters = len(_LETTER.findall(text))
    if letters and len(_LATIN_LETTER.findall(text)) < letters / 2:
        return True
    words = text.lower().split()
    foreign = sum(w.strip(".,;:!?\"'()") in _FOREIGN_WORDS for w in words)
    english = sum(w.strip(".,;:!?\"'()") in _ENGLISH_WORDS for w in words)
    return foreign >= 2 and foreign > english


def summarise(labelled: Labelled, rows: range | None = None) -> dict[str, Any]:
    """An article's summary: counts and shares per label (all of the scheme's), the dominant
    label, how many sentences are uncertain and why, and whose words each party's sentences
    carry (``voices``: party -> indexes of the sentences attributed to it)."""
    rows = rows if rows is not None else range(len(labelled.best))
    labels = labelled.labels
    counts = dict.fromkeys(labels, 0)
    reasons = dict.fromkeys(REASONS, 0)
    voices: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        counts[labels[int(labelled.best[row])]] += 1
        reason = labelled.reasons[row]
        if reason is not None:
            reasons[reason] += 1
        context = labelled.contexts[row]
        source = context.reported if context is not None else None
        if source is not None and source.party:
            voices.setdefault(source.party, []).append(position)
    total = sum(counts.values())
    return {
        "counts": counts,
        "shares": {k: round(v / total, 4) if total else 0.0 for k, v in counts.items()},
        "dominant": max(counts, key=lambda k: counts[k]) if total else None,
        "uncertain": int(sum(reasons.values())),
        "reasons": reasons,
        "voices": {party: voices[party] for party in labels if party in voices},
    }
