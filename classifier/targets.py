"""Stance toward a target: three ways to use it, chosen by cross-validation (``FitConfig``).

Each input is the sentence, or ``target + SEP + sentence`` when the sentence is about a target.

* augmented: ``TargetInteraction`` gives every sentence the features of its text, plus a copy of
  them in its target's own block (Daumé's feature augmentation), so one classifier learns what
  signals stance everywhere and what signals it for one target. A target never seen in training,
  or none, uses the shared features only: the fallback.
* separate: the same features, with the row's target number in front (``route=True``), and
  ``PerTargetLogisticRegression``: one logistic regression per target, the augmented one as the
  fallback.
* ignore: ``WithoutTarget`` hands the text alone to the vectoriser.

This module is in ``classifier`` because pickled pipelines refer to it by module path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression

SEP = "\x1f"
# The name of the target-number column; a space, so it is never taken for a known word.
ROUTE_FEATURE = "(target number)"


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
    route
        Put each row's target number (1 for the first of ``targets_``, 0 for none or one never
        seen) in a first column, for ``PerTargetLogisticRegression`` to route rows by.
    """

    def __init__(self, *, vectorizer: BaseEstimator, route: bool = False) -> None:
        self.vectorizer = vectorizer
        self.route = route

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
        out = sparse.csr_matrix(padded + copies)
        if not getattr(self, "route", False):  # models saved before ``route`` have none
            return out
        number = sparse.csr_matrix(block.astype(out.dtype).reshape(-1, 1))
        return sparse.csr_matrix(sparse.hstack([number, out]))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        names = np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)
        blocks = [names] + [
            np.array([f"{t}: {n}" for n in names], dtype=object) for t in self.targets_
        ]
        if getattr(self, "route", False):
            blocks.insert(0, np.array([ROUTE_FEATURE], dtype=object))
        return np.concatenate(blocks)

    @staticmethod
    def _split(X: Iterable[str]) -> tuple[list[str | None], list[str]]:
        if isinstance(X, str):
            raise ValueError("expected a list of texts, got one string")
        pairs = [split_target(x) for x in X]
        return [p[0] for p in pairs], [p[1] for p in pairs]


class WithoutTarget(TransformerMixin, BaseEstimator):
    """Hand the texts of the inputs, without their targets, to a text vectoriser.

    Parameters
    ----------
    vectorizer
        An unfitted transformer of texts (a ``TfidfVectorizer``).
    """

    def __init__(self, *, vectorizer: BaseEstimator) -> None:
        self.vectorizer = vectorizer

    def fit(self, X: Iterable[str], y: object = None) -> WithoutTarget:
        self.vectorizer_ = clone(self.vectorizer).fit(texts_without_target(X))
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        return self.vectorizer_.transform(texts_without_target(X))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        return np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)


def texts_without_target(X: Iterable[str]) -> list[str]:
    """The texts of model inputs, without their targets."""
    if isinstance(X, str):
        raise ValueError("expected a list of texts, got one string")
    return [split_target(x)[1] for x in X]


