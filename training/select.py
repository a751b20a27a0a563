"""Model selection and calibration, all from grouped cross-validation on the training data.

* ``select_config`` scores a small grid of pipelines and keeps the best by macro-F1.
* ``fit_temperature`` finds the one number T that makes the out-of-fold probabilities honest;
  dividing a logistic regression's coefficients and intercept by T applies it exactly.
* ``choose_threshold`` picks the confidence under which a label was wrong at least as often as
  right in cross-validation: those sentences are marked uncertain.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from sklearn.base import clone

from .evaluate import cv_splits
from .fit import FitConfig, build_pipeline

log = logging.getLogger(__name__)

# Word n-grams carry framing; character n-grams cost 4-5x the prediction time for little gain
# on our corpus, so they are tried once, at the best C.
C_GRID = (3.0, 10.0, 30.0)
WORD_NGRAMS = ((1, 2), (1, 3))


def candidate_configs(base: FitConfig | None = None) -> list[FitConfig]:
    base = base or FitConfig()
    return [replace(base, C=c, word_ngrams=ng) for ng in WORD_NGRAMS for c in C_GRID]


def oof_proba(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    configs: Sequence[FitConfig],
    *,
    n_jobs: int | None = None,
) -> tuple[list[np.ndarray], list[str], bool, int]:
    """Out-of-fold probabilities of every config, all (config, fold) fits run in parallel."""
    splits, grouped = cv_splits(labels, groups)
    x, y = np.asarray(texts, dtype=object), np.asarray(labels)
    classes = sorted(set(labels))

    def fit_fold(config: FitConfig, train: np.ndarray, test: np.ndarray) -> np.ndarray:
        pipe = clone(build_pipeline(config)).fit(list(x[train]), list(y[train]))
        return pipe.predict_proba(list(x[test]))

    jobs = [(c, tr, te) for c in configs for tr, te in splits]
    results = Parallel(n_jobs=n_jobs)(delayed(fit_fold)(c, tr, te) for c, tr, te in jobs)
    out = []
    for i in range(len(configs)):
        proba = np.zeros((len(y), len(classes)))
        for (_, _, test), p in zip(
            jobs[i * len(splits) : (i + 1) * len(splits)],
            results[i * len(splits) : (i + 1) * len(splits)],
            strict=True,
        ):
            proba[test] = p
        out.append(proba)
    return out, classes, grouped, len(splits)


def macro_f1(proba: np.ndarray, labels: Sequence[str], classes: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    predicted = np.asarray(classes)[proba.argmax(axis=1)]
    return float(f1_score(labels, predicted, average="macro"))


def fit_temperature(proba: np.ndarray, truth: np.ndarray) -> float:
    """The temperature T minimising the log-loss of softmax(log(proba) / T)."""
    logp = np.log(np.clip(proba, 1e-12, 1.0))

    def nll(t: float) -> float:
        z = logp / t
        z -= z.max(axis=1, keepdims=True)
        logsoft = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logsoft[np.arange(len(truth)), truth].mean())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def apply_temperature(proba: np.ndarray, t: float) -> np.ndarray:
    z = np.log(np.clip(proba, 1e-12, 1.0)) / t
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def choose_threshold(proba: np.ndarray, truth: np.ndarray, default: float) -> float:
    """The highest confidence under which out-of-fold labels were right at most half the time."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    floor = 1.0 / proba.shape[1]
    chosen = None
    for t in np.round(np.arange(floor + 0.05, 0.951, 0.05), 2):
        below = confidence < t
        if below.sum() >= 10 and correct[below].mean() <= 0.5:
            chosen = float(t)
    return chosen if chosen is not None else default


def select(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    *,
    configs: Sequence[FitConfig] | None = None,
    n_jobs: int | None = None,
) -> dict[str, Any]:
    """Score the candidates by grouped CV; return the best config and its calibrated OOF output."""
    configs = list(configs or candidate_configs())
    probas, classes, grouped, folds = oof_proba(texts, labels, groups, configs, n_jobs=n_jobs)
    scores = [macro_f1(p, labels, classes) for p in probas]
    best = int(np.argmax(np.round(scores, 3)))  # ties go to the earlier, cheaper config
    truth = np.array([classes.index(label) for label in labels])
    temperature = fit_temperature(probas[best], truth)
    log.info(
        "selected %s (CV macro-F1 %.4f), temperature %.3f", configs[best], scores[best], temperature
    )
    return {
        "config": configs[best],
        "proba": apply_temperature(probas[best], temperature),
        "classes": classes,
        "temperature": temperature,
        "grouped": grouped,
        "folds": folds,
        "search": [
            {"config": c.to_dict(), "cv_macro_f1": round(s, 4)}
            for c, s in zip(configs, scores, strict=True)
        ],
    }
