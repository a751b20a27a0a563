"""Model selection and calibration, all from grouped cross-validation on the training data.

* ``select`` scores a small grid of pipelines and keeps the cheapest of the best by macro-F1;
  on large data the grid is scored on a sample of whole articles and the choice cross-validated
  on all rows in fewer folds, so training time stays bounded; above ``CHAR_BLOCK_CHARS`` of
  text only word configs are searched (``affordable``).
* ``fit_temperature`` finds the one number T that makes the out-of-fold probabilities honest;
  dividing a logistic regression's coefficients and intercept by T applies it exactly.
* ``choose_target_mode``: for data with targets, whether one augmented model, one model per
  target or a model that ignores the target labels best, by the same cross-validation.
* ``choose_threshold`` picks the confidence under which a label was wrong at least as often as
  right in cross-validation: those sentences are marked uncertain.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from .fit import SEED, TARGET_MODES, FitConfig
from .oof import oof_proba, oof_proba_and_fit

log = logging.getLogger(__name__)

# Word n-grams carry framing (best on our corpus); character n-grams add 1.5-3 points of macro-F1
# on sentence-level media bias (BABE, measured by CV on its train split) but cost 3-5x the
# prediction time, so they win only when they are clearly better. The second family is the plain
# reference baseline (word 1-2 + char_wb 2-5, min_df 2, C 0.1-30): the search must hold it.
GRID = (
    {"word_ngrams": (1, 2), "C": 3.0},
    {"word_ngrams": (1, 2), "C": 10.0},
    {"word_ngrams": (1, 3), "C": 10.0},
    {"word_ngrams": (1, 3), "C": 30.0},
    {"word_ngrams": (1, 2), "char_ngrams": (3, 5), "C": 3.0},
    {"word_ngrams": (1, 2), "char_ngrams": (3, 5), "C": 10.0},
    {"word_ngrams": (1, 2), "min_df": 2, "C": 0.3},
    {"word_ngrams": (1, 2), "min_df": 2, "C": 1.0},
    *(
        {"word_ngrams": (1, 2), "char_ngrams": (2, 5), "min_df": 2, "C": c}
        for c in (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
    ),
)
# How far below the best CV macro-F1 a cheaper config may score and still be chosen, by what the
# user prefers: ``accuracy`` takes the best, ``speed`` trades up to a point for a cheaper model.
MARGINS = {"accuracy": 0.0, "balanced": 0.003, "speed": 0.01}
MARGIN = MARGINS["balanced"]
# The grid is scored on a sample of whole articles above this many rows or characters of text
# (long articles count by their size); the choice is then cross-validated on all rows, in
# CHOICE_FOLDS folds (each fold's fit is of the large data).
SEARCH_ROWS = 8000
SEARCH_CHARS = 2_000_000
CHOICE_FOLDS = 3
# Above CHAR_BLOCK_CHARS the choice is cross-validated in 2 folds: with the final fit beside them
# that is two cores' work of one fit on all rows, where 3 folds would be half as much again.
LARGE_CHOICE_FOLDS = 2
# Character n-grams cost about four times the word block to vectorise (2 µs a character against
# 0.5 on 2020s server cores): above this much text the choice's cross-validation and final fit
# of a character config would take far longer than the search itself, so only word configs are
# candidates, and the search sample may hold four times the text for the same cost.
CHAR_BLOCK_CHARS = 40_000_000
WORD_SEARCH_CHARS = 4 * SEARCH_CHARS
# Relative prediction cost of one n-gram order: character n-grams are 3-5x dearer than words.
WORD_ORDER_COST = 1.0
CHAR_ORDER_COST = 3.0


def candidate_configs(base: FitConfig | None = None) -> list[FitConfig]:
    """The grid's configs on top of ``base`` (which fixes targets and context)."""
    base = base or FitConfig()
    return [replace(base, **settings) for settings in GRID]


def cost(config: FitConfig) -> float:
    """An estimate of a config's prediction cost: one unit per word n-gram order, three per
    character n-gram order (plus a little for who speaks). Only the order of costs matters."""
    lo, hi = config.word_ngrams
    total = WORD_ORDER_COST * (hi - lo + 1)
    if config.char_ngrams is not None:
        total += CHAR_ORDER_COST * (config.char_ngrams[1] - config.char_ngrams[0] + 1)
    return total + (0.5 if config.context else 0.0)


def choose(scores: Sequence[float], costs: Sequence[float], margin: float) -> int:
    """The index of the cheapest candidate scoring within ``margin`` of the best.

    Among equally cheap candidates the higher score wins, then the earlier one.
    """
    if not scores or len(scores) != len(costs):
        raise ValueError("choose needs one cost per score and at least one candidate")
    if margin < 0:
        raise ValueError(f"margin must be at least 0, got {margin}")
    floor = max(scores) - margin - 1e-12
    near = [i for i, s in enumerate(scores) if s >= floor]
    return min(near, key=lambda i: (costs[i], -scores[i], i))


def affordable(
    configs: Sequence[FitConfig], total_chars: int, limit: int = CHAR_BLOCK_CHARS
) -> tuple[list[FitConfig], list[FitConfig]]:
    """The configs to search on ``total_chars`` of text, and those left out: above ``limit``
    characters, the character n-gram configs, as long as a word config remains."""
    words = [c for c in configs if c.char_ngrams is None]
    if total_chars <= limit or not words or len(words) == len(configs):
        return list(configs), []
    return words, [c for c in configs if c.char_ngrams is not None]


