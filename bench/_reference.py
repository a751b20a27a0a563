"""The reference bench/accuracy.py measures framelens against: a tuned TF-IDF + logistic regression.

Word 1-2-grams and character 2-5-grams (``char_wb``), both sublinear TF and ``min_df=2``, in one
FeatureUnion, then ``LogisticRegression(class_weight="balanced", max_iter=2000)`` with C chosen
from ``C_GRID`` by stratified 5-fold cross-validation (macro-F1) on the training rows only. For
data with a ``target`` column (stance), one such model per target, as in SemEval-2016 task 6.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

SEED = 0
C_GRID = (0.3, 1.0, 3.0, 10.0)
N_SPLITS = 5


def reference_pipeline() -> Pipeline:
    """The reference's features and classifier, before C is chosen."""
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    classifier = LogisticRegression(class_weight="balanced", max_iter=2000)
    return Pipeline([("features", features), ("clf", classifier)])


@dataclass
class Fitted:
    """One fitted reference (or, for a single-label group, that label) and the C it chose."""

    model: Any
    classes: list[str]
    C: float | None

    def proba(self, texts: Sequence[str], classes: Sequence[str]) -> np.ndarray:
        """Probabilities with columns in ``classes`` order (0 for a class it never saw)."""
        out = np.zeros((len(texts), len(classes)))
        if not len(texts):
            return out
        mine = (
            self.model.predict_proba(list(texts))
            if self.model is not None
            else np.ones((len(texts), 1))
        )
        for j, label in enumerate(self.classes):
            out[:, list(classes).index(label)] = mine[:, j]
        return out


def fit_reference(texts: Sequence[str], labels: Sequence[str], n_jobs: int = 1) -> Fitted:
    """The reference fitted on ``texts``, C chosen by stratified CV on them alone."""
    y = np.asarray(labels)
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) == 1:
        return Fitted(None, [str(classes[0])], None)
    splits = max(2, min(N_SPLITS, int(counts.min())))
    search = GridSearchCV(
        reference_pipeline(),
        {"clf__C": list(C_GRID)},
        scoring="f1_macro",
        cv=StratifiedKFold(n_splits=splits, shuffle=True, random_state=SEED),
        n_jobs=n_jobs,
    )
    search.fit(list(texts), y)
    best = search.best_estimator_
    return Fitted(best, [str(c) for c in best.classes_], float(search.best_params_["clf__C"]))


@dataclass
class Reference:
    """The reference fitted on a training file: one model, or one per target."""

    overall: Fitted | None
    per_target: dict[str, Fitted]
    fallback_rows: pd.DataFrame | None = None

    @property
    def chosen(self) -> list[float | None]:
        """The C each fitted model chose."""
        fitted = [self.overall] if self.overall else list(self.per_target.values())
        return [f.C for f in fitted]

    def proba(self, test: pd.DataFrame, classes: Sequence[str]) -> np.ndarray:
        """``test``'s probabilities in ``classes`` order. A test target absent from training is
        scored by one model fitted, on first need, on every training row."""
        if self.overall is not None and not self.per_target:
            return self.overall.proba(test["text"].tolist(), classes)
        out = np.zeros((len(test), len(classes)))
        for target, rows in test.groupby("target", sort=True):
            fitted = self.per_target.get(str(target))
            if fitted is None:
                if self.overall is None:
                    rows_all = self.fallback_rows
                    assert rows_all is not None
                    self.overall = fit_reference(
                        rows_all["text"].tolist(), rows_all["label"].tolist()
                    )
                fitted = self.overall
            mask = (test["target"] == target).to_numpy()
            out[mask] = fitted.proba(rows["text"].tolist(), classes)
        return out


def fit(train: pd.DataFrame, n_jobs: int = 1) -> Reference:
    """Fit on ``train`` (columns text, label and maybe target): with a ``target`` column, one
    model per target, as SemEval-2016 task 6 baselines are."""
    if "target" not in train.columns:
        return Reference(fit_reference(train["text"].tolist(), train["label"].tolist(), n_jobs), {})
    per_target = {
        str(target): fit_reference(rows["text"].tolist(), rows["label"].tolist(), n_jobs)
        for target, rows in train.groupby("target", sort=True)
    }
    return Reference(None, per_target, train)
