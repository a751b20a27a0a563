"""Quality of the default model, with and without attribution, on text it never trained on.

    python bench/sahel.py [--models DIR] [--real-dev DIR] [--no-ablation]

Scores the current model of the registry on the held-out sets (labels/heldout/*.csv, written
by writers who never saw the corpus), on the labelled examples/, and, given ``--real-dev``, on a
folder of real published articles labelled sentence by sentence (``gold.csv`` with
``article,index,label,text`` beside one ``ARTICLE.txt`` per article; rows labelled ``other`` or
``skip`` are not scored; each gold sentence takes the label of the predicted sentence covering
its middle). The ablation trains the same pipeline without attribution features on the same
corpus (one cross-validation, no search) and scores it on the same sets in the same run.
Also: attribution against tests/data/attribution_gold.csv, the splitter on
tests/data/split_gold.txt, and labelling speed (sentences per second through the one labelling
function, with and without attribution). Prints a table and appends it to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import record  # noqa: E402
from attribution import read_gold, score  # noqa: E402

from classifier import Model, ModelRegistry  # noqa: E402
from classifier.labelling import label_articles  # noqa: E402
from training import FitConfig, train  # noqa: E402
from training.evaluate import compute_metrics, evaluate_model  # noqa: E402
from training.splitter import boundary_scores  # noqa: E402
from training.splitter import read_gold as read_split_gold  # noqa: E402

CORPUS = sorted((ROOT / "labels/corpus/sahel").glob("*.csv"))


def real_dev_scores(model: Model, folder: Path) -> dict:
    gold: dict[str, list[dict[str, str]]] = {}
    with (folder / "gold.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["label"] not in ("other", "skip"):
                gold.setdefault(row["article"], []).append(row)
    truth, predicted = [], []
    for article, rows in sorted(gold.items()):
        text = (folder / f"{article}.txt").read_text(encoding="utf-8")
        sentences = model.splitter.split(text)
        labelled = label_articles(model, [sentences])
        for row in rows:
            middle = text.find(row["text"][:60]) + len(row["text"]) // 2
            hit = [i for i, s in enumerate(sentences) if s.start <= middle < s.end]
            truth.append(row["label"])
            predicted.append(labelled.label_of(hit[0]) if hit else "neutral")
    return compute_metrics(truth, predicted, model.scheme)


def quality(model: Model, real_dev: Path | None) -> list[tuple[str, int, float, float | None]]:
    rows = []
    for path in sorted((ROOT / "labels/heldout").glob("*.csv")):
        m = evaluate_model(model, path)
        rows.append((f"held-out {path.name}", m["n"], m["accuracy"], m["macro_f1"]))
    texts, labels = [], []
    for path in sorted((ROOT / "examples").glob("*.labels.csv")):
        m = evaluate_model(model, _as_article(path))
        texts.append(m["n"])
        labels.append(m["accuracy"] * m["n"])
    rows.append(("examples/ (3 articles)", sum(texts), sum(labels) / sum(texts), None))
    if real_dev is not None:
        m = real_dev_scores(model, real_dev)
        rows.append((f"real articles ({real_dev.name})", m["n"], m["accuracy"], m["macro_f1"]))
    return rows


def _as_article(path: Path) -> Path:
    """An examples/ labels file (text,label) as a one-article training CSV, so that its
    sentences are read in order, as one article."""
    out = Path(tempfile.mkdtemp()) / path.name
    with path.open(encoding="utf-8") as f, out.open("w", encoding="utf-8", newline="") as g:
        writer = csv.writer(g)
        writer.writerow(["article_id", "text", "label"])
        for row in csv.DictReader(f):
            writer.writerow([path.stem, row["text"], row["label"]])
    return out


def speed(model: Model, seconds: float = 3.0) -> float:
    """Sentences per second through ``label_articles`` on the corpus' articles, split."""
    articles: dict[str, list[str]] = {}
    for path in CORPUS:
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                articles.setdefault(row["article_id"], []).append(row["text"])
    split = [model.splitter.split(" ".join(v)) for v in articles.values()]
    n = sum(map(len, split))
    best = float("inf")
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        t = time.process_time()
        label_articles(model, split)
        best = min(best, time.process_time() - t)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.environ.get("FRAMELENS_MODEL_DIR", "var/models"))
    parser.add_argument("--real-dev", type=Path, help="a folder of labelled real articles")
    parser.add_argument("--no-ablation", action="store_true", help="skip the model without it")
    args = parser.parse_args()
    model = ModelRegistry(args.models).load()
    models = [("with attribution", model)]
    if not args.no_ablation and model.uses_context:
        config = FitConfig.from_dict(model.manifest["config"])
        with tempfile.TemporaryDirectory() as tmp:
            result = train(
                CORPUS,
                scheme="sahel",
                registry=ModelRegistry(tmp),
                config=replace(config, context=False),
                attribution=False,
            )
            models.append(("without attribution", ModelRegistry(tmp).load(result.version)))
    lines = [f"model {model.version} ({len(CORPUS)} corpus files)", ""]
    header = "| measured on | sentences | " + " | ".join(
        f"accuracy, {name} | macro-F1, {name}" for name, _ in models
    )
    lines += [header + " |", "|---|---|" + "---|---|" * len(models)]
    results = [quality(m, args.real_dev) for _, m in models]
    for i, (name, n, _, _) in enumerate(results[0]):
        cells = []
        for r in results:
            _, _, acc, f1 = r[i]
            cells += [f"{acc:.3f}", "" if f1 is None else f"{f1:.3f}"]
        lines.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    cv = [m.manifest["metrics"] for _, m in models]
    lines.append(
        f"| grouped 5-fold CV on the corpus | {cv[0]['n']} | "
        + " | ".join(f"{c['accuracy']:.3f} | {c['macro_f1']:.3f}" for c in cv)
        + " |"
    )
    rates = [speed(m) for _, m in models]
    lines += [
        "",
        "labelling speed (sentences/s, CPU time, corpus articles already split): "
        + ", ".join(f"{name} {r:,.0f}" for (name, _), r in zip(models, rates, strict=True)),
    ]
    attr = score(read_gold(ROOT / "tests/data/attribution_gold.csv"), model.scheme.actor_index)
    lines.append(
        "attribution (tests/data/attribution_gold.csv): "
        + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in attr.items())
    )
    split = boundary_scores(model.splitter, read_split_gold(ROOT / "tests/data/split_gold.txt"))
    lines.append(
        f"sentence boundaries (tests/data/split_gold.txt, {split['boundaries']} boundaries): "
        f"precision {split['precision']:.3f}, recall {split['recall']:.3f}, F1 {split['f1']:.3f}"
    )
    table = "\n".join(lines)
    print(table)
    command = f"python bench/sahel.py --models {args.models}"
    if args.real_dev:
        command += f" --real-dev {args.real_dev}"
    record("Sahel model quality", command, table)


if __name__ == "__main__":
    main()
