"""Render a chunk's rows as JSONL, CSV or Parquet bytes, and its rejects as JSONL."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from ._readers import Record

FORMATS = ("jsonl", "csv", "parquet")
DECIMALS = 4  # as in ``framelens annotate`` and the API


def part_name(index: int, fmt: str) -> str:
    return f"part-{index:06d}.{fmt}"


def rejects_name(index: int) -> str:
    return f"rejects-{index:06d}.jsonl"


def render_table(columns: Mapping[str, np.ndarray], fmt: str) -> bytes:
    """The rows of ``columns`` (equal-length arrays, in column order) as one file's bytes."""
    # Floats reach the file as float64 rounded to DECIMALS: a float32 rounded first would
    # print as 0.9495999813079834.
    columns = {name: _exact(values) for name, values in columns.items()}
    if fmt == "jsonl":
        names = list(columns)
        rows = zip(*(np.asarray(v).tolist() for v in columns.values()), strict=True)
        return b"".join(orjson.dumps(dict(zip(names, row, strict=True))) + b"\n" for row in rows)
    if fmt == "csv":
        columns = {name: _defused(values) for name, values in columns.items()}
    table = pa.table({name: _arrow(values, name) for name, values in columns.items()})
    sink = pa.BufferOutputStream()
    if fmt == "csv":
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, sink)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, sink, compression="zstd")
    else:
        raise ValueError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")
    return sink.getvalue().to_pybytes()


def render_rejects(rejects: Sequence[Record]) -> bytes:
    """One JSON object per rejected row: where it came from and why it was not scored."""
    lines = [
        json.dumps(
            {
                "source": r.source,
                "row": r.row,
                "line": r.line,
                "id": r.id,
                "reason": r.problem,
            },
            ensure_ascii=False,
        )
        + "\n"
        for r in rejects
    ]
    return "".join(lines).encode("utf-8", "backslashreplace")


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(values: Any) -> Any:
    """Text cells that a spreadsheet would run as a formula, prefixed with ``'`` (OWASP's
    advice), so ``=HYPERLINK(...)`` in an id is shown as text. JSONL and Parquet keep the text
    as it was."""
    values = np.asarray(values)
    if values.dtype != object:
        return values
    return np.asarray(
        [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in values],
        dtype=object,
    )


def _exact(values: Any) -> Any:
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return np.round(values.astype(np.float64), DECIMALS)
    return values


# Columns of optional offsets: integers, empty where a sentence has no source.
_OPTIONAL_INTS = ("source_start", "source_end")


def _arrow(values: Any, name: str = "") -> pa.Array:
    values = np.asarray(values)
    if name in _OPTIONAL_INTS:
        return pa.array(values.tolist(), type=pa.int64())
    if values.dtype == object:
        return pa.array(values, type=pa.string())
    if values.dtype == bool:
        return pa.array(values, type=pa.bool_())
    if values.dtype.kind in "iu":
        return pa.array(values, type=pa.int64())
    return pa.array(values, type=pa.float64())
