"""Attribution against a gold set: who speaks in each sentence, span and party.

    python bench/attribution.py [--gold tests/data/attribution_gold.csv] [--no-append]

The gold CSV (``article_id,text,source,party,inherited``, one row per sentence in article order)
says for each sentence the words that name its source (empty inside a running quotation) and
the party it speaks for (``other`` outside the scheme, empty when it reports nobody's words).
Sentences are attributed article by article with the ``sahel`` scheme's actors. Reports:

* detection: precision and recall of "this sentence reports someone's words";
* party: of the attributed gold sentences, how many got the right party (``other`` = None);
* span: of the gold sentences with a source span in them, how many predicted spans overlap it;
* the same for inherited sentences (pronouns, descriptions, running quotations) alone;
* speed: sentences per second of ``attribute`` alone.

Prints a table and appends it to docs/benchmarks.md (unless --no-append).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import record  # noqa: E402

from classifier.attribution import attribute  # noqa: E402
from classifier.scheme import load_scheme  # noqa: E402
from classifier.text import Sentence  # noqa: E402


def read_gold(path: Path) -> list[tuple[list[Sentence], list[dict[str, str]]]]:
    articles: dict[str, list[dict[str, str]]] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            articles.setdefault(row["article_id"], []).append(row)
    out = []
    for rows in articles.values():
        sentences, offset = [], 0
        for i, row in enumerate(rows):
            sentences.append(Sentence(i, offset, offset + len(row["text"]), row["text"]))
            offset += len(row["text"]) + 1
        out.append((sentences, rows))
    return out


def score(gold: list, actors) -> dict[str, float]:
    tp = fp = fn = 0
    party_ok = party_n = span_ok = span_n = inh_ok = inh_n = 0
    for sentences, rows in gold:
        for sentence, row, context in zip(
            sentences, rows, attribute(sentences, actors), strict=True
        ):
            source = context.reported
            gold_attributed = bool(row["party"])
            if source is not None and gold_attributed:
                tp += 1
            elif source is not None:
                fp += 1
            elif gold_attributed:
                fn += 1
            if not gold_attributed:
                continue
            want = None if row["party"] == "other" else row["party"]
            got = source.party if source is not None else "<none>"
            party_n += 1
            party_ok += got == want
            if row["inherited"] == "1":
                inh_n += 1
                inh_ok += got == want
            if row["source"]:
                span_n += 1
                at = row["text"].find(row["source"])
                g0, g1 = sentence.start + at, sentence.start + at + len(row["source"])
                span_ok += source is not None and source.start < g1 and g0 < source.end
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "sentences": sum(len(s) for s, _ in gold),
        "attributed": tp + fn,
        "detection precision": precision,
        "detection recall": recall,
        "party accuracy (attributed)": party_ok / party_n if party_n else 0.0,
        "party accuracy (inherited)": inh_ok / inh_n if inh_n else 0.0,
        "span overlap (gold spans)": span_ok / span_n if span_n else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "tests/data/attribution_gold.csv")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    actors = load_scheme("sahel").actor_index
    gold = read_gold(args.gold)
    result = score(gold, actors)
    articles = [s for s, _ in gold]
    n = sum(map(len, articles))
    rounds, began = 0, time.perf_counter()
    while time.perf_counter() - began < 2.0:
        for sentences in articles:
            attribute(sentences, actors)
        rounds += 1
    per_second = rounds * n / (time.perf_counter() - began)
    lines = [
        f"gold: {args.gold.relative_to(ROOT) if args.gold.is_relative_to(ROOT) else args.gold}",
        "",
        "| measure | value |",
        "|---|---|",
        *[
            f"| {k} | {v:.3f} |" if isinstance(v, float) else f"| {k} | {v} |"
            for k, v in result.items()
        ],
        f"| attribute() speed | {per_second:,.0f} sentences/s |",
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_append:
        record("Attribution", "python bench/attribution.py", table)


if __name__ == "__main__":
    main()
