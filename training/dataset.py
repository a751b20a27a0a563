"""Read labelled CSV files and check every row against a label scheme.

Each problem names the file, the line, the column, the value and what was allowed, so a user can
open the file and fix it: ``train.csv, line 17, column 'label': 'ukriane' is not a label of
scheme sahel 1.0 (allowed: mali_government, ukraine, russia, rebels, neutral)``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.context import inputs_for
from classifier.errors import TrainingDataError
from classifier.scheme import Scheme, available_schemes, infer_scheme, load_scheme, normalise_label
from classifier.targets import with_target
from classifier.text import Sentence

from .conflicts import POLICIES, count_conflicts, resolve_conflicts

log = logging.getLogger(__name__)

REQUIRED = ("text", "label")
OPTIONAL = ("article_id", "target")
# Grouped cross-validation needs every label in several folds.
MIN_PER_LABEL = 5


@dataclass(frozen=True)
class Row:
    text: str
    label: str
    article_id: str
    target: str | None
    path: str
    line: int


@dataclass
class Dataset:
    scheme: Scheme
    rows: list[Row]
    files: list[dict[str, str | int]]
    warnings: list[str] = field(default_factory=list)
    # Whether some row gave an ``article_id``; without one, each row is its own article.
    has_article_ids: bool = False
    duplicates_dropped: int = 0
    # What ``on_conflict`` did to texts labelled more than one way (None: there were none).
    conflicts: dict[str, Any] | None = None

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.rows]

    @property
    def inputs(self) -> list[str]:
        """What the model sees: each text, prefixed by its target when the data has targets."""
        return [with_target(r.text, r.target) for r in self.rows]

    def model_inputs(self, *, context: bool) -> list[str]:
        """What the model sees for each row; with ``context``, the rows of an article (consecutive
        rows of one ``article_id``) are read in order for who speaks in each."""
        actors = self.scheme.actor_index if context else None
        return inputs_for(self.articles(), self.inputs, actors)[0]

    def articles(self) -> list[list[Sentence]]:
        """Consecutive rows of one article as its sentences, offsets as if joined by a space."""
        articles: list[list[Sentence]] = []
        previous, offset = None, 0
        for row in self.rows:
            if row.article_id != previous or not articles:
                articles.append([])
                previous, offset = row.article_id, 0
            sentences = articles[-1]
            sentences.append(Sentence(len(sentences), offset, offset + len(row.text), row.text))
            offset += len(row.text) + 1
        return articles

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.rows]

    @property
    def groups(self) -> list[str]:
        return [r.article_id for r in self.rows]

    @property
    def targets(self) -> list[str | None]:
        return [r.target for r in self.rows]

    @property
    def has_targets(self) -> bool:
        return any(r.target for r in self.rows)

    @property
    def sha256(self) -> str:
        """One hash for the training data: the input files' hashes, in order."""
        digest = hashlib.sha256()
        for f in self.files:
            digest.update(str(f["sha256"]).encode())
        return digest.hexdigest()

    def label_counts(self) -> dict[str, int]:
        counts = Counter(self.labels)
        return {label: counts.get(label, 0) for label in self.scheme.label_ids}


