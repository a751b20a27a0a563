"""A small hand-written corpus for the ``framelens score`` tests, in every input format."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

_OPENINGS = [
    "Fighting resumed near {town} on {day}, residents said.",
    "The army said it had pushed armed groups out of {town}.",
    "A convoy carrying food reached {town} after a week on the road.",
    "Rebel commanders claimed control of the airstrip outside {town}.",
]
_MIDDLES = [
    "Bamako called the raid a victory for national sovereignty.",
    "Kyiv denied any role and called the accusation absurd.",
    "A Russian channel praised the instructors for their courage.",
    "The coalition of the north said its fighters were defending Azawad.",
    "Officials gave no figure for the dead.",
    "Aid groups said thousands had fled toward the river.",
]
_CLOSINGS = [
    "None of the claims could be checked independently.",
    "Mr. Diallo, a teacher, said the market had been shut since Jan. 3.",
    "The U.N. mission left the region last year.",
]
_TOWNS = ["Kidal", "Gao", "Tessalit", "Menaka", "Timbuktu"]
_DAYS = ["Monday", "Tuesday", "Friday", "Sunday"]


def articles(n: int = 23) -> list[tuple[str, str]]:
    """``n`` (id, text) pairs, varied by templating; some have a headline on its own line."""
    out = []
    for i in range(n):
        town, day = _TOWNS[i % len(_TOWNS)], _DAYS[i % len(_DAYS)]
        parts = [_OPENINGS[i % len(_OPENINGS)].format(town=town, day=day)]
        parts += [_MIDDLES[(i + k) % len(_MIDDLES)] for k in range(1 + i % 3)]
        parts.append(_CLOSINGS[i % len(_CLOSINGS)])
        body = " ".join(parts)
        if i % 4 == 0:
            body = f"Clashes around {town}\n\n{body}"
        out.append((f"a{i:03d}", body))
    return out


def write_corpus(folder: Path, kind: str, rows: list[tuple[str, str]] | None = None) -> Path:
    """Write the corpus as ``kind`` (csv, csv.gz, jsonl, jsonl.gz, parquet, txt) in ``folder``."""
    rows = articles() if rows is None else rows
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "txt":
        target = folder / "articles"
        target.mkdir()
        for ident, text in rows:
            (target / f"{ident}.txt").write_text(text, encoding="utf-8")
        return target
    path = folder / f"corpus.{kind}"
    if kind == "parquet":
        pq.write_table(pa.table({"id": [r[0] for r in rows], "text": [r[1] for r in rows]}), path)
        return path
    opener = gzip.open if kind.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8", newline="") as f:
        if kind.startswith("csv"):
            writer = csv.writer(f)
            writer.writerow(["id", "source", "text"])
            writer.writerows((ident, "wire", text) for ident, text in rows)
        else:
            for ident, text in rows:
                f.write(json.dumps({"id": ident, "text": text}) + "\n")
    return path


def read_output(folder: Path) -> dict[str, bytes]:
    """Every chunk and rejects file of a run, and the chunk markers, by name."""
    found = {p.name: p.read_bytes() for p in folder.glob("part-*")}
    found |= {p.name: p.read_bytes() for p in folder.glob("rejects-*")}
    found |= {f".chunks/{p.name}": p.read_bytes() for p in (folder / ".chunks").glob("*.json")}
    return found
