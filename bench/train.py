"""How long ``framelens train`` takes, at its defaults, on a given amount of data.

    python bench/train.py SOURCE [--rows N] [--jobs N] [--on-conflict drop] [--no-record]

SOURCE is a labelled CSV (``text,label`` and optional ``article_id``; ``id`` is read as the
article id), a directory holding ``train.csv`` or ``train.csv.gz`` (such as
../shared/data/article-bias or ../shared/data/babe), or ``sahel``: the shipped corpus repeated
until it has ``--rows`` rows, each copy with one word dropped from every sentence so no text is
a duplicate; a copy keeps its article id, so grouped cross-validation keeps the copies of an
article in one fold. ``--rows`` also cuts a longer source to its first N rows.

Runs ``framelens train`` (the full search, every core, ``--quiet``) into a fresh registry and
prints one table row: rows, articles, wall seconds, CPU seconds of all its processes (on a
shared machine the wall time depends on the other tenants; CPU seconds much less), peak RSS of
the largest process (the training process or a worker, from getrusage of children), the chosen
config and its CV
macro-F1 on all rows, and how many rows the search ran on. Appends the table to
docs/benchmarks.md (``--no-record`` skips).

Targets: 20,000 sentences with the full search under 2 minutes on 2 cores; all 26,590 training
articles of article-bias under 10 minutes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import record  # noqa: E402

FRAMELENS = Path(sys.executable).parent / "framelens"
CORPUS = sorted((ROOT / "labels/corpus/sahel").glob("*.csv"))


def read_source(source: str, rows: int | None) -> tuple[list[dict[str, str]], str]:
    """The rows to train on (text, label, article_id) and a description of where they came from."""
    if source == "sahel":
        return _sahel_repeated(rows or 20_000), "shipped sahel corpus, repeated with varied text"
    path = Path(source)
    if path.is_dir():
        found = [p for p in (path / "train.csv", path / "train.csv.gz") if p.exists()]
        if not found:
            raise SystemExit(f"{path} has no train.csv or train.csv.gz")
        path = found[0]
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        csv.field_size_limit(1 << 30)
        out = []
        for i, row in enumerate(csv.DictReader(f)):
            if rows is not None and i >= rows:
                break
            article = row.get("article_id") or row.get("id") or f"row{i}"
            out.append({"text": row["text"], "label": row["label"], "article_id": article})
    return out, f"{path} (first {len(out)} rows)" if rows else str(path)


def _sahel_repeated(n: int) -> list[dict[str, str]]:
    base = []
    for path in CORPUS:
        with path.open(encoding="utf-8", newline="") as f:
            base += list(csv.DictReader(f))
    out: list[dict[str, str]] = []
    copy = 0
    while len(out) < n:
        for row in base:
            words = row["text"].split()
            if copy and len(words) > 3:
                del words[copy % len(words)]
            out.append(
                {"text": " ".join(words), "label": row["label"], "article_id": row["article_id"]}
            )
            if len(out) == n:
                break
        copy += 1
    return out


def run(rows: list[dict[str, str]], jobs: int | None, on_conflict: str | None = None) -> dict:
    """Train on ``rows`` in a fresh registry; the time, the peak RSS and the manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "train.csv"
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["text", "label", "article_id"])
        writer.writeheader()
        writer.writerows(rows)
        data.write_text(buffer.getvalue(), encoding="utf-8")
        cmd = [str(FRAMELENS), "train", str(data), "--models", str(Path(tmp) / "m")]
        cmd += ["--format", "json", "--quiet", "--force"]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        if on_conflict:
            cmd += ["--on-conflict", on_conflict]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"framelens train failed ({done.returncode}):\n{done.stderr[-3000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
        **json.loads(done.stdout),
    }


def describe(config: dict) -> str:
    words = config["word_ngrams"]
    text = f"word {words[0]}-{words[1]}"
    if config.get("char_ngrams"):
        chars = config["char_ngrams"]
        text += f" + char_wb {chars[0]}-{chars[1]}"
    if config.get("context"):
        text += " + who speaks"
    return f"{text}, min_df {config['min_df']}, C {config['C']:g}"


def table(result: dict, where: str) -> str:
    m = result["manifest"]
    s = m["selection"]
    searched = "all" if not s["sampled"] else f"{s['search_rows']:,} (sample of whole articles)"
    return "\n".join(
        [
            "| data | rows | articles | seconds | CPU seconds | peak RSS, MiB | chosen config "
            "| CV macro-F1 | search rows | candidates |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {where} | {m['training_data']['rows']:,} | {m['training_data']['articles']:,} "
            f"| {result['seconds']:.0f} | {result['cpu_seconds']:.0f} | {result['peak_mib']:.0f} "
            f"| {describe(m['config'])} "
            f"| {s['cv_macro_f1']:.4f} | {searched} | {len(s['search'])} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="a CSV, a directory with train.csv(.gz), or 'sahel'")
    parser.add_argument("--rows", type=int, default=None, help="use (or make) this many rows")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for framelens train")
    parser.add_argument(
        "--on-conflict",
        choices=["refuse", "drop", "first", "majority"],
        help="--on-conflict for framelens train (article-bias's train split holds a text "
        "labelled two ways: pass drop)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to benchmarks")
    args = parser.parse_args()
    rows, where = read_source(args.source, args.rows)
    result = run(rows, args.jobs, args.on_conflict)
    out = table(result, where)
    print(out)
    if not args.no_record:
        command = " ".join(["python bench/train.py", *sys.argv[1:]])
        record("Training time (`framelens train`, full search, defaults)", command, out)


if __name__ == "__main__":
    main()