def read_dataset(
    paths: Sequence[str | Path],
    scheme: Scheme | str = "auto",
    *,
    min_per_label: int = MIN_PER_LABEL,
    on_conflict: str = "refuse",
    for_scoring: bool = False,
) -> Dataset:
    """Read and check labelled CSVs (``text,label`` and optional ``article_id``, ``target``).

    ``scheme`` is a ``Scheme``, a scheme name or TOML path, or ``"auto"``: a shipped scheme whose
    labels are exactly the CSV's, else one inferred from the labels.

    For training, exact duplicates are dropped with a warning and a text labelled more than one
    way is handled by ``on_conflict`` (``training.conflicts``: refuse, drop, first, majority).
    ``for_scoring`` reads a test file: every row is kept as given, and a warning says how many
    rows repeat an earlier one and how many texts are labelled more than one way.
    """
    if on_conflict not in POLICIES:
        raise ValueError(f"on_conflict must be one of {', '.join(POLICIES)}, got {on_conflict!r}")
    if not paths:
        raise TrainingDataError("<no files>", "give at least one labelled CSV file")
    read = [_read_rows(Path(path)) for path in paths]
    raw = [row for rows, _ in read for row in rows]
    if scheme == "auto":
        scheme = _auto_scheme(raw)
    elif isinstance(scheme, str):
        scheme = load_scheme(scheme)
    rows = _check_rows(raw, scheme)
    conflicts = None
    if for_scoring:
        warnings = _scoring_warnings(rows, [str(p) for p in paths])
        duplicates = 0
    else:
        rows, warnings, conflicts = resolve_conflicts(rows, on_conflict)
        rows, dropped = _drop_duplicates(rows)
        duplicates = len(dropped)
        warnings += dropped
    _check_counts(rows, scheme, min_per_label)
    files = [
        {"path": str(p), "sha256": _sha256(Path(p)), "bytes": Path(p).stat().st_size} for p in paths
    ]
    return Dataset(
        scheme=scheme,
        rows=rows,
        files=files,
        warnings=warnings,
        has_article_ids=any(has_ids for _, has_ids in read),
        duplicates_dropped=duplicates,
        conflicts=conflicts,
    )


def _scoring_warnings(rows: list[Row], paths: list[str]) -> list[str]:
    """What a test file holds that training would have refused or dropped, in one line."""
    seen: set[tuple[str, str, str | None]] = set()
    duplicates = 0
    for row in rows:
        key = (row.text, row.label, row.target)
        duplicates += key in seen
        seen.add(key)
    n_conflicts, conflict_rows = count_conflicts(rows)
    if not duplicates and not n_conflicts:
        return []
    return [
        f"{', '.join(paths)}: {duplicates} row(s) repeat an earlier row and {n_conflicts} "
        f"sentence(s) are labelled more than one way ({conflict_rows} rows); every row is "
        "scored as given"
    ]


# (text, label, article_id, target, path, line) as read, before checking labels.
_Raw = tuple[str, str, str, str | None, str, int]


def _read_rows(path: Path) -> tuple[list[_Raw], bool]:
    """The rows of one CSV, and whether any of them gives an ``article_id``."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrainingDataError(name, f"cannot be read ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TrainingDataError(
            name,
            f"byte {data[exc.start]:#04x} is not valid UTF-8; save the file as UTF-8",
            line=line,
        ) from None
    # newline="": only \r and \n end a line, as in the file (splitlines would also break at
    # \x0c, \x85, U+2028 ... and shift every later line number). A field may be as long as the
    # file: an article-level row is easily over csv's default 128 KiB.
    reader = csv.reader(io.StringIO(text, newline=""))
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return _parse_rows(reader, name)
    except csv.Error as exc:
        raise TrainingDataError(name, f"is not valid CSV ({exc})", line=reader.line_num) from exc
    finally:
        csv.field_size_limit(limit)


def _parse_rows(reader: Any, name: str) -> tuple[list[_Raw], bool]:
    try:
        header = next(reader)
    except StopIteration:
        # Every problem names a line, even in a file with none: the header belongs on line 1.
        raise TrainingDataError(
            name, "the file is empty; expected a header 'text,label'", line=1
        ) from None
    columns = [h.strip().lower() for h in header]
    for column in REQUIRED:
        if column not in columns:
            raise TrainingDataError(
                name,
                f"missing column '{column}' (found: {', '.join(columns) or 'none'}; "
                f"required: {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)})",
                line=1,
            )
    index = {c: columns.index(c) for c in (*REQUIRED, *OPTIONAL) if c in columns}
    rows: list[_Raw] = []
    has_ids = False
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            raise TrainingDataError(
                name,
                f"has {len(record)} fields where the header has {len(columns)}; "
                "quote text that contains commas",
                line=start,
            )
        text_value = " ".join(record[index["text"]].split())
        if not text_value:
            raise TrainingDataError(name, "the text is empty", line=start, column="text")
        article = record[index["article_id"]].strip() if "article_id" in index else ""
        target = record[index["target"]].strip() if "target" in index else None
        has_ids = has_ids or bool(article)
        rows.append(
            (
                text_value,
                record[index["label"]].strip(),
                article or f"{name}:{start}",
                target or None,
                name,
                start,
            )
        )
    if not rows:
        raise TrainingDataError(
            name, "has a header but no rows; the first row belongs here", line=line
        )
    return rows, has_ids


def _auto_scheme(raw: list[_Raw]) -> Scheme:
    """A shipped scheme whose labels are the CSV's, else one named after the labels."""
    found = _label_ids(raw)
    for name in available_schemes():
        shipped = load_scheme(name)
        if set(shipped.label_ids) == found:
            return shipped
    return infer_scheme(found)


