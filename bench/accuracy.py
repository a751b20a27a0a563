"""Accuracy on real data: framelens at its defaults against a tuned TF-IDF + logistic regression.

Usage::

    .venv/bin/python bench/accuracy.py ../shared/data/babe ../shared/data/article-bias

For each data set directory the script finds ``train.csv[.gz]`` and, if there is one,
``test.csv[.gz]``, and in one run:

* trains with ``framelens train TRAIN.csv --models TMP --format json`` (a subprocess, defaults,
  scheme ``auto``) and scores the new model with ``framelens evaluate VERSION TEST.csv --models
  TMP --format json --predictions P.csv``, exactly as a user would;
* fits the reference (``bench/_reference.py``): a FeatureUnion of word 1-2-gram and ``char_wb``
  2-5-gram TF-IDF (sublinear, ``min_df=2``) and ``LogisticRegression(class_weight="balanced",
  max_iter=2000)``, C in {0.3, 1, 3, 10} chosen by stratified 5-fold CV on the training rows
  (``GridSearchCV``); for data with a ``target`` column, one such model per target;
* scores both from their per-row predictions with the same code: macro-F1, accuracy, ECE and,
  for data with a ``target`` column, F_avg (mean F1 of FAVOR and AGAINST).

A data set with no test file (or any, with ``--cv``) is scored by 5-fold stratified CV over all
its rows (train and test together): for each fold framelens is trained through the CLI on the
other four and evaluated on it, and the reference is fitted on the same four; the out-of-fold
predictions of the five folds are pooled and scored once.

Files with only ``text,label`` (and extra columns framelens ignores, such as BABE's ``split``)
are used as they are. Anything else (gzip, or one row per article with a ``title``, as in
article-bias) is converted to a temporary ``text,label[,target]`` CSV whose text is the title
and the body; training articles (not sentences) are capped at ``--max-train-rows`` (a seeded
random sample). When the data has a ``source`` column (the outlet), the test rows from outlets
absent from the training rows are also scored on their own.

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
from _reference import C_GRID, fit
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier.scheme import normalise_label  # noqa: E402
from training.evaluate import calibration  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
SEED = 0
QUICK_TRAIN, QUICK_TEST = 1500, 400
N_FOLDS = 5
# Stance labels whose mean F1 is SemEval's F_avg.
FAVG_IDS = ("favor", "favour", "against")


@dataclass
class Prepared:
    """The files one data set is scored on, and what was done to make them."""

    name: str
    train: Path
    test: Path | None  # None: scored by cross-validation over ``train``
    n_train: int
    n_test: int
    has_target: bool = False
    notes: list[str] = field(default_factory=list)
    # Extra test subsets, e.g. unseen outlets: name -> (CSV path, rows).
    subsets: dict[str, tuple[Path, int]] = field(default_factory=dict)


def _find(directory: Path, stem: str, *, required: bool = True) -> Path | None:
    for suffix in (".csv", ".csv.gz"):
        path = directory / f"{stem}{suffix}"
        if path.exists():
            return path
    if required:
        raise SystemExit(f"{directory}: no {stem}.csv or {stem}.csv.gz")
    return None


def _plain(df: pd.DataFrame, path: Path) -> bool:
    """Whether framelens can read the file as it is (uncompressed, one text per row)."""
    return path.suffix == ".csv" and "title" not in df.columns


def _texts(df: pd.DataFrame) -> pd.Series:
    if "title" in df.columns:
        return df["title"].fillna("").astype(str) + "\n\n" + df["text"].fillna("").astype(str)
    return df["text"].astype(str)


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    """The columns framelens and the reference read: text, label and, for stance, target."""
    out = pd.DataFrame({"text": _texts(df), "label": df["label"].astype(str)})
    if "target" in df.columns:
        out["target"] = df["target"].astype(str)
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)


def prepare(
    directory: Path,
    tmp: Path,
    max_train: int,
    max_test: int | None,
    *,
    quick: bool = False,
    cv: bool = False,
) -> Prepared:
    name = directory.name
    train_path = _find(directory, "train")
    test_path = _find(directory, "test", required=False)
    train = _read(train_path)
    notes: list[str] = []
    if test_path is not None and cv:
        # Cross-validation over every labelled row, the test split's too.
        train = pd.concat([train, _read(test_path)], ignore_index=True)
        notes.append(f"--cv: train and test files joined ({len(train)} rows)")
        test_path = None
    # The cap is for article-level data (one long text per row); sentence data is used whole.
    sampled_train = len(train) > max_train and ("title" in train.columns or quick)
    if sampled_train:
        notes.append(f"train: a seeded sample of {max_train} of {len(train)} rows")
        train = train.sample(n=max_train, random_state=SEED)
    train = train[_texts(train).str.strip() != ""]

    def write(df: pd.DataFrame, original: Path, stem: str, rewritten: bool) -> Path:
        if not rewritten and _plain(df, original):
            return original
        out = tmp / name / f"{stem}.csv"
        out.parent.mkdir(exist_ok=True)
        _frame(df).to_csv(out, index=False)
        return out

    rewritten = sampled_train or (test_path is None and cv)
    prepared = Prepared(
        name=name,
        train=write(train, train_path, "train", rewritten),
        test=None,
        n_train=len(train),
        n_test=0,
        has_target="target" in train.columns,
        notes=notes,
    )
    if test_path is None:
        prepared.n_test = len(train)
        return prepared
    test = _read(test_path)
    sampled_test = max_test is not None and len(test) > max_test
    if sampled_test:
        notes.append(f"test: a seeded sample of {max_test} of {len(test)} rows")
        test = test.sample(n=max_test, random_state=SEED)
    test = test[_texts(test).str.strip() != ""]
    prepared.test = write(test, test_path, "test", sampled_test)
    prepared.n_test = len(test)
    if prepared.train != train_path or prepared.test != test_path:
        joined = "title + body" if "title" in train.columns else "text"
        prepared.notes.append(f"converted to text,label CSVs ({joined})")
    if "source" in train.columns and "source" in test.columns:
        seen = set(train["source"])
        unseen = test[~test["source"].isin(seen)]
        out = tmp / f"{name}-test-unseen-outlets.csv"
        _frame(unseen).to_csv(out, index=False)
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


@dataclass
class Predictions:
    """Per-row gold labels and probabilities (label ids, columns in ``classes`` order)."""

    truth: list[str]
    proba: np.ndarray
    classes: list[str]

    @classmethod
    def concat(cls, parts: list[Predictions]) -> Predictions:
        classes = parts[0].classes
        assert all(p.classes == classes for p in parts), "folds disagree on the labels"
        return cls(
            [t for p in parts for t in p.truth], np.vstack([p.proba for p in parts]), classes
        )


def score(pred: Predictions, stance: bool) -> dict[str, Any]:
    """macro-F1, accuracy, ECE and, for stance data, F_avg: the same code for both sides."""
    classes = pred.classes
    predicted = np.asarray(classes)[pred.proba.argmax(axis=1)]
    truth = np.asarray(pred.truth)
    out: dict[str, Any] = {
        "n": len(truth),
        "macro_f1": round(float(f1_score(truth, predicted, labels=classes, average="macro")), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "calibration": calibration(pred.proba, np.array([classes.index(t) for t in truth])),
    }
    favg = [c for c in classes if c in FAVG_IDS]
    if stance and favg:
        f = f1_score(truth, predicted, labels=favg, average=None, zero_division=0)
        out["f_avg"] = round(float(np.mean(f)), 4)
    return out


def _framelens_predictions(path: Path) -> Predictions:
    df = pd.read_csv(path, encoding="utf-8", keep_default_na=False)
    columns = [c for c in df.columns if c.startswith("p_")]
    return Predictions(
        df["gold"].astype(str).tolist(), df[columns].to_numpy(float), [c[2:] for c in columns]
    )


def run_framelens(train: Path, tests: dict[str, Path], models: Path, tmp: Path) -> dict[str, Any]:
    """Train and evaluate through the CLI: the manifest, training seconds and, per test file,
    its per-row predictions (``framelens evaluate --predictions``)."""
    exe = _framelens()
    start = time.perf_counter()
    trained = _run_json([*exe, "train", str(train), "--models", str(models), "--format", "json"])
    seconds = time.perf_counter() - start
    version = trained["version"]
    if not trained["promoted"]:
        # Score the model just trained, not whatever the registry had as current.
        print(f"note: {version} was not promoted ({trained['reason']})", file=sys.stderr)
    results: dict[str, Any] = {
        "train_seconds": seconds,
        "version": version,
        "manifest": trained["manifest"],
    }
    for subset, path in tests.items():
        out = tmp / f"{version}-{normalise_label(subset)}-predictions.csv"
        args = [*exe, "evaluate", version, str(path), "--models", str(models), "--format", "json"]
        evaluated = _run_json([*args, "--predictions", str(out)])
        results[subset] = _framelens_predictions(out)
        assert evaluated["n"] == len(results[subset].truth)
    return results


def _ids(df: pd.DataFrame) -> pd.DataFrame:
    """Labels as framelens' ids (``Non-biased`` -> ``non_biased``), so both sides agree."""
    return df.assign(label=df["label"].map(normalise_label))


