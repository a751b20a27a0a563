"""Measure a model: grouped cross-validation at training time, a test CSV afterwards."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from classifier.scheme import Scheme
from classifier.targets import normalise_target

from .fit import SEED

log = logging.getLogger(__name__)

N_SPLITS = 5


def cv_splits(
    labels: Sequence[str], groups: Sequence[str] | None, n_splits: int = N_SPLITS
) -> tuple[list[tuple[np.ndarray, np.ndarray]], bool]:
    """Folds that keep each article whole and every label in every training fold.

    Returns the folds and whether they are grouped by article: when grouping would leave a label
    out of a training fold (too few articles), the folds are stratified by label only.
    """
    y = np.asarray(labels)
    smallest = int(min(np.unique(y, return_counts=True)[1]))
    n = max(2, min(n_splits, smallest))
    n_labels = len(np.unique(y))
    if groups is not None and len(set(groups)) >= n and len(set(groups)) < len(groups):
        grouped = StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=SEED)
        folds = list(grouped.split(np.zeros(len(y)), y, groups))
        if all(len(np.unique(y[train])) == n_labels for train, _ in folds):
            return folds, True
        log.warning("too few articles to keep them whole in every fold; folding by label only")
    plain = StratifiedKFold(n_splits=n, shuffle=True, random_state=SEED)
    return list(plain.split(np.zeros(len(y)), y)), False


def compute_metrics(
    truth: Sequence[str],
    predicted: Sequence[str],
    scheme: Scheme,
    *,
    proba: np.ndarray | None = None,
    classes: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Per-label precision, recall and F1, macro-F1, accuracy, confusion matrix, F_avg, ECE."""
    ids = scheme.label_ids
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=ids, zero_division=0)
    metrics: dict[str, Any] = {
        "n": len(truth),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(np.mean(f)), 4),
        "per_label": {
            label: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, label in enumerate(ids)
        },
        "confusion_matrix": {
            "labels": ids,
            "rows_are": "true label",
            "matrix": confusion_matrix(truth, predicted, labels=ids).tolist(),
        },
    }
    if scheme.favg_labels:
        metrics["f_avg"] = round(
            float(np.mean([f[ids.index(label)] for label in scheme.favg_labels])), 4
        )
        metrics["f_avg_labels"] = list(scheme.favg_labels)
    if proba is not None and classes is not None:
        truth_idx = np.array([list(classes).index(t) for t in truth])
        metrics["calibration"] = calibration(proba, truth_idx)
    return metrics


def calibration(proba: np.ndarray, truth: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Expected calibration error of the top label's probability, with the reliability table."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        conf, acc = float(confidence[mask].mean()), float(correct[mask].mean())
        ece += mask.mean() * abs(conf - acc)
        table.append(
            {
                "from": round(edges[b], 2),
                "to": round(edges[b + 1], 2),
                "n": int(mask.sum()),
                "confidence": round(conf, 4),
                "accuracy": round(acc, 4),
            }
        )
    return {"ece": round(float(ece), 4), "bins": table}


def plot_metrics(metrics: dict[str, Any], path: Path, title: str) -> Path:
    """Save the confusion matrix (and the reliability curve, when known) as one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = metrics["confusion_matrix"]
    labels, matrix = cm["labels"], np.asarray(cm["matrix"])
    has_cal = "calibration" in metrics
    fig, axes = plt.subplots(1, 2 if has_cal else 1, figsize=(12 if has_cal else 6.5, 5.5))
    ax = axes[0] if has_cal else axes
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(v),
            ha="center",
            va="center",
            color="white" if v > matrix.max() / 2 else "black",
        )
    ax.set_title(f"{title}\nmacro-F1 {metrics['macro_f1']:.3f}, accuracy {metrics['accuracy']:.3f}")
    if has_cal:
        bins = metrics["calibration"]["bins"]
        ax2 = axes[1]
        ax2.plot([0, 1], [0, 1], "--", color="grey", label="perfect")
        ax2.plot(
            [b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", label="model"
        )
        ax2.set_xlabel("confidence")
        ax2.set_ylabel("accuracy")
        ax2.set_title(f"reliability (ECE {metrics['calibration']['ece']:.3f})")
        ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def per_target_metrics(
    truth: Sequence[str], predicted: Sequence[str], targets: Sequence[str | None], scheme: Scheme
) -> dict[str, Any]:
    """``compute_metrics`` (without the confusion matrix) for the rows of each target, by the
    target's normalised name, in name order; rows without a target are left out."""
    rows: dict[str, list[int]] = {}
    for i, target in enumerate(targets):
        name = normalise_target(target)
        if name:
            rows.setdefault(name, []).append(i)
    out = {}
    for name in sorted(rows):
        metrics = compute_metrics(
            [truth[i] for i in rows[name]], [predicted[i] for i in rows[name]], scheme
        )
        metrics.pop("confusion_matrix")
        out[name] = metrics
    return out


def target_warnings(model: Any, targets: Sequence[str | None], source: str) -> list[str]:
    """What a user should know before trusting scores of a model trained with targets: rows
    without a target, or with one never seen in training, are labelled by the shared weights."""
    mode = (model.manifest.get("config") or {}).get("target_mode", "augmented")
    if not model.uses_target or mode == "ignore":
        return []
    known = set(model.manifest.get("targets") or [])
    names = [normalise_target(t) for t in targets]
    missing = sum(name is None for name in names)
    warnings = []
    if missing == len(names) and names:
        warnings.append(
            f"model {model.version} was trained with targets, but no row of {source} has one: "
            "every row was labelled by the shared weights alone (add a 'target' column)"
        )
    elif missing:
        warnings.append(
            f"{missing} of {len(names)} rows of {source} have no target: they were labelled by "
            "the shared weights alone"
        )
    unseen = sorted({n for n in names if n and n not in known})
    if unseen:
        warnings.append(
            f"target(s) of {source} never seen in training, labelled by the shared weights: "
            f"{', '.join(unseen)} (trained on: {', '.join(sorted(known))})"
        )
    return warnings


def evaluate_model(
    model: Any, csv_path: str | Path, *, predictions: Path | None = None
) -> dict[str, Any]:
    """Metrics of a loaded model on a labelled CSV checked against the model's own scheme.

    Every row is scored as given (``read_dataset(for_scoring=True)``): repeated rows and texts
    labelled more than one way are kept, and ``warnings`` says how many there are. With targets
    in the CSV, also ``per_target`` metrics; ``warnings`` also says when rows were labelled
    without their target's weights (see ``target_warnings``).
    ``predictions``, if given, receives one CSV row per test row (``training.predictions``).
    """
    from classifier.labelling import label_articles

    from .dataset import read_dataset

    dataset = read_dataset([csv_path], model.scheme, min_per_label=0, for_scoring=True)
    labelled = label_articles(model, dataset.articles(), targets=dataset.targets)
    predicted = [labelled.label_of(i) for i in range(len(dataset.rows))]
    if predictions is not None:
        from .predictions import write_predictions

        write_predictions(predictions, dataset, labelled)
    metrics = compute_metrics(
        dataset.labels, predicted, model.scheme, proba=labelled.proba, classes=labelled.labels
    )
    if dataset.has_targets:
        metrics["per_target"] = per_target_metrics(
            dataset.labels, predicted, dataset.targets, model.scheme
        )
    metrics["warnings"] = dataset.warnings + target_warnings(
        model, dataset.targets, Path(csv_path).name
    )
    return metrics