def _label_ids(raw: list[_Raw]) -> set[str]:
    """The ids of the labels written in the CSVs, refusing labels that would lose their identity
    as ids: one that normalises to nothing (another script, only punctuation), or two different
    labels that normalise to the same id."""
    seen: dict[str, tuple[str, str, int]] = {}
    for _, label, _, _, path, line in raw:
        if not label:
            continue
        label_id = normalise_label(label)
        if not label_id:
            raise TrainingDataError(
                path,
                f"label {label!r} has no letter a-z or digit, so it has no id for an inferred "
                "scheme; write labels in ASCII letters (like 'pro_government') or give "
                "--scheme with a TOML file",
                line=line,
                column="label",
            )
        first = seen.setdefault(label_id, (label, path, line))
        if first[0].strip().lower() != label.strip().lower():
            raise TrainingDataError(
                path,
                f"labels {label!r} and {first[0]!r} ({first[1]}, line {first[2]}) both become "
                f"the id '{label_id}'; write them the same way, or rename one",
                line=line,
                column="label",
            )
    return set(seen)


def _check_rows(raw: list[_Raw], scheme: Scheme) -> list[Row]:
    ids = set(scheme.label_ids)
    allowed = ", ".join(scheme.label_ids)
    rows = []
    for text, label, article, target, path, line in raw:
        label_id = label if label in ids else normalise_label(label)
        if label_id not in ids:
            shown = f"'{label}'" if label else "an empty label"
            raise TrainingDataError(
                path,
                f"{shown} is not a label of scheme {scheme.name} {scheme.version} "
                f"(allowed: {allowed})",
                line=line,
                column="label",
            )
        rows.append(Row(text, label_id, article, target, path, line))
    return rows


def _drop_duplicates(rows: list[Row]) -> tuple[list[Row], list[str]]:
    """The rows without exact repeats (text, label, target), and one warning per repeat."""
    seen: dict[tuple[str, str, str | None], Row] = {}
    kept, warnings = [], []
    for row in rows:
        key = (row.text, row.label, row.target)
        if key in seen:
            first = seen[key]
            warnings.append(
                f"{row.path}, line {row.line}: duplicate of {first.path}, "
                f"line {first.line}; dropped"
            )
            continue
        seen[key] = row
        kept.append(row)
    if warnings:
        log.warning("dropped %d duplicate rows", len(warnings))
    return kept, warnings


def _check_counts(rows: list[Row], scheme: Scheme, minimum: int) -> None:
    counts = Counter(r.label for r in rows)
    for label in scheme.label_ids:
        if counts[label] < minimum:
            where = ", ".join(sorted({r.path for r in rows}))
            raise TrainingDataError(
                where,
                f"label '{label}' has {counts[label]} examples; each label of scheme "
                f"{scheme.name} needs at least {minimum} (counts: "
                + ", ".join(f"{k}={counts[k]}" for k in scheme.label_ids)
                + ")",
                column="label",
            )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
