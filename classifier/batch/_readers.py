"""Read articles from CSV, JSONL, Parquet or a directory of .txt files, one record at a time.

A row that cannot be scored (no id, no text, bad UTF-8, broken JSON) becomes a record with a
``problem`` and goes to the rejects file; only a file that cannot be read at all, or lacks the
id or text column, stops the run (``BatchInputError``). Each reader keeps ``consumed`` up to date
(bytes of the file on disk read so far) so a progress bar can show an ETA.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import TextEncodingError
from ..registry import sha256_file
from ..text import decode_text
from ._errors import BatchInputError

# Articles can be long; the csv module's default cap of 128 KiB per field is too low.
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)
SUFFIXES = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson": "jsonl",
    ".ndjson.gz": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_PARQUET_BATCH = 1024
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Record:
    """One input row: an article to score, or a reject when ``problem`` is set.

    ``row`` counts records from 1 within its source (a CSV's header is not a record); ``line`` is
    the line the record starts on, for line-based formats.
    """

    source: str
    row: int
    line: int | None
    id: str | None
    text: str | None
    problem: str | None = None


class Input:
    """One input path. Subclasses read one format; build them with ``open_inputs``."""

    kind = ""

    def __init__(self, path: Path, id_column: str, text_column: str) -> None:
        self.path = path
        self.id_column, self.text_column = id_column, text_column
        self.compressed = path.name.endswith(".gz")
        self.consumed = 0

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def check(self) -> None:
        """Raise ``BatchInputError`` if the id or text column is missing."""

    def records(self) -> Iterator[Record]:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """Path, format, size and SHA-256 of the bytes on disk, for the run manifest."""
        return {
            "path": str(self.path),
            "format": self.kind,
            "compression": "gzip" if self.compressed else None,
            "size": self.size,
            "sha256": sha256_file(self.path),
        }

    def _open(self) -> tuple[IO[bytes], IO[bytes]]:
        """The raw file (whose position is progress) and the stream to parse."""
        try:
            raw = self.path.open("rb")
        except OSError as exc:
            raise BatchInputError(str(self.path), f"cannot be read ({exc.strerror})") from exc
        if not self.compressed:
            return raw, raw
        return raw, gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]

    def _require_columns(self, found: Sequence[str]) -> None:
        for column, option in (
            (self.id_column, "--id-column"),
            (self.text_column, "--text-column"),
        ):
            if column not in found:
                shown = ", ".join(found[:20]) or "none"
                raise BatchInputError(
                    str(self.path),
                    f"no column '{column}' (columns: {shown}); name the right one with {option}",
                )

    def _reject(self, row: int, line: int | None, ident: Any, problem: str) -> Record:
        ident = None if ident is None else str(ident)
        return Record(str(self.path), row, line, ident, None, problem)

    def _record(self, row: int, line: int | None, ident: Any, text: Any) -> Record:
        """A record, or a reject saying what is wrong with the id or the text."""
        if ident is None or (isinstance(ident, str) and not ident.strip()):
            return self._reject(row, line, None, f"missing id (column '{self.id_column}')")
        if isinstance(ident, bool | dict | list):
            return self._reject(
                row, line, None, f"id is a {_type_name(ident)}, expected a string or a number"
            )
        ident = str(ident)
        if text is None:
            return self._reject(row, line, ident, f"no text (column '{self.text_column}')")
        if not isinstance(text, str):
            return self._reject(
                row, line, ident, f"text is a {_type_name(text)}, expected a string"
            )
        for value, what in ((ident, "id"), (text, "text")):
            problem = _encoding_problem(value)
            if problem:
                return self._reject(row, line, None if what == "id" else ident, f"{what} {problem}")
        if not text.strip():
            return self._reject(row, line, ident, f"empty text (column '{self.text_column}')")
        # The one rule for text (``decode_text``): a leading byte-order mark is not text.
        return Record(str(self.path), row, line, ident, decode_text(text))


class CsvInput(Input):
    kind = "csv"

    def check(self) -> None:
        raw, stream = self._open()
        with raw, stream:
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
            try:
                header = next(csv.reader(text), [])
            except (OSError, EOFError, csv.Error) as exc:
                raise BatchInputError(str(self.path), f"is not a readable CSV ({exc})") from exc
        self._require_columns(header)

    def records(self) -> Iterator[Record]:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
        raw, stream = self._open()
        with raw, stream:
            # surrogateescape keeps undecodable bytes so each row can be rejected on its own.
            text = io.TextIOWrapper(
                stream, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            reader = csv.reader(text)
            header = next(reader)
            id_at, text_at = header.index(self.id_column), header.index(self.text_column)
            width, row, line = len(header), 0, reader.line_num + 1
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    row += 1
                    yield self._reject(row, line, None, f"not valid CSV ({exc})")
                    line = reader.line_num + 1
                    continue
                row += 1
                self.consumed = raw.tell()
                if len(fields) != width:
                    yield self._reject(
                        row, line, None, f"has {len(fields)} fields, the header has {width}"
                    )
                else:
                    yield self._record(row, line, fields[id_at], fields[text_at])
                line = reader.line_num + 1
        self.consumed = self.size


class JsonlInput(Input):
    kind = "jsonl"

    def check(self) -> None:
        raw, stream = self._open()
        with raw, stream:
            try:
                for line in stream:
                    if line.strip():
                        first = json.loads(line.removeprefix(_UTF8_BOM))
                        break
                else:
                    return
            except (OSError, EOFError, ValueError):
                return  # the first line is then a reject, named with its line number
        if isinstance(first, dict):
            self._require_columns(list(first))

    def records(self) -> Iterator[Record]:
        raw, stream = self._open()
        with raw, stream:
            row = 0
            for number, data in enumerate(stream, start=1):
                if number == 1:
                    data = data.removeprefix(_UTF8_BOM)  # the one rule: a leading BOM is not text
                if not data.strip():
                    continue
                row += 1
                self.consumed = raw.tell()
                try:
                    value = json.loads(data.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    yield self._reject(row, number, None, f"is not valid UTF-8 ({exc.reason})")
                    continue
                except ValueError as exc:
                    yield self._reject(row, number, None, f"is not valid JSON ({exc})")
                    continue
                if not isinstance(value, dict):
                    yield self._reject(
                        row, number, None, f"is a JSON {_type_name(value)}, expected an object"
                    )
                    continue
                yield self._record(
                    row, number, value.get(self.id_column), value.get(self.text_column)
                )
        self.consumed = self.size


class ParquetInput(Input):
    kind = "parquet"

    def _file(self) -> Any:
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise BatchInputError(
                str(self.path), f"is not a readable Parquet file ({exc})"
            ) from exc

    def check(self) -> None:
        self._require_columns(self._file().schema_arrow.names)

    def records(self) -> Iterator[Record]:
        file = self._file()
        total = max(file.metadata.num_rows, 1)
        row = 0
        columns = [self.id_column, self.text_column]
        for batch in file.iter_batches(batch_size=_PARQUET_BATCH, columns=columns):
            ids = batch.column(self.id_column).to_pylist()
            texts = batch.column(self.text_column).to_pylist()
            for ident, text in zip(ids, texts, strict=True):
                row += 1
                if isinstance(text, bytes):
                    try:
                        text = text.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        yield self._reject(
                            row, None, ident, f"text is not valid UTF-8 ({exc.reason})"
                        )
                        continue
                yield self._record(row, None, ident, text)
            self.consumed = self.size * row // total
        self.consumed = self.size


class TextDirInput(Input):
    """A directory of ``.txt`` files, one article each; the id is the file name without .txt."""

    kind = "txt"

    def __init__(self, path: Path, id_column: str, text_column: str) -> None:
        super().__init__(path, id_column, text_column)
        self.compressed = False
        self.files = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())

    def check(self) -> None:
        if not self.files:
            raise BatchInputError(str(self.path), "holds no .txt files to score")

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.files)

    def describe(self) -> dict[str, Any]:
        # One hash over every file's name and hash, so a directory is one entry of the manifest.
        digest = hashlib.sha256()
        for p in self.files:
            digest.update(f"{p.name}\0{sha256_file(p)}\n".encode())
        return {
            "path": str(self.path),
            "format": self.kind,
            "compression": None,
            "files": len(self.files),
            "size": self.size,
            "sha256": digest.hexdigest(),
        }

    def records(self) -> Iterator[Record]:
        for row, p in enumerate(self.files, start=1):
            ident = p.name[: -len(".txt")]
            data = p.read_bytes()
            self.consumed += len(data)
            try:
                text = decode_text(data, source=str(p))
            except TextEncodingError as exc:
                problem = f"is not valid UTF-8 (byte 0x{exc.byte:02x} at byte offset {exc.offset})"
                yield Record(str(p), 1, None, ident, None, problem)
                continue
            record = self._record(row, None, ident, text)
            yield Record(str(p), 1, None, record.id, record.text, record.problem)


def open_inputs(
    paths: Sequence[str | Path], *, id_column: str = "id", text_column: str = "text"
) -> list[Input]:
    """One reader per path, each checked for its columns before any scoring starts."""
    if not paths:
        raise BatchInputError("<inputs>", "no input given: name CSV, JSONL, Parquet files or dirs")
    inputs: list[Input] = []
    for given in paths:
        path = Path(given)
        reader: type[Input]
        if path.is_dir():
            reader = TextDirInput
        elif not path.exists():
            raise BatchInputError(str(path), "does not exist")
        else:
            kind = next(
                (k for suffix, k in SUFFIXES.items() if path.name.lower().endswith(suffix)), None
            )
            if kind is None:
                raise BatchInputError(
                    str(path),
                    "unknown input format; expected one of "
                    f"{', '.join(SUFFIXES)} or a directory of .txt files",
                )
            reader = {"csv": CsvInput, "jsonl": JsonlInput, "parquet": ParquetInput}[kind]
        source = reader(path, id_column, text_column)
        source.check()
        inputs.append(source)
    return inputs


def _encoding_problem(value: str) -> str | None:
    if value.isascii():  # most text, checked without copying it
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        # The csv reader decodes with surrogateescape: byte 0xNN arrives as U+DCNN.
        bad = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        return f"is not valid UTF-8 ({bad} at character {exc.start})"
    return None


def _type_name(value: Any) -> str:
    return {dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )
