"""Annotate an article: split it, label every sentence, explain each label, sum up the mix.

The dict returned by ``annotate`` is the contract shared by ``framelens annotate --format json``
and ``POST /v1/annotate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import TextError
from .labelling import label_articles, summarise
from .model import Model
from .targets import with_target
from .text import Sentence

EVIDENCE_TERMS = 5


def annotate(
    model: Model,
    text: str,
    *,
    max_sentences: int | None = None,
    evidence_terms: int = EVIDENCE_TERMS,
    target: str | None = None,
) -> dict[str, Any]:
    """Label each sentence of ``text`` with the framing it carries (or its stance on ``target``).

    Raises
    ------
    TextError
        If the text holds no sentence, or more than ``max_sentences``.
    """
    if not isinstance(text, str):
        raise TextError(f"text must be a string, got {type(text).__name__}")
    sentences = model.splitter.split(text)
    if not sentences:
        raise TextError("the text holds no sentence to annotate: send the article's text")
    if max_sentences is not None and len(sentences) > max_sentences:
        raise TextError(
            f"the text has {len(sentences)} sentences, more than the limit of {max_sentences}; "
            "split the article or raise the limit"
        )
    result = {
        "model": model_info(model),
        **label_sentences(model, sentences, evidence_terms=evidence_terms, target=target),
    }
    if model.level == "article":
        result["summary"]["article"] = label_article(model, text, target=target)
    return result


def label_article(model: Model, text: str, *, target: str | None = None) -> dict[str, Any]:
    """An article-level model's label for the whole text, as it was trained to give one."""
    document = " ".join(text.split())
    proba = model.predict_proba([with_target(document, target) if model.uses_target else document])
    proba = model.scheme_proba(proba)
    best = int(proba[0].argmax())
    labels = model.scheme.label_ids
    return {
        "label": labels[best],
        "confidence": round(float(proba[0, best]), 4),
        "probabilities": {c: round(float(p), 4) for c, p in zip(labels, proba[0], strict=True)},
    }


def model_info(model: Model) -> dict[str, str]:
    return {
        "version": model.version,
        "scheme": model.scheme.name,
        "scheme_version": model.scheme.version,
    }


def label_sentences(
    model: Model,
    sentences: Sequence[Sentence],
    *,
    evidence_terms: int = EVIDENCE_TERMS,
    target: str | None = None,
) -> dict[str, Any]:
    """Sentence records and the article summary for the already split sentences of one article."""
    labelled = label_articles(model, [sentences], target=target)
    labels = labelled.labels
    evidence = model.evidence(labelled.features, labelled.best, evidence_terms)
    # Rounded and converted to Python values in bulk: per-value round() and float() calls
    # were a fifth of the service's time per request.
    rounded = np.round(labelled.proba, 4).tolist()
    confidence = np.round(labelled.confidence, 4).tolist()
    best = labelled.best.tolist()
    uncertain = labelled.uncertain.tolist()
    records = []
    for row, sentence in enumerate(sentences):
        context = labelled.contexts[row]
        source = context.reported if context is not None else None
        records.append(
            {
                "index": sentence.index,
                "start": sentence.start,
                "end": sentence.end,
                "text": sentence.text,
                "label": labels[best[row]],
                "confidence": confidence[row],
                "uncertain": uncertain[row],
                "reason": labelled.reasons[row],
                "probabilities": dict(zip(labels, rounded[row], strict=True)),
                "evidence": evidence[row],
                "source": source.as_dict() if source is not None else None,
            }
        )
    return {"sentences": records, "summary": summarise(labelled)}
