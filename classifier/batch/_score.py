"""Score one chunk of records: split every article, label all its sentences in one call.

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

from ..labelling import label_articles
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
    articles = []
    for position, record in enumerate(records):
        if record.problem is not None or record.text is None:
            continue
        sentences = model.splitter.split(record.text)
        if not sentences:
            rejects.append((position, _as_reject(record, "the text holds no sentence")))
            continue
        ids.append(str(record.id))
        articles.append(sentences)
    rejects.sort(key=lambda pair: pair[0])

    labelled = label_articles(model, articles)
    best, uncertain = labelled.best, labelled.uncertain
    lengths = np.fromiter(map(len, articles), dtype=np.int64, count=len(articles))
    owner = np.repeat(np.arange(len(articles)), lengths)
    label_counts = np.bincount(best, minlength=len(labels))
    n = len(best)

    if level == "sentence":
        flat = [s for sentences in articles for s in sentences]
        sources = [c.reported if c is not None else None for c in labelled.contexts]
        columns: dict[str, Any] = {
            "id": np.asarray(ids, dtype=object)[owner],
            "sentence": np.fromiter((s.index for s in flat), dtype=np.int64, count=n),
            "start": np.fromiter((s.start for s in flat), dtype=np.int64, count=n),
            "end": np.fromiter((s.end for s in flat), dtype=np.int64, count=n),
            "label": np.asarray(labels, dtype=object)[best],
            "confidence": np.round(labelled.confidence, DECIMALS),
            "uncertain": uncertain,
            "reason": np.asarray(labelled.reasons, dtype=object),
            "source_party": np.asarray([s.party if s else None for s in sources], dtype=object),
            "source_start": np.asarray([s.start if s else None for s in sources], dtype=object),
            "source_end": np.asarray([s.end if s else None for s in sources], dtype=object),
        }
        for j, label in enumerate(labels):
            columns[f"p_{label}"] = np.round(labelled.proba[:, j], DECIMALS)
        if with_text:
            columns["text"] = np.asarray([s.text for s in flat], dtype=object)
        dominant_counts = None
    else:
        columns, dominant_counts = _article_columns(ids, owner, best, uncertain, labels)

    rows_out = len(next(iter(columns.values())))
    stats = {
        "rows_in": len(records),
        "articles": len(ids),
        "sentences": n,
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
