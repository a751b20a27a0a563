"""Conditioning on a target: one augmented model against one model per target, on real data.

    python bench/targets.py ../shared/data/article-bias [--train-rows 4000]

No stance data set is on this machine, so this uses the closest real data that has a target
column: article-bias, where an article's leaning (left / center / right) is labelled and its
``topic`` plays the target. Three pipelines at framelens' default settings, trained on the same
seeded sample of training articles (title and the first 2,000 characters of the body) and scored
on the test split:

* ``shared``: ignores the target;
* ``augmented``: framelens' choice (``FitConfig(targeted=True)``): shared word features plus a
  copy in the target's own block, one model;
* ``per target``: one model per target with at least ``--min-rows`` training rows, the shared
  model for the rest (the fallback).

Prints macro-F1 and accuracy of each and appends the table to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import cpu_model
from sklearn.metrics import accuracy_score, f1_score

from classifier.targets import with_target
from training.fit import FitConfig, fit_pipeline

ROOT = Path(__file__).resolve().parent.parent
BODY_CHARS = 2000


def load(path: Path, rows: int | None, seed: int = 0) -> pd.DataFrame:
    frame = pd.read_csv(path, usecols=["title", "text", "label", "topic"]).dropna()
    if rows and len(frame) > rows:
        frame = frame.sample(rows, random_state=seed)
    frame["doc"] = frame["title"] + "\n" + frame["text"].str.slice(0, BODY_CHARS)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="The article-bias directory.")
    parser.add_argument("--train-rows", type=int, default=4000)
    parser.add_argument("--min-rows", type=int, default=100)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    train = load(args.data / "train.csv.gz", args.train_rows)
    test = load(args.data / "test.csv.gz", None)
    config = FitConfig()
    predictions: dict[str, np.ndarray] = {}

    shared = fit_pipeline(train["doc"].tolist(), train["label"].tolist(), config)
    predictions["shared (no target)"] = shared.predict(test["doc"].tolist())

    inputs = [with_target(d, t) for d, t in zip(train["doc"], train["topic"], strict=True)]
    augmented = fit_pipeline(inputs, train["label"].tolist(), FitConfig(targeted=True))
    test_inputs = [with_target(d, t) for d, t in zip(test["doc"], test["topic"], strict=True)]
    predictions["augmented (framelens)"] = augmented.predict(test_inputs)

    own = {
        topic: fit_pipeline(rows["doc"].tolist(), rows["label"].tolist(), config)
        for topic, rows in train.groupby("topic")
        if len(rows) >= args.min_rows and rows["label"].nunique() > 1
    }
    per_target = predictions["shared (no target)"].copy()
    for topic, model in own.items():
        mask = (test["topic"] == topic).to_numpy()
        if mask.any():
            per_target[mask] = model.predict(test.loc[mask, "doc"].tolist())
    predictions[f"per target ({len(own)} models) + shared fallback"] = per_target

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    covered = test["topic"].isin(own).mean()
    lines = [
        f"## Conditioning on a target (article-bias, topic as target), {now}",
        "",
        f"`python bench/targets.py {' '.join(sys.argv[1:])}` on {os.cpu_count()} cores "
        f"({cpu_model()}); {len(train):,} training articles, {len(test):,} test articles, "
        f"{test['topic'].nunique()} test topics, {covered:.0%} of test articles in a topic with "
        "its own model",
        "",
        "| model | macro-F1 | accuracy |",
        "|---|---|---|",
    ]
    for name, predicted in predictions.items():
        f1 = f1_score(test["label"], predicted, average="macro")
        lines.append(f"| {name} | {f1:.4f} | {accuracy_score(test['label'], predicted):.4f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_record:
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
