"""Score one chunk of records: split every article, one ``predict_proba`` over all sentences.

``score_chunk`` is a pure function of the model and the chunk, and returns the chunk's output
file already rendered to bytes. Every engine (in-process, worker processes, Dask workers on other
machines) runs this same function, so their outputs are identical byte for byte, and the bytes
can travel back to the process that owns the output directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model import Model
from ._readers import Record
from ._writers import render_rejects, render_table

DECIMALS = 4  # as in ``framelens annotate``
LEVELS = ("sentence", "article")


@dataclass
class ChunkResult:
    """A scored chunk: its output file's bytes, its rejects' bytes, and what it counted."""

    index: int
    part: bytes
    rejects: bytes
    stats: dict[str, Any] = field(default_factory=dict)


def score_chunk(
    model: Model,
    index: int,
    records: Sequence[Record],
    level: str,
    fmt: str,
    *,
    with_text: bool = False,
) -> ChunkResult:
    """Score ``records`` (chunk number ``index``) and render rows at ``level`` as ``fmt``;
    ``with_text`` adds each sentence's text to sentence rows."""
    labels = model.scheme.label_ids
    rejects = [(i, r) for i, r in enumerate(records) if r.problem is not None]
    ids: list[str] = []
    texts: list[str] = []
    sentence_no: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    article_of: list[int] = []
    for position, record in enumerate(records):
        if record.problem is not None or record.text is None:
            continue
        sentences = model.splitter.split(record.text)
        if not sentences:
            rejects.append((position, _as_reject(record, "the text holds no sentence")))
            continue
        article = len(ids)
        ids.append(str(record.id))
        for s in sentences:
            texts.append(s.text)
            sentence_no.append(s.index)
            starts.append(s.start)
            ends.append(s.end)
            article_of.append(article)
    rejects.sort(key=lambda pair: pair[0])

    proba, best = _predict(model, texts, labels)
    confidence = proba[np.arange(len(texts)), best] if texts else np.zeros(0)
    uncertain = confidence < model.scheme.uncertain_threshold
    owner = np.asarray(article_of, dtype=np.int64)
    label_counts = np.bincount(best, minlength=len(labels))

    if level == "sentence":
        columns: dict[str, Any] = {
            "id": np.asarray(ids, dtype=object)[owner],
            "sentence": np.asarray(sentence_no, dtype=np.int64),
            "start": np.asarray(starts, dtype=np.int64),
            "end": np.asarray(ends, dtype=np.int64),
            "label": np.asarray(labels, dtype=object)[best],
            "confidence": np.round(confidence, DECIMALS),
            "uncertain": uncertain,
        }
        for j, label in enumerate(labels):
            columns[f"p_{label}"] = np.round(proba[:, j], DECIMALS)
        if with_text:
            columns["text"] = np.asarray(texts, dtype=object)
        dominant_counts = None
    else:
        columns, dominant_counts = _article_columns(ids, owner, best, uncertain, labels)

    rows_out = len(next(iter(columns.values())))
    stats = {
        "rows_in": len(records),
        "articles": len(ids),
        "sentences": len(texts),
        "rows_out": rows_out,
        "rejects": len(rejects),
        "uncertain": int(uncertain.sum()),
        "labels": {label: int(n) for label, n in zip(labels, label_counts, strict=True)},
    }
    if dominant_counts is not None:
        stats["dominant"] = dominant_counts
    return ChunkResult(
        index, render_table(columns, fmt), render_rejects([r for _, r in rejects]), stats
    )


def _predict(model: Model, texts: list[str], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities in scheme label order, and the index of the best label of each sentence."""
    proba = np.zeros((len(texts), len(labels)))
    if not texts:
        return proba, np.zeros(0, dtype=np.int64)
    raw = model.predict_proba(texts)
    classes = model.classes
    for j, label in enumerate(labels):
        if label in classes:
            proba[:, j] = raw[:, classes.index(label)]
    # argmax in the model's class order, as ``annotate`` does, so ties break the same way.
    order = np.array([labels.index(c) if c in labels else -1 for c in classes])
    best = order[raw.argmax(axis=1)]
    return proba, best.astype(np.int64)


def _article_columns(
    ids: list[str],
    owner: np.ndarray,
    best: np.ndarray,
    uncertain: np.ndarray,
    labels: list[str],
) -> tuple[dict[str, Any], dict[str, int]]:
    n, k = len(ids), len(labels)
    counts = np.bincount(owner * k + best, minlength=n * k).reshape(n, k)
    totals = counts.sum(axis=1)
    shares = np.round(counts / np.maximum(totals, 1)[:, None], DECIMALS)
    # argmax takes the first of equal counts, in scheme order, as ``summarise`` does.
    dominant = np.asarray(labels, dtype=object)[counts.argmax(axis=1)]
    columns: dict[str, Any] = {
        "id": np.asarray(ids, dtype=object),
        "sentences": totals.astype(np.int64),
        "uncertain": np.bincount(owner, weights=uncertain, minlength=n).astype(np.int64),
    }
    for j, label in enumerate(labels):
        columns[f"n_{label}"] = counts[:, j].astype(np.int64)
    for j, label in enumerate(labels):
        columns[f"share_{label}"] = shares[:, j]
    columns["dominant"] = dominant.astype(object)
    dominant_counts = {label: int((dominant == label).sum()) for label in labels}
    return columns, dominant_counts


def _as_reject(record: Record, problem: str) -> Record:
    return Record(record.source, record.row, record.line, record.id, None, problem)
