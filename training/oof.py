"""Out-of-fold probabilities of many configs by grouped cross-validation."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from tqdm import tqdm

from .evaluate import cv_splits
from .fit import FitConfig, build_pipeline


def oof_proba(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    configs: Sequence[FitConfig],
    *,
    n_jobs: int | None = None,
    progress: bool = False,
    desc: str = "model search",
) -> tuple[list[np.ndarray], list[str], bool, int]:
    """Out-of-fold probabilities of every config; ``progress`` shows a bar of fits on stderr.

    Configs that differ only in the classifier's settings share their features, so each fold
    fits the TF-IDF step once per feature set and every classifier on top of it; the
    (feature set, fold) pairs run in parallel.
    """
    splits, grouped = cv_splits(labels, groups)
    x, y = np.asarray(texts, dtype=object), np.asarray(labels)
    classes = sorted(set(labels))
    families: dict[tuple, list[int]] = {}
    for i, config in enumerate(configs):
        families.setdefault(_feature_key(config), []).append(i)

    def fit_fold(members: list[int], train: np.ndarray, test: np.ndarray) -> list[np.ndarray]:
        features = build_pipeline(configs[members[0]])[:-1]
        x_train = features.fit_transform(list(x[train]))
        x_test = features.transform(list(x[test]))
        return [
            clone(build_pipeline(configs[i])[-1]).fit(x_train, y[train]).predict_proba(x_test)
            for i in members
        ]

    jobs = [(members, tr, te) for members in families.values() for tr, te in splits]
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(fit_fold)(m, tr, te) for m, tr, te in jobs
    )
    out = [np.zeros((len(y), len(classes))) for _ in configs]
    # One fit is one pipeline on one fold; the bar moves as each (features, fold) job returns.
    with tqdm(
        total=len(configs) * len(splits),
        desc=desc,
        unit="fit",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
        leave=True,
    ) as bar:
        for (members, _, test), probas in zip(jobs, results, strict=True):
            for i, proba in zip(members, probas, strict=True):
                out[i][test] = proba
            bar.update(len(members))
    return out, classes, grouped, len(splits)


def _feature_key(config: FitConfig) -> tuple:
    """Everything that shapes the features, not the classifier."""
    return (
        config.word_ngrams,
        config.char_ngrams,
        config.min_df,
        config.max_features,
        config.targeted,
        config.context,
        config.context_weight,
    )