class PerTargetLogisticRegression(ClassifierMixin, BaseEstimator):
    """One logistic regression per target, and a shared one for the rest.

    ``X``'s first column is each row's target number, as ``TargetInteraction(route=True)`` puts
    it (0: no target, or one never seen); the other columns are its features. Each target's model
    is fitted on that target's rows and the columns they use (the shared block and the target's
    own); the shared model, fitted on all rows and columns, is the augmented model: it labels the
    rows of a target never seen, of no target, and of a target whose training rows hold only one
    label. The other parameters are ``LogisticRegression``'s.
    """

    def __init__(
        self,
        *,
        C: float = 1.0,
        class_weight: str | None = None,
        max_iter: int = 100,
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X: sparse.spmatrix, y: Sequence[str]) -> PerTargetLogisticRegression:
        numbers, features = _routed(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        self.shared_ = self._logistic().fit(features, y)
        self.targets_: list[int] = []
        self.columns_: list[np.ndarray] = []
        self.estimators_: list[LogisticRegression] = []
        for number in np.unique(numbers[numbers > 0]).tolist():
            rows = numbers == number
            own = features[rows]
            columns = np.unique(own.indices)
            if len(np.unique(y[rows])) < 2 or not columns.size:
                continue
            self.targets_.append(int(number))
            self.columns_.append(columns)
            self.estimators_.append(self._logistic().fit(own[:, columns], y[rows]))
        return self

    def predict_proba(self, X: sparse.spmatrix) -> np.ndarray:
        """Probabilities in ``classes_`` order, each row from its target's model (0 for a label
        that target's training rows never had)."""
        numbers, features = _routed(X)
        out = np.zeros((features.shape[0], len(self.classes_)))
        which = self.route(numbers)
        shared = which < 0
        if shared.any():
            out[shared] = self.shared_.predict_proba(features[shared])
        for i, (columns, model) in enumerate(zip(self.columns_, self.estimators_, strict=True)):
            rows = which == i
            if rows.any():
                place = np.searchsorted(self.classes_, model.classes_)
                out[np.ix_(rows, place)] = model.predict_proba(features[rows][:, columns])
        return out

    def predict(self, X: sparse.spmatrix) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def route(self, numbers: np.ndarray) -> np.ndarray:
        """The model of each row, given its target number: an index of ``estimators_``, or -1
        for the shared model."""
        lookup = {number: i for i, number in enumerate(self.targets_)}
        return np.array([lookup.get(int(n), -1) for n in numbers], dtype=np.int64)

    @property
    def coef_(self) -> np.ndarray:
        """The shared model's coefficients, over all of ``X``'s columns (none for the first)."""
        coef = self.shared_.coef_
        return np.hstack([np.zeros((coef.shape[0], 1), dtype=coef.dtype), coef])

    @property
    def intercept_(self) -> np.ndarray:
        return self.shared_.intercept_

    def scale_logits(self, temperature: float) -> None:
        """Divide every model's coefficients and intercept by ``temperature`` (calibration)."""
        for model in [self.shared_, *self.estimators_]:
            model.coef_ = model.coef_ / temperature
            model.intercept_ = model.intercept_ / temperature

    def row_coef(self, X: sparse.spmatrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """For each (row, column of ``X``) pair, the column's weight for every label (one row per
        label of ``classes_``) in the model of that row: centred over the model's labels, or for
        a model of two labels, the log-odds of each against the other; 0 where the model has
        none. ``Model.evidence`` uses it as a plain model's ``coef_``."""
        numbers = np.asarray(X[:, 0].toarray()).ravel().astype(np.int64)
        which = self.route(numbers)[rows]
        out = np.zeros((len(self.classes_), len(rows)))
        feature = np.asarray(cols) - 1  # the first column is the target number
        models = [
            (-1, None, self.shared_),
            *zip(range(len(self.targets_)), self.columns_, self.estimators_, strict=True),
        ]
        for i, columns, model in models:
            pick = (which == i) & (feature >= 0)
            if not pick.any():
                continue
            wanted = feature[pick]
            if columns is None:
                local, found = wanted, np.ones(len(wanted), dtype=bool)
            else:
                local = np.minimum(np.searchsorted(columns, wanted), len(columns) - 1)
                found = columns[local] == wanted
            weights = _per_label(model.coef_)[:, local] * found
            place = np.searchsorted(self.classes_, model.classes_)
            out[np.ix_(place, np.flatnonzero(pick))] = weights
        return out

    def _logistic(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            random_state=self.random_state,
        )


def _routed(X: sparse.spmatrix) -> tuple[np.ndarray, sparse.csr_matrix]:
    """The target numbers in ``X``'s first column, and the other columns."""
    X = sparse.csr_matrix(X)
    if X.shape[1] < 2:
        raise ValueError(
            f"expected a target number column and features, got {X.shape[1]} column(s)"
        )
    first = np.asarray(X[:, 0].toarray()).ravel()
    numbers = np.rint(first).astype(np.int64)
    if (numbers < 0).any() or not np.allclose(first, numbers):
        bad = first[(numbers < 0) | ~np.isclose(first, numbers)][0]
        raise ValueError(
            f"the first column must hold target numbers (0, 1, 2, ...), found {bad}: build the "
            "features with TargetInteraction(route=True)"
        )
    return numbers, sparse.csr_matrix(X[:, 1:])


def _per_label(coef: np.ndarray) -> np.ndarray:
    """A logistic regression's weights, one row per label: for two labels, the log-odds of each
    against the other; for more, centred (adding one value to every label's logit changes
    nothing)."""
    coef = np.asarray(coef, dtype=np.float64)
    if coef.shape[0] == 1:
        return np.vstack([-coef[0], coef[0]])
    return coef - coef.mean(axis=0, keepdims=True)
