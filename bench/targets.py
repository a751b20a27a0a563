"""Conditioning on a target: one augmented model against one model per target, on real data.

    python bench/targets.py ../shared/data/article-bias [--train-rows 4000] [--topics 5]

No stance data set is on this machine, so this uses the closest real data that has a target
column: article-bias, where an article's leaning (left / center / right) is labelled and its
``topic`` plays the target. Three pipelines at framelens' default settings, trained on the same
seeded sample of training articles (title and the first 2,000 characters of the body) of the
``--topics`` commonest topics and scored on the test articles of those topics (the augmented
features have a block per topic: with all 105 topics of a 4,000-article sample, one fit needs
more than 16 GiB):

* ``ignore``: ``FitConfig(target_mode="ignore")``, the text alone;
* ``augmented``: ``FitConfig(target_mode="augmented")``: shared word features plus a copy in the
  target's own block, one model;
* ``separate``: ``FitConfig(target_mode="separate")``: one model per target on those features,
  the augmented model as the fallback (for a topic never seen in training).

With ``--choose``, also the mode framelens' cross-validation picks on the training sample
(``training.select.choose_target_mode``, by macro-F1 here: the labels are not stance).

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
from training.fit import TARGET_MODES, FitConfig, fit_pipeline
from training.select import choose_target_mode, oof_proba

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
    parser.add_argument("--topics", type=int, default=5, help="The commonest topics kept.")
    parser.add_argument("--choose", action="store_true", help="Also run the CV choice.")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    train = load(args.data / "train.csv.gz", args.train_rows)
    test = load(args.data / "test.csv.gz", None)
    kept = train["topic"].value_counts().index[: args.topics]
    train, test = train[train["topic"].isin(kept)], test[test["topic"].isin(kept)]
    inputs = [with_target(d, t) for d, t in zip(train["doc"], train["topic"], strict=True)]
    test_inputs = [with_target(d, t) for d, t in zip(test["doc"], test["topic"], strict=True)]
    labels = train["label"].tolist()
    predictions: dict[str, np.ndarray] = {}
    for mode in TARGET_MODES:
        config = FitConfig(targeted=True, target_mode=mode)
        predictions[mode] = fit_pipeline(inputs, labels, config).predict(test_inputs)
    choice = ""
    if args.choose:
        config = FitConfig(targeted=True)
        (proba,), classes, _, _ = oof_proba(inputs, labels, None, [config], n_jobs=args.jobs)
        _, _, record = choose_target_mode(
            inputs, labels, None, config, proba, classes, n_jobs=args.jobs
        )
        choice = f"; cross-validation on the training sample chose: {record['reason']}"

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Conditioning on a target (article-bias, topic as target), {now}",
        "",
        f"`python bench/targets.py {' '.join(sys.argv[1:])}` on {os.cpu_count()} cores "
        f"({cpu_model()}); {len(train):,} training articles, {len(test):,} test articles, "
        f"in the {args.topics} commonest training topics ({', '.join(kept)}){choice}",
        "",
        "| target mode | macro-F1 | accuracy |",
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
