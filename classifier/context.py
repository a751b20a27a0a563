"""Attribution as features the model learns from, in the same pipeline as the words.

A model input is the sentence's text, or, for a scheme with actors, its context codes, then
``CONTEXT_SEP``, then the text (``with_context``). In the pipeline, ``TextOnly`` hands the text to
the word and character blocks, and ``ContextFeatures`` turns the codes into one-hot features:
who speaks (their party, named or inherited, with the cue's kind), whether the sentence is
quoted, and who spoke in the sentence before. Logistic regression weighs them like any term, so
"attribution alone is neutral" stays learnable, and evidence shows them like terms.

This module is in ``classifier`` because pickled pipelines refer to it by module path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, clone

from .actors import ActorIndex
from .attribution import Context, attribute

CONTEXT_SEP = "\x1d"


def context_codes(context: Context) -> list[str]:
    """The readable feature names of one sentence's context."""
    codes = []
    source = context.source
    if source is not None:
        party = source.party or "other"
        how = "inherited" if source.inherited else "named"
        codes += [f"source={party}", f"source={party}, {how}"]
        if context.cue:
            codes.append(f"source={party}, {context.cue}")
    elif context.cue:
        codes.append(f"cue={context.cue}")
    if context.quote:
        codes.append(f"quote={context.quote}")
        if source is not None:
            codes.append(f"quote={context.quote}, source={source.party or 'other'}")
    if context.previous:
        codes.append(f"previous={context.previous}")
    if context.recent:
        codes.append(f"recent={context.recent}")
    if context.voice:
        codes.append(f"voice={context.voice}")
        if source is None:
            codes.append(f"voice={context.voice}, unattributed")
    if context.outlet:
        codes.append(f"outlet={context.outlet}")
        if source is None:
            codes.append(f"outlet={context.outlet}, own voice")
    return codes


def inputs_for(
    articles: Sequence[Sequence[Any]], texts: Sequence[str], actors: ActorIndex | None
) -> tuple[list[str], list[Context | None]]:
    """Model inputs for the sentences of ``articles`` (their ``texts``, flattened in order and
    already carrying any target) and the attribution found for each; ``actors`` None: none."""
    if actors is None:
        return list(texts), [None] * len(texts)
    contexts: list[Context | None] = []
    for sentences in articles:
        contexts += attribute(sentences, actors)
    return [with_context(t, c) for t, c in zip(texts, contexts, strict=True)], contexts


def with_context(text: str, context: Context | None) -> str:
    """The model input for ``text`` with what attribution found about it."""
    if context is None:
        return text
    return "\t".join(context_codes(context)) + CONTEXT_SEP + text


def split_context(item: str) -> tuple[list[str], str]:
    codes, sep, text = item.partition(CONTEXT_SEP)
    if not sep:
        return [], item
    return (codes.split("\t") if codes else []), text


def texts_of(items: Iterable[str]) -> list[str]:
    """The texts of model inputs, without their context codes."""
    return [item.partition(CONTEXT_SEP)[2] or item for item in items]


def _check(X: object) -> None:
    if isinstance(X, str):
        raise ValueError("expected a list of texts, got one string")


class TextOnly(TransformerMixin, BaseEstimator):
    """Hand the texts of the inputs, without their context codes, to a text vectoriser.

    Parameters
    ----------
    vectorizer
        An unfitted transformer of texts (a ``TfidfVectorizer`` or a ``TargetInteraction``).
    """

    def __init__(self, *, vectorizer: BaseEstimator) -> None:
        self.vectorizer = vectorizer

    def fit(self, X: Sequence[str], y: object = None) -> TextOnly:
        _check(X)
        self.vectorizer_ = clone(self.vectorizer).fit(texts_of(X))
        return self

    def transform(self, X: Sequence[str]) -> sparse.csr_matrix:
        _check(X)
        return self.vectorizer_.transform(texts_of(X))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        return np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)


class ContextFeatures(TransformerMixin, BaseEstimator):
    """One feature per context code seen in training, valued ``weight`` when present.

    Parameters
    ----------
    weight
        The value of a present code; with TF-IDF rows of unit length, 1.0 makes a code count
        about as much as a sentence's strongest words.
    """

    def __init__(self, *, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, X: Sequence[str], y: object = None) -> ContextFeatures:
        _check(X)
        codes = sorted({c for item in X for c in split_context(item)[0]})
        self.vocabulary_ = {c: i for i, c in enumerate(codes)}
        return self

    def transform(self, X: Sequence[str]) -> sparse.csr_matrix:
        _check(X)
        lookup = self.vocabulary_.get
        rows, cols = [], []
        for row, item in enumerate(X):
            for code in split_context(item)[0]:
                col = lookup(code)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
        data = np.full(len(rows), self.weight, dtype=np.float32)
        return sparse.csr_matrix(
            (data, (rows, cols)), shape=(len(X), len(self.vocabulary_)), dtype=np.float32
        )

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        return np.asarray(list(self.vocabulary_), dtype=object)
