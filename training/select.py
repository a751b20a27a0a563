"""Model selection and calibration, all from grouped cross-validation on the training data.

* ``select`` scores a small grid of pipelines and keeps the cheapest of the best by macro-F1;
  on large data the grid is scored on a sample of whole articles, then the chosen pipeline is
  cross-validated on all rows, so training time stays bounded.
* ``fit_temperature`` finds the one number T that makes the out-of-fold probabilities honest;
  dividing a logistic regression's coefficients and intercept by T applies it exactly.
* ``choose_target_mode``: for data with targets, whether one augmented model, one model per
  target or a model that ignores the target labels best, by the same cross-validation.
* ``choose_threshold`` picks the confidence under which a label was wrong at least as often as
  right in cross-validation: those sentences are marked uncertain.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from sklearn.base import clone
from tqdm import tqdm

from .evaluate import cv_splits
from .fit import SEED, TARGET_MODES, FitConfig, build_pipeline

log = logging.getLogger(__name__)

# Cheapest first. Word n-grams carry framing (best on our corpus); character n-grams add 1.5-3
# points of macro-F1 on sentence-level media bias (BABE, measured by CV on its train split) but
# cost 3-5x the prediction time, so they win only when they are clearly better.
GRID = (
    {"word_ngrams": (1, 2), "C": 3.0},
    {"word_ngrams": (1, 2), "C": 10.0},
    {"word_ngrams": (1, 3), "C": 10.0},
    {"word_ngrams": (1, 3), "C": 30.0},
    {"word_ngrams": (1, 2), "char_ngrams": (3, 5), "C": 3.0},
    {"word_ngrams": (1, 2), "char_ngrams": (3, 5), "C": 10.0},
)
# A pricier config must beat the cheapest good one by more than this.
MARGIN = 0.003
# Above this many rows the grid is scored on a sample of whole articles.
SEARCH_ROWS = 8000


def candidate_configs(base: FitConfig | None = None) -> list[FitConfig]:
    base = base or FitConfig()
    return [replace(base, **settings) for settings in GRID]


def search_sample(
    labels: Sequence[str], groups: Sequence[str] | None, limit: int = SEARCH_ROWS
) -> np.ndarray:
    """Indices of at most about ``limit`` rows, whole articles at a time, chosen at random."""
    n = len(labels)
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(SEED)
    if groups is None or len(set(groups)) == n:
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(
            np.arange(n), train_size=limit, stratify=np.asarray(labels), random_state=SEED
        )
        return np.sort(keep)
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    chosen: list[int] = []
    for g in rng.permutation(list(members)):
        if len(chosen) >= limit:
            break
        chosen.extend(members[g])
    return np.sort(np.array(chosen))


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
        config.target_mode,
        config.context,
        config.context_weight,
    )


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
    progress: bool = False,
    favg_labels: Sequence[str] = (),
    choose_target: bool = True,
) -> dict[str, Any]:
    """Score the candidates by grouped CV; return the chosen config and its calibrated OOF output.

    ``progress`` shows a bar on stderr: fits done of the total (pipelines times folds), ETA.

    The chosen config is the cheapest (earliest) whose macro-F1 is within ``MARGIN`` of the best.
    For inputs with targets and ``choose_target``, ``choose_target_mode`` then picks how it uses
    the target, by F_avg over ``favg_labels`` (the scheme's) for stance labels.
    """
    configs = list(configs or candidate_configs())
    rows = search_sample(labels, groups)
    sample = len(rows) < len(labels)
    pick = (lambda seq: [seq[i] for i in rows]) if sample else list
    probas, classes, grouped, folds = oof_proba(
        pick(texts),
        pick(labels),
        pick(groups) if groups is not None else None,
        configs,
        n_jobs=n_jobs,
        progress=progress,
    )
    scores = [macro_f1(p, pick(labels), classes) for p in probas]
    best = next(i for i, s in enumerate(scores) if s >= max(scores) - MARGIN)
    config, proba, target_modes = configs[best], probas[best], None
    if config.targeted and choose_target:
        config, proba, target_modes = choose_target_mode(
            pick(texts),
            pick(labels),
            pick(groups) if groups is not None else None,
            config,
            proba,
            classes,
            favg_labels=favg_labels,
            n_jobs=n_jobs,
            progress=progress,
        )
    if sample:
        log.info(
            "searched on %d of %d rows; cross-validating the choice on all", len(rows), len(labels)
        )
        (proba,), classes, grouped, folds = oof_proba(
            texts,
            labels,
            groups,
            [config],
            n_jobs=n_jobs,
            progress=progress,
            desc="cross-validating the choice",
        )
    truth = np.array([classes.index(label) for label in labels])
    temperature = fit_temperature(proba, truth)
    log.info("selected %s (CV macro-F1 %.4f), temperature %.3f", config, scores[best], temperature)
    return {
        "config": config,
        "target_modes": target_modes,
        "proba": apply_temperature(proba, temperature),
        "classes": classes,
        "temperature": temperature,
        "grouped": grouped,
        "folds": folds,
        "search_rows": len(rows),
        "search": [
            {"config": c.to_dict(), "cv_macro_f1": round(s, 4)}
            for c, s in zip(configs, scores, strict=True)
        ],
    }


def choose_target_mode(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    config: FitConfig,
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    favg_labels: Sequence[str] = (),
    n_jobs: int | None = None,
    progress: bool = False,
) -> tuple[FitConfig, np.ndarray, dict[str, Any]]:
    """How ``config`` (already scored: its out-of-fold ``proba``) should use the inputs' target.

    Cross-validates the other target modes on the same folds and keeps the first of
    ``TARGET_MODES`` (augmented, separate, ignore) within ``MARGIN`` of the best score: F_avg,
    the mean F1 of ``favg_labels`` (or of the favor and against labels found), when the labels
    hold them, else macro-F1. Returns the config, its out-of-fold probabilities and what the
    manifest records: the chosen mode, the metric, every mode's score and why.
    """
    others = [replace(config, target_mode=m) for m in TARGET_MODES if m != config.target_mode]
    found, _, _, _ = oof_proba(
        texts, labels, groups, others, n_jobs=n_jobs, progress=progress, desc="target modes"
    )
    candidates = {
        config.target_mode: proba,
        **{c.target_mode: p for c, p in zip(others, found, strict=True)},
    }
    favg = stance_labels(classes, favg_labels)
    metric = "f_avg" if favg else "macro_f1"
    scores = {m: round(score_of(candidates[m], labels, classes, favg), 4) for m in TARGET_MODES}
    top = max(scores.values())
    chosen = next(m for m in TARGET_MODES if scores[m] >= top - MARGIN)
    shown = ", ".join(f"{m} {s:.4f}" for m, s in scores.items())
    best = max(scores, key=lambda m: scores[m])
    why = (
        f"the best CV {metric}"
        if scores[chosen] == top
        else f"within {MARGIN} of the best CV {metric} ({best}), and is tried before it"
    )
    reason = f"{chosen} scored {why} ({shown})"
    log.info("target mode %s", reason)
    record = {"chosen": chosen, "metric": metric, "scores": scores, "reason": reason}
    if favg:
        record["f_avg_labels"] = favg
    return replace(config, target_mode=chosen), candidates[chosen], record


def stance_labels(classes: Sequence[str], favg_labels: Sequence[str] = ()) -> list[str]:
    """The labels F_avg averages: the scheme's ``favg_labels`` if all are among ``classes``,
    else the favor and against labels found (none unless both are)."""
    if favg_labels:
        return list(favg_labels) if set(favg_labels) <= set(classes) else []
    found = [c for c in classes if c in ("against", "favor", "favour")]
    return found if "against" in found and len(found) > 1 else []


def score_of(
    proba: np.ndarray, labels: Sequence[str], classes: Sequence[str], favg: Sequence[str] = ()
) -> float:
    """F_avg over the labels ``favg`` when given, else macro-F1, of the top label of ``proba``."""
    if not favg:
        return macro_f1(proba, labels, classes)
    from sklearn.metrics import f1_score

    predicted = np.asarray(classes)[proba.argmax(axis=1)]
    return float(f1_score(labels, predicted, labels=list(favg), average="macro", zero_division=0))
