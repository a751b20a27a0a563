"""Accuracy on real data: framelens at its defaults against plain TF-IDF + logistic regression.

Usage::

    .venv/bin/python bench/accuracy.py ../shared/data/babe ../shared/data/article-bias

For each data set directory the script finds ``train.csv[.gz]`` and ``test.csv[.gz]`` and, in one
run:

* trains with ``framelens train TRAIN.csv --models TMP --format json`` (a subprocess, defaults,
  scheme ``auto``) and scores the new model with ``framelens evaluate VERSION TEST.csv --models
  TMP --format json``, exactly as a user would;
* fits a reference pipeline, scikit-learn's ``TfidfVectorizer()`` + ``LogisticRegression()`` with
  every setting at its default, on the same training file and scores it on the same test file.

Files with only ``text,label`` (and extra columns framelens ignores, such as BABE's ``split``)
are used as they are. Anything else (gzip, or one row per article with a ``title``, as in
article-bias) is converted to a temporary ``text,label`` CSV whose text is the title and the
body; training articles (not sentences) are capped at ``--max-train-rows`` (a seeded random
sample). When the
data has a ``source`` column (the outlet), the test rows from outlets absent from the training
rows are also scored on their own.

The table is printed and, unless ``--quick`` or ``--no-append``, appended to
``docs/benchmarks.md`` with the command, date and machine. The data is read by path and never
copied into the project.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.evaluate import calibration  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
SEED = 0
QUICK_TRAIN, QUICK_TEST = 1500, 400


@dataclass
class Prepared:
    """The files one data set is scored on, and what was done to make them."""

    name: str
    train: Path
    test: Path
    n_train: int
    n_test: int
    notes: list[str] = field(default_factory=list)
    # Extra test subsets, e.g. unseen outlets: name -> (CSV path, rows).
    subsets: dict[str, tuple[Path, int]] = field(default_factory=dict)


def _find(directory: Path, stem: str) -> Path:
    for suffix in (".csv", ".csv.gz"):
        path = directory / f"{stem}{suffix}"
        if path.exists():
            return path
    raise SystemExit(f"{directory}: no {stem}.csv or {stem}.csv.gz")


def _plain(df: pd.DataFrame, path: Path) -> bool:
    """Whether framelens can read the file as it is (uncompressed, one text per row)."""
    return path.suffix == ".csv" and "title" not in df.columns


def _texts(df: pd.DataFrame) -> pd.Series:
    if "title" in df.columns:
        return df["title"].fillna("").astype(str) + "\n\n" + df["text"].fillna("").astype(str)
    return df["text"].astype(str)


def prepare(
    directory: Path, tmp: Path, max_train: int, max_test: int | None, *, quick: bool = False
) -> Prepared:
    name = directory.name
    train_path, test_path = _find(directory, "train"), _find(directory, "test")
    train = pd.read_csv(train_path, encoding="utf-8-sig", keep_default_na=False)
    test = pd.read_csv(test_path, encoding="utf-8-sig", keep_default_na=False)
    notes: list[str] = []
    # The cap is for article-level data (one long text per row); sentence data is used whole.
    sampled_train = len(train) > max_train and ("title" in train.columns or quick)
    if sampled_train:
        notes.append(f"train: a seeded sample of {max_train} of {len(train)} rows")
        train = train.sample(n=max_train, random_state=SEED)
    sampled_test = max_test is not None and len(test) > max_test
    if sampled_test:
        notes.append(f"test: a seeded sample of {max_test} of {len(test)} rows")
        test = test.sample(n=max_test, random_state=SEED)
    train = train[_texts(train).str.strip() != ""]
    test = test[_texts(test).str.strip() != ""]

    def write(df: pd.DataFrame, original: Path, stem: str, rewritten: bool) -> Path:
        if not rewritten and _plain(df, original):
            return original
        # Named <data set>/<stem>.csv so that scheme "auto" is named after the data set.
        out = tmp / name / f"{stem}.csv"
        out.parent.mkdir(exist_ok=True)
        pd.DataFrame({"text": _texts(df), "label": df["label"]}).to_csv(out, index=False)
        return out

    prepared = Prepared(
        name=name,
        train=write(train, train_path, "train", sampled_train),
        test=write(test, test_path, "test", sampled_test),
        n_train=len(train),
        n_test=len(test),
        notes=notes,
    )
    if prepared.train != train_path or prepared.test != test_path:
        joined = "title + body" if "title" in train.columns else "text"
        prepared.notes.append(f"converted to text,label CSVs ({joined})")
    if "source" in train.columns and "source" in test.columns:
        seen = set(train["source"])
        unseen = test[~test["source"].isin(seen)]
        out = tmp / f"{name}-test-unseen-outlets.csv"
        pd.DataFrame({"text": _texts(unseen), "label": unseen["label"]}).to_csv(out, index=False)
        prepared.subsets["unseen outlets"] = (out, len(unseen))
        n_out = test["source"].nunique()
        n_unseen_out = unseen["source"].nunique()
        prepared.notes.append(
            f"unseen outlets: {n_unseen_out} of {n_out} test outlets ({len(unseen)} of "
            f"{len(test)} rows) are absent from the training rows used"
        )
    return prepared


def _framelens() -> list[str]:
    exe = Path(sys.executable).parent / "framelens"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("framelens")
    if found:
        return [found]
    raise SystemExit("framelens is not installed: pip install -e . first")


def _run_json(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def run_framelens(data: Prepared, models: Path) -> dict[str, Any]:
    """Train and evaluate through the CLI; returns the metrics and the wall time of training."""
    exe = _framelens()
    start = time.perf_counter()
    trained = _run_json(
        [*exe, "train", str(data.train), "--models", str(models), "--format", "json"]
    )
    seconds = time.perf_counter() - start
    version = trained["version"]
    if not trained["promoted"]:
        # Score the model just trained, not whatever the registry had as current.
        print(f"note: {version} was not promoted ({trained['reason']})", file=sys.stderr)
    results = {"train_seconds": seconds, "version": version, "manifest": trained["manifest"]}
    for subset, path in [("all", data.test), *[(k, v[0]) for k, v in data.subsets.items()]]:
        results[subset] = _run_json(
            [*exe, "evaluate", version, str(path), "--models", str(models), "--format", "json"]
        )
    return results


def run_reference(data: Prepared) -> dict[str, Any]:
    """Plain TfidfVectorizer() + LogisticRegression(), every setting at scikit-learn's default."""
    train = pd.read_csv(data.train, encoding="utf-8-sig", keep_default_na=False)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    start = time.perf_counter()
    pipe.fit(train["text"].astype(str).tolist(), train["label"].astype(str).tolist())
    results: dict[str, Any] = {"train_seconds": time.perf_counter() - start}
    for subset, path in [("all", data.test), *[(k, v[0]) for k, v in data.subsets.items()]]:
        test = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
        truth = test["label"].astype(str).to_numpy()
        proba = pipe.predict_proba(test["text"].astype(str).tolist())
        classes = list(pipe.classes_)
        predicted = np.asarray(classes)[proba.argmax(axis=1)]
        truth_idx = np.array([classes.index(t) for t in truth])
        results[subset] = {
            "n": len(truth),
            "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
            "accuracy": round(float(accuracy_score(truth, predicted)), 4),
            "calibration": calibration(proba, truth_idx),
        }
    return results