def run_reference(train: Path, tests: dict[str, Path], classes: list[str]) -> dict[str, Any]:
    """The reference fitted once on ``train``; its predictions on each test file."""
    train_df = _ids(_frame(_read(train)))
    start = time.perf_counter()
    reference = fit(train_df)
    results: dict[str, Any] = {"train_seconds": time.perf_counter() - start}
    for subset, path in tests.items():
        test_df = _ids(_frame(_read(path)))
        results[subset] = Predictions(
            test_df["label"].tolist(), reference.proba(test_df, classes), classes
        )
    results["C"] = reference.chosen
    return results


def score_split(data: Prepared, models: Path, tmp: Path) -> dict[str, Any]:
    """Train on the training file, score on the test file (and its subsets)."""
    tests = {"all": data.test, **{k: v[0] for k, v in data.subsets.items()}}
    fl = run_framelens(data.train, tests, models, tmp)
    classes = fl["all"].classes
    ref = run_reference(data.train, tests, classes)
    return {
        "framelens": {k: score(fl[k], data.has_target) for k in tests},
        "reference": {k: score(ref[k], data.has_target) for k in tests},
        "cv_macro_f1": f"{fl['manifest']['metrics']['macro_f1']:.4f}",
        "train_s": fl["train_seconds"],
        "ref_train_s": ref["train_seconds"],
        "C": ref["C"],
        "manifest": fl["manifest"],
        "eval": "test split",
    }