def choice_folds(total_chars: int) -> int:
    """Folds for cross-validating the choice on all rows, by the data's size in characters."""
    return LARGE_CHOICE_FOLDS if total_chars > CHAR_BLOCK_CHARS else CHOICE_FOLDS


def margin_for(prefer: str) -> float:
    """The margin of ``prefer`` (one of ``MARGINS``); a clear error otherwise."""
    if prefer not in MARGINS:
        raise ValueError(f"prefer must be one of {', '.join(MARGINS)}, got {prefer!r}")
    return MARGINS[prefer]


def search_sample(
    labels: Sequence[str],
    groups: Sequence[str] | None,
    limit: int = SEARCH_ROWS,
    *,
    sizes: Sequence[int] | None = None,
    char_limit: int = SEARCH_CHARS,
) -> np.ndarray:
    """Indices of a random sample of whole articles: at most about ``limit`` rows and, when the
    rows' ``sizes`` (characters) are given, about ``char_limit`` characters."""
    n = len(labels)
    total = int(sum(sizes)) if sizes is not None else 0
    if n <= limit and total <= char_limit:
        return np.arange(n)
    rng = np.random.default_rng(SEED)
    if groups is None or len(set(groups)) == n:
        from sklearn.model_selection import train_test_split

        keep_n = limit if total <= char_limit else min(limit, int(n * char_limit / total))
        keep, _ = train_test_split(
            np.arange(n),
            train_size=max(keep_n, 2 * len(set(labels))),
            stratify=np.asarray(labels),
            random_state=SEED,
        )
        return np.sort(keep)
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    chosen: list[int] = []
    chars = 0
    for g in rng.permutation(list(members)):
        if len(chosen) >= limit or (sizes is not None and chars >= char_limit):
            break
        chosen.extend(members[g])
        if sizes is not None:
            chars += sum(sizes[i] for i in members[g])
    return np.sort(np.array(chosen))


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
    prefer: str = "balanced",
    n_jobs: int | None = None,
    progress: bool = False,
    favg_labels: Sequence[str] = (),
    choose_target: bool = True,
) -> dict[str, Any]:
    """Score the candidates by grouped CV; return the chosen config and its calibrated OOF output.

    ``progress`` shows a bar on stderr: fits done of the total (pipelines times folds), ETA.

    The chosen config is the cheapest (by ``cost``) whose macro-F1 is within the margin of
    ``prefer`` (``MARGINS``) of the best. On large data the candidates are scored on a sample of
    whole articles (``search_sample``), and the choice is then cross-validated on all rows in
    ``choice_folds`` folds (its scores and calibration) while the final model is fitted on all
    beside them: the result's ``pipeline`` (uncalibrated; None when nothing was sampled).
    Above ``CHAR_BLOCK_CHARS`` characters of text the character n-gram candidates are left out
    (``affordable``; the result's ``left_out`` lists them).
    For inputs with targets and ``choose_target``, ``choose_target_mode`` then picks how the
    chosen config uses the target, by F_avg over ``favg_labels`` (the scheme's) for stance labels.
    """
    margin = margin_for(prefer)
    sizes = [len(t) for t in texts]
    total_chars = sum(sizes)
    configs, dropped = affordable(
        list(configs or candidate_configs()), total_chars, limit=CHAR_BLOCK_CHARS
    )
    if dropped:
        log.info(
            "%d characters of text (over %d): %d character n-gram candidates left out, %d word "
            "candidates searched",
            total_chars,
            CHAR_BLOCK_CHARS,
            len(dropped),
            len(configs),
        )
    char_limit = SEARCH_CHARS if any(c.char_ngrams for c in configs) else WORD_SEARCH_CHARS
    rows = search_sample(labels, groups, sizes=sizes, char_limit=char_limit)
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
    costs = [cost(c) for c in configs]
    best = choose(scores, costs, margin)
    config, proba, target_modes = configs[best], probas[best], None
    fitted = None  # on large data, the final fit runs beside the choice's cross-validation
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
        n_splits = choice_folds(total_chars)
        log.info(
            "searched on %d of %d rows (whole articles); cross-validating the choice on all "
            "rows in %d folds while fitting it on all",
            len(rows),
            len(labels),
            n_splits,
        )
        proba, classes, grouped, folds, fitted = oof_proba_and_fit(
            texts, labels, groups, config, n_jobs=n_jobs, progress=progress, n_splits=n_splits
        )
    cv_f1 = macro_f1(proba, labels, classes)
    truth = np.array([classes.index(label) for label in labels])
    temperature = fit_temperature(proba, truth)
    log.info(
        "selected %s (search CV macro-F1 %.4f, CV macro-F1 %.4f), temperature %.3f",
        config,
        scores[best],
        cv_f1,
        temperature,
    )
    return {
        "config": config,
        "target_modes": target_modes,
        "proba": apply_temperature(proba, temperature),
        "classes": classes,
        "temperature": temperature,
        "grouped": grouped,
        "folds": folds,
        "search_rows": len(rows),
        "rows": len(labels),
        "sampled": sample,
        "prefer": prefer,
        "margin": margin,
        "chosen": best,
        "pipeline": fitted,
        "cv_macro_f1": round(cv_f1, 4),
        "chars": total_chars,
        "left_out": [c.to_dict() for c in dropped],
        "search": [
            {
                "config": c.to_dict(),
                "cost": k,
                "search_cv_macro_f1": round(s, 4),
                "chosen": i == best,
            }
            for i, (c, k, s) in enumerate(zip(configs, costs, scores, strict=True))
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
