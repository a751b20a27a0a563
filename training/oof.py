"""Out-of-fold probabilities of many configs by grouped cross-validation, each fold's work shared.

A config's features are a union of blocks (word, char, context); configs often share blocks (the
word block of word-only and word+char configs with the same word settings) and differ only in C.
So each fold fits every distinct block once, stacks the blocks of each feature set, and runs
every C on the same matrices, warm-starting each logistic regression from the one at the
previous (smaller) C. Configs that share no block run as separate jobs, heaviest first, so the
folds and feature families spread over the workers.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from joblib import hash as joblib_hash
from scipy import sparse
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from .evaluate import N_SPLITS, cv_splits
from .fit import FitConfig, build_pipeline, fit_pipeline

# What a block costs to fit, relative to a word block (character n-grams are several times dearer).
_BLOCK_WEIGHT = {"word": 1.0, "char": 4.0, "context": 0.2}


def oof_proba(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    configs: Sequence[FitConfig],
    *,
    n_jobs: int | None = None,
    progress: bool = False,
    desc: str = "model search",
    warm_start: bool = True,
    n_splits: int = N_SPLITS,
) -> tuple[list[np.ndarray], list[str], bool, int]:
    """Out-of-fold probabilities of every config, the classes, whether the folds are grouped by
    article, and the number of folds; ``progress`` shows a bar of fits on stderr.

    ``warm_start`` False fits every C from scratch (to check that warm starts change nothing).
    """
    out, classes, grouped, folds, _ = _cross_validate(
        texts, labels, groups, configs, None, n_jobs, progress, desc, warm_start, n_splits
    )
    return out, classes, grouped, folds


def oof_proba_and_fit(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    config: FitConfig,
    *,
    n_jobs: int | None = None,
    progress: bool = False,
    desc: str = "cross-validating the choice",
    n_splits: int = N_SPLITS,
) -> tuple[np.ndarray, list[str], bool, int, Pipeline]:
    """``config``'s out-of-fold probabilities as ``oof_proba`` gives them, and its pipeline
    fitted on all rows, the fit running as one more job beside the folds' (first, being the
    largest) so that no worker idles while the last fold runs."""
    out, classes, grouped, folds, fitted = _cross_validate(
        texts, labels, groups, [config], config, n_jobs, progress, desc, True, n_splits
    )
    assert fitted is not None
    return out[0], classes, grouped, folds, fitted


def _cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    configs: Sequence[FitConfig],
    final: FitConfig | None,
    n_jobs: int | None,
    progress: bool,
    desc: str,
    warm_start: bool,
    n_splits: int,
) -> tuple[list[np.ndarray], list[str], bool, int, Pipeline | None]:
    splits, grouped = cv_splits(labels, groups, n_splits)
    x, y = np.asarray(texts, dtype=object), np.asarray(labels)
    classes = sorted(set(labels))
    plans = [_plan(c) for c in configs]
    families = sorted(_families(plans), key=lambda f: -_weight(f, plans))
    jobs = [(members, tr, te) for members in families for tr, te in splits]
    tasks = [
        delayed(_fit_fold)([plans[i] for i in m], x, y, tr, te, warm_start) for m, tr, te in jobs
    ]
    if final is not None:
        tasks.insert(0, delayed(fit_pipeline)(texts, labels, final))
    results = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    fitted = next(results) if final is not None else None
    out = [np.zeros((len(y), len(classes))) for _ in configs]
    # One fit is one config on one fold; the bar moves as each (family, fold) job returns.
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
    return out, classes, grouped, len(splits), fitted


# A config as its feature blocks, each keyed by its name and settings, and its classifier.
_Block = tuple[tuple[str, str], Any]
_Plan = tuple[list[_Block], Any]


def _plan(config: FitConfig) -> _Plan:
    pipeline = build_pipeline(config)
    blocks = [((name, joblib_hash(step)), step) for name, step in pipeline[0].transformer_list]
    return blocks, pipeline[-1]


def _families(plans: Sequence[_Plan]) -> list[list[int]]:
    """Indices of the configs grouped so that configs sharing any block are in one group."""
    parent = list(range(len(plans)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for i, (blocks, _) in enumerate(plans):
        for key, _step in blocks:
            j = owner.setdefault(key, i)
            parent[root(i)] = root(j)
    found: dict[int, list[int]] = {}
    for i in range(len(plans)):
        found.setdefault(root(i), []).append(i)
    return list(found.values())


def _weight(members: Sequence[int], plans: Sequence[_Plan]) -> float:
    """A rough cost of a family's job: its distinct blocks, plus a little per classifier fit."""
    blocks = {key for i in members for key, _ in plans[i][0]}
    return sum(_BLOCK_WEIGHT.get(name, 1.0) for name, _ in blocks) + 0.1 * len(members)


def _fit_fold(
    plans: Sequence[_Plan],
    x: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    warm_start: bool,
) -> list[np.ndarray]:
    """The test rows' probabilities under each plan, every block fitted once on the train rows.

    One thread: the parallelism is in the jobs, and OpenMP and BLAS threads that wait for a busy
    core make a logistic regression many times slower (measured 50x on a shared 2-core machine).
    """
    with threadpool_limits(limits=1):
        return _fit_blocks_and_paths(plans, x[train], y[train], x[test], warm_start)


def _fit_blocks_and_paths(
    plans: Sequence[_Plan], x: np.ndarray, y: np.ndarray, x_test: np.ndarray, warm_start: bool
) -> list[np.ndarray]:
    x_train, x_test = list(x), list(x_test)
    matrices: dict[tuple[str, str], tuple[Any, Any]] = {}
    # Plans with the same blocks and the same classifier but for C: one warm-started path.
    paths: dict[tuple, list[int]] = {}
    for i, (blocks, clf) in enumerate(plans):
        for key, step in blocks:
            if key not in matrices:
                fitted = clone(step)
                matrices[key] = (fitted.fit_transform(x_train), fitted.transform(x_test))
        settings = {k: v for k, v in clf.get_params().items() if k != "C"}
        paths.setdefault((tuple(k for k, _ in blocks), joblib_hash(settings)), []).append(i)
    out: list[np.ndarray | None] = [None] * len(plans)
    for (keys, _), members in paths.items():
        a = _stack([matrices[k][0] for k in keys])
        b = _stack([matrices[k][1] for k in keys])
        clf = clone(plans[members[0]][1])
        if "warm_start" in clf.get_params():  # a per-target model has none
            clf.set_params(warm_start=warm_start)
        for i in sorted(members, key=lambda i: plans[i][1].C):
            if not warm_start:
                clf = clone(plans[i][1])
            clf.set_params(C=plans[i][1].C).fit(a, y)
            out[i] = clf.predict_proba(b)
    assert all(p is not None for p in out)
    return out  # type: ignore[return-value]


def _stack(blocks: Sequence[Any]) -> sparse.csr_matrix:
    """The blocks side by side, as ``FeatureUnion`` joins them."""
    if len(blocks) == 1:
        return sparse.csr_matrix(blocks[0])
    return sparse.hstack(blocks, format="csr")