def machine() -> str:
    cpu = cpu_model()
    return (
        f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}"
    )


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| data set | n train | n test | framelens macro-F1 | reference macro-F1 | delta "
        "| framelens accuracy | reference accuracy | framelens ECE | reference ECE "
        "| framelens F_avg | framelens CV macro-F1 | train s (framelens / reference) |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        f, ref = r["framelens"], r["reference"]
        favg = f"{f['f_avg']:.4f}" if "f_avg" in f else "-"
        lines.append(
            f"| {r['label']} | {r['n_train']} | {r['n_test']} | {f['macro_f1']:.4f} "
            f"| {ref['macro_f1']:.4f} | {f['macro_f1'] - ref['macro_f1']:+.4f} "
            f"| {f['accuracy']:.4f} | {ref['accuracy']:.4f} "
            f"| {f['calibration']['ece']:.4f} | {ref['calibration']['ece']:.4f} "
            f"| {favg} | {r['cv_macro_f1']} "
            f"| {r['train_s']:.1f} / {r['ref_train_s']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dirs", nargs="+", type=Path, metavar="DATA_DIR")
    parser.add_argument(
        "--models",
        type=Path,
        help="Registry root; one fresh subdirectory per data set "
        "[default: a temporary directory, removed afterwards].",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"Smoke run: at most {QUICK_TRAIN} training and {QUICK_TEST} test rows; "
        "nothing is appended to docs/benchmarks.md.",
    )
    parser.add_argument(
        "--max-train-rows",
        type=int,
        default=8000,
        help="Cap on training articles for article-level data (rows with a title, as in "
        "article-bias); sentence data sets are used whole [default 8000].",
    )
    parser.add_argument("--no-append", action="store_true", help="Do not write docs.")
    args = parser.parse_args(argv)
    max_train = min(args.max_train_rows, QUICK_TRAIN) if args.quick else args.max_train_rows
    max_test = QUICK_TEST if args.quick else None

    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="framelens-accuracy-") as tmp_name:
        tmp = Path(tmp_name)
        for directory in args.data_dirs:
            data = prepare(directory, tmp, max_train, max_test, quick=args.quick)
            base = args.models if args.models else tmp / "models"
            base.mkdir(parents=True, exist_ok=True)
            models = Path(tempfile.mkdtemp(prefix=f"{data.name}-", dir=base))
            print(f"{data.name}: training on {data.n_train} rows ...", file=sys.stderr)
            fl = run_framelens(data, models)
            ref = run_reference(data)
            cv = fl["manifest"]["metrics"]["macro_f1"]
            print(
                f"{data.name}: framelens {fl['all']['macro_f1']:.4f} vs reference "
                f"{ref['all']['macro_f1']:.4f} ({fl['train_seconds']:.1f} s)",
                file=sys.stderr,
            )
            common = {
                "n_train": data.n_train,
                "cv_macro_f1": f"{cv:.4f}",
                "train_s": fl["train_seconds"],
                "ref_train_s": ref["train_seconds"],
            }
            rows.append(
                {
                    "label": data.name,
                    "n_test": data.n_test,
                    "framelens": fl["all"],
                    "reference": ref["all"],
                    **common,
                }
            )
            for subset, (_, n) in data.subsets.items():
                rows.append(
                    {
                        "label": f"{data.name} ({subset})",
                        "n_test": n,
                        "framelens": fl[subset],
                        "reference": ref[subset],
                        **common,
                    }
                )
            scheme = fl["manifest"]["scheme_name"]
            config = json.dumps(fl["manifest"].get("config", {}))
            notes.append(
                f"- {data.name}: scheme `{scheme}` (auto), config `{config}`"
                + "".join(f"; {n}" for n in data.notes)
            )
    command = shlex.join(["python", "bench/accuracy.py", *sys.argv[1:]])
    report = "\n".join(
        [
            table(rows),
            "",
            *notes,
            "",
            f"Command: `{command}`  ",
            f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ",
            f"Machine: {machine()}",
        ]
    )
    print(report)
    if not (args.quick or args.no_append):
        section = (
            "\n## Accuracy on real data (bench/accuracy.py)\n\n"
            "framelens = `framelens train` at its defaults then `framelens evaluate`; reference = "
            "scikit-learn `TfidfVectorizer()` + `LogisticRegression()` at their defaults on the "
            "same files. Train seconds for framelens include its 5-fold cross-validation.\n\n"
            + report
            + "\n"
        )
        with DOCS.open("a", encoding="utf-8") as fh:
            fh.write(section)
        print(f"appended to {DOCS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
