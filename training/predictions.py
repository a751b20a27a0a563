"""Per-row predictions of ``framelens evaluate --predictions``: one CSV row per test row.

Columns: ``line`` (the row's line in the test file), ``text``, ``target`` (only for data with
targets), ``gold``, ``predicted``, ``confidence`` and one ``p_<label>`` per label, in the
scheme's order. The file is written atomically: a reader sees the old file or the whole new one.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from classifier._files import write_atomic
from classifier.labelling import Labelled

from .dataset import Dataset

DECIMALS = 4


def prediction_columns(dataset: Dataset, labels: list[str]) -> list[str]:
    """The header: the row, its gold and predicted labels, then a probability per label."""
    target = ["target"] if dataset.has_targets else []
    return ["line", "text", *target, "gold", "predicted", "confidence", *(f"p_{x}" for x in labels)]


def write_predictions(path: Path, dataset: Dataset, labelled: Labelled) -> Path:
    """Write one row per row of ``dataset`` with what ``labelled`` (its labelling) said."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(prediction_columns(dataset, labelled.labels))
    for i, row in enumerate(dataset.rows):
        target = [row.target or ""] if dataset.has_targets else []
        writer.writerow(
            [
                row.line,
                row.text,
                *target,
                row.label,
                labelled.label_of(i),
                f"{labelled.confidence[i]:.{DECIMALS}f}",
                *(f"{p:.{DECIMALS}f}" for p in labelled.proba[i]),
            ]
        )
    write_atomic(Path(path), out.getvalue().encode("utf-8"))
    return Path(path)