def score_cv(data: Prepared, models: Path, tmp: Path) -> dict[str, Any]:
    """5-fold stratified CV over all rows: framelens trained through the CLI on four folds and
    evaluated on the fifth, the reference fitted on the same four; out-of-fold predictions
    pooled, then scored once."""
    rows = _frame(_read(data.train)).reset_index(drop=True)
    classes: list[str] | None = None  # the first fold's model's, in its scheme's order
    folds = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=SEED)
    fl_parts, ref_parts, cvs, chosen = [], [], [], []
    fl_seconds = ref_seconds = 0.0
    manifest: dict[str, Any] = {}
    labels = rows["label"].map(normalise_label)
    for k, (train_idx, test_idx) in enumerate(folds.split(rows, labels)):
        folder = tmp / data.name / f"fold{k}"
        folder.mkdir(parents=True, exist_ok=True)
        train_csv, test_csv = folder / "train.csv", folder / "test.csv"
        rows.iloc[train_idx].to_csv(train_csv, index=False)
        rows.iloc[test_idx].to_csv(test_csv, index=False)
        print(f"{data.name}: fold {k + 1} of {N_FOLDS} ...", file=sys.stderr)
        fl = run_framelens(train_csv, {"all": test_csv}, models, tmp)
        classes = classes or fl["all"].classes
        if fl["all"].classes != classes:
            raise SystemExit(f"{data.name}: fold {k} model has labels {fl['all'].classes}")
        ref = run_reference(train_csv, {"all": test_csv}, classes)
        fl_parts.append(fl["all"])
        ref_parts.append(ref["all"])
        cvs.append(fl["manifest"]["metrics"]["macro_f1"])
        chosen += ref["C"]
        fl_seconds += fl["train_seconds"]
        ref_seconds += ref["train_seconds"]
        manifest = fl["manifest"]
    return {
        "framelens": {"all": score(Predictions.concat(fl_parts), data.has_target)},
        "reference": {"all": score(Predictions.concat(ref_parts), data.has_target)},
        "cv_macro_f1": f"{np.mean(cvs):.4f} (mean of folds)",
        "train_s": fl_seconds / N_FOLDS,
        "ref_train_s": ref_seconds / N_FOLDS,
        "C": chosen,
        "manifest": manifest,
        "eval": f"{N_FOLDS}-fold CV, pooled",
    }


