"""Stance toward a target: one linear model that learns shared and per-target weights.

Each input is the sentence, or ``target + SEP + sentence`` when the sentence is about a target.
``TargetInteraction`` gives every sentence the features of its text, plus a copy of them in its
target's own block (Daumé's feature augmentation), so the classifier learns what signals stance
everywhere and what signals it for one target. A target never seen in training, or none, uses
the shared features only: the fallback.

This module is in ``classifier`` because pickled pipelines refer to it by module path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, clone

SEP = "\x1f"


def normalise_target(target: str | None) -> str | None:
    """Targets match without regard to case or surrounding space; empty means none."""
    return " ".join(target.lower().split()) or None if target else None


def with_target(text: str, target: str | None) -> str:
    """The model input for ``text`` about ``target`` (the text alone when there is none)."""
    target = normalise_target(target)
    return f"{target}{SEP}{text}" if target else text


def split_target(item: str) -> tuple[str | None, str]:
    target, sep, text = item.partition(SEP)
    return (target, text) if sep else (None, item)


class TargetInteraction(TransformerMixin, BaseEstimator):
    """Shared text features plus a per-target copy of them.

    Parameters
    ----------
    vectorizer
        An unfitted text vectoriser (a ``TfidfVectorizer``); it is fitted on the texts alone.
    """

    def __init__(self, *, vectorizer: BaseEstimator) -> None:
        self.vectorizer = vectorizer

    def fit(self, X: Iterable[str], y: object = None) -> TargetInteraction:
        targets, texts = self._split(X)
        self.vectorizer_ = clone(self.vectorizer).fit(texts)
        self.targets_ = sorted({t for t in targets if t})
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        targets, texts = self._split(X)
        shared = sparse.csr_matrix(self.vectorizer_.transform(texts))
        width = shared.shape[1]
        index = {t: i + 1 for i, t in enumerate(self.targets_)}
        block = np.array([index.get(t, 0) if t else 0 for t in targets], dtype=np.int64)
        lengths = np.diff(shared.indptr)
        has_copy = np.repeat(block > 0, lengths)
        copy_cols = (shared.indices + np.repeat(block * width, lengths))[has_copy]
        copy_rows = np.repeat(np.arange(shared.shape[0]), lengths)[has_copy]
        copies = sparse.csr_matrix(
            (shared.data[has_copy], (copy_rows, copy_cols)),
            shape=(shared.shape[0], width * (len(self.targets_) + 1)),
        )
        padded = sparse.hstack(
            [shared, sparse.csr_matrix((shared.shape[0], width * len(self.targets_)))]
        )
        return sparse.csr_matrix(padded + copies)

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        names = np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)
        blocks = [names] + [
            np.array([f"{t}: {n}" for n in names], dtype=object) for t in self.targets_
        ]
        return np.concatenate(blocks)

    @staticmethod
    def _split(X: Iterable[str]) -> tuple[list[str | None], list[str]]:
        if isinstance(X, str):
            raise ValueError("expected a list of texts, got one string")
        pairs = [split_target(x) for x in X]
        return [p[0] for p in pairs], [p[1] for p in pairs]
