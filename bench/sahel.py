"""Quality of the default model and splitter, measured on text it never trained on.

    python bench/sahel.py [--models DIR]

Scores the current model of the registry on labels/heldout/sahel.csv and on the labelled
examples/, and the sentence splitter (with the model's learned parameters) on the gold set in
tests/data/split_gold.txt. Prints a table and appends it to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import cpu_model  # noqa: E402

from classifier import ModelRegistry  # noqa: E402
from training.evaluate import evaluate_model  # noqa: E402
from training.splitter import boundary_scores, read_gold  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.environ.get("FRAMELENS_MODEL_DIR", "var/models"))
    args = parser.parse_args()
    model = ModelRegistry(args.models).load()
    rows = []
    heldout = evaluate_model(model, ROOT / "labels/heldout/sahel.csv")
    rows.append(
        (
            "held-out articles (labels/heldout)",
            heldout["n"],
            heldout["accuracy"],
            heldout["macro_f1"],
        )
    )
    texts, labels = [], []
    for path in sorted((ROOT / "examples").glob("*.labels.csv")):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            texts.append(row["text"])
            labels.append(row["label"])
    predicted = [model.classes[i] for i in model.predict_proba(texts).argmax(axis=1)]
    accuracy = sum(p == t for p, t in zip(predicted, labels, strict=True)) / len(labels)
    rows.append(("examples/ (3 articles)", len(labels), round(accuracy, 4), None))
    cv = model.manifest["metrics"]
    rows.append(("grouped 5-fold CV on the corpus", cv["n"], cv["accuracy"], cv["macro_f1"]))
    split = boundary_scores(model.splitter, read_gold(ROOT / "tests/data/split_gold.txt"))
    lines = [
        f"model {model.version}",
        "",
        "| measured on | sentences | accuracy | macro-F1 |",
        "|---|---|---|---|",
        *[f"| {n} | {k} | {a:.3f} | {'' if f is None else f'{f:.3f}'} |" for n, k, a, f in rows],
        "",
        f"sentence boundaries (tests/data/split_gold.txt, {split['boundaries']} boundaries): "
        f"precision {split['precision']:.3f}, recall {split['recall']:.3f}, "
        f"F1 {split['f1']:.3f}",
    ]
    table = "\n".join(lines)
    print(table)
    cpu = cpu_model()
    with (ROOT / "docs/benchmarks.md").open("a", encoding="utf-8") as f:
        f.write(
            f"\n## Sahel model quality, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"`python bench/sahel.py --models {args.models}` on a "
            f"{os.cpu_count()}-core {cpu or platform.machine()}\n\n{table}\n"
        )


if __name__ == "__main__":
    main()