def machine() -> str:
    cpu = cpu_model()
    return (
        f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}"
    )


def _chosen(values: list[float | None]) -> str:
    shown = [f"{v:g}" for v in values if v is not None]
    if not shown:
        return "-"
    if len(set(shown)) == 1:
        return shown[0]
    return ", ".join(f"{c}x{shown.count(c)}" for c in sorted(set(shown), key=float))


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| data set | scored by | n train | n test | framelens macro-F1 | reference macro-F1 "
        "| delta | framelens accuracy | reference accuracy | framelens ECE | reference ECE "
        "| framelens F_avg | reference F_avg | framelens CV macro-F1 | reference C "
        "| train s (framelens / reference) |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        f, ref = r["framelens"], r["reference"]
        favg = [f"{x['f_avg']:.4f}" if "f_avg" in x else "-" for x in (f, ref)]
        lines.append(
            f"| {r['label']} | {r['eval']} | {r['n_train']} | {r['n_test']} "
            f"| {f['macro_f1']:.4f} | {ref['macro_f1']:.4f} "
            f"| {f['macro_f1'] - ref['macro_f1']:+.4f} "
            f"| {f['accuracy']:.4f} | {ref['accuracy']:.4f} "
            f"| {f['calibration']['ece']:.4f} | {ref['calibration']['ece']:.4f} "
            f"| {favg[0]} | {favg[1]} | {r['cv_macro_f1']} | {_chosen(r['C'])} "
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
        "--cv",
        action="store_true",
        help=f"Score by {N_FOLDS}-fold CV over all rows (train and test files joined) even "
        "when there is a test file.",
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
            data = prepare(directory, tmp, max_train, max_test, quick=args.quick, cv=args.cv)
            base = args.models if args.models else tmp / "models"
            base.mkdir(parents=True, exist_ok=True)
            models = Path(tempfile.mkdtemp(prefix=f"{data.name}-", dir=base))
            print(f"{data.name}: {data.n_train} rows ...", file=sys.stderr)
            found = (
                score_cv(data, models, tmp) if data.test is None else score_split(data, models, tmp)
            )
            fl, ref = found["framelens"], found["reference"]
            print(
                f"{data.name}: framelens {fl['all']['macro_f1']:.4f} vs reference "
                f"{ref['all']['macro_f1']:.4f} ({found['eval']})",
                file=sys.stderr,
            )
            for subset in fl:
                rows.append(
                    {
                        **found,
                        "label": data.name if subset == "all" else f"{data.name} ({subset})",
                        "n_train": data.n_train,
                        "n_test": data.n_test if subset == "all" else data.subsets[subset][1],
                        "framelens": fl[subset],
                        "reference": ref[subset],
                    }
                )
            manifest = found["manifest"]
            config = json.dumps(manifest.get("config", {}))
            notes.append(
                f"- {data.name}: scheme `{manifest['scheme_name']}` (auto), framelens config "
                f"`{config}`" + "".join(f"; {n}" for n in data.notes)
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
        grid = ", ".join(f"{c:g}" for c in C_GRID)
        section = (
            "\n## Accuracy on real data (bench/accuracy.py)\n\n"
            "framelens = `framelens train` at its defaults then `framelens evaluate "
            "--predictions`; reference = a FeatureUnion of word 1-2-gram and char_wb 2-5-gram "
            "TF-IDF (sublinear TF, min_df=2) and LogisticRegression(class_weight=balanced, "
            f"max_iter=2000), C in {{{grid}}} by stratified 5-fold CV on the training rows "
            "(one model per target for stance data), on the same files. Both are scored from "
            "their per-row predictions by the same code. Train seconds for framelens include "
            "its model search, for the reference its grid search (per fold under CV).\n\n"
            + report
            + "\n"
        )
        with DOCS.open("a", encoding="utf-8") as fh:
            fh.write(section)
        print(f"appended to {DOCS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
