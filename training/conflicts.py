"""One sentence labelled two ways: find every such conflict, then refuse, drop or settle it.

A conflict is one text (and, for stance data, one target) given two or more labels. The same
text under different targets is not a conflict: its stance may differ by target. Policies:

* ``refuse`` (the default): stop, naming every conflict (its lines, the text shortened, the
  labels), so the file can be fixed;
* ``drop``: leave out every row of a conflicting text;
* ``first``: keep the label of the text's first row, leave out its rows with another label;
* ``majority``: keep the label most of its rows give, leave out the others; when two labels are
  tied for most, stop and name the tied texts (no label is chosen behind the user's back).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from classifier.errors import TrainingDataError

if TYPE_CHECKING:
    from .dataset import Row

POLICIES = ("refuse", "drop", "first", "majority")
SHOWN_CHARS = 60


@dataclass(frozen=True)
class Conflict:
    """Every row of one (text, target) that is given more than one label, in file order."""

    rows: tuple[Row, ...]

    @property
    def text(self) -> str:
        return self.rows[0].text

    @property
    def labels(self) -> Counter[str]:
        return Counter(r.label for r in self.rows)

    def describe(self) -> str:
        """``data.csv, line 36 'neutral', line 42 'rebels': "The claims could not be..."``."""
        places, path = [], None
        for r in self.rows:
            places.append(
                f"line {r.line} '{r.label}'"
                if r.path == path
                else f"{r.path}, line {r.line} '{r.label}'"
            )
            path = r.path
        target = f" (target '{self.rows[0].target}')" if self.rows[0].target else ""
        shown = textwrap.shorten(self.text, SHOWN_CHARS, placeholder="...")
        return f'{", ".join(places)}: "{shown}"{target}'


def find_conflicts(rows: Sequence[Row]) -> list[Conflict]:
    """The texts (per target) that carry more than one label, in the order they first appear."""
    by_key: dict[tuple[str, str | None], list[Row]] = {}
    for row in rows:
        by_key.setdefault((row.text, row.target), []).append(row)
    return [
        Conflict(tuple(group)) for group in by_key.values() if len({r.label for r in group}) > 1
    ]


def resolve_conflicts(rows: list[Row], policy: str) -> tuple[list[Row], list[str], dict | None]:
    """Apply ``policy`` to ``rows``: the rows kept, warnings to show, and a summary for the
    manifest (None when there is no conflict). Raises ``TrainingDataError`` naming every
    conflict under ``refuse``, and every tie under ``majority``."""
    if policy not in POLICIES:
        raise ValueError(f"on_conflict must be one of {', '.join(POLICIES)}, got {policy!r}")
    conflicts = find_conflicts(rows)
    if not conflicts:
        return rows, [], None
    if policy == "refuse":
        raise _error(
            conflicts,
            f"{_count(conflicts)} labelled more than one way; give each one label, or train "
            "with --on-conflict drop, first or majority",
        )
    if policy == "majority":
        tied = [c for c in conflicts if _tied(c)]
        if tied:
            raise _error(
                tied,
                f"{_count(tied)} tied: no one label is given by most of its rows; give each one "
                "label, or train with --on-conflict first or drop",
            )
    chosen: dict[tuple[str, str | None], str | None] = {}
    for c in conflicts:
        key = (c.text, c.rows[0].target)
        chosen[key] = None if policy == "drop" else _choose(c, policy)
    kept = [
        r for r in rows if (r.text, r.target) not in chosen or r.label == chosen[(r.text, r.target)]
    ]
    dropped = len(rows) - len(kept)
    summary = {
        "policy": policy,
        "sentences": len(conflicts),
        "rows": sum(len(c.rows) for c in conflicts),
        "rows_dropped": dropped,
    }
    done = (
        "dropped every row of each"
        if policy == "drop"
        else f"kept the {'first' if policy == 'first' else 'most frequent'} label of each"
    )
    warnings = [
        f"--on-conflict {policy}: {_count(conflicts)} labelled more than one way; {done}, "
        f"{dropped} of their {summary['rows']} rows dropped"
    ]
    for c in conflicts:
        label = chosen[(c.text, c.rows[0].target)]
        warnings.append(f"{c.describe()}: " + (f"kept '{label}'" if label else "dropped"))
    return kept, warnings, summary


def count_conflicts(rows: Sequence[Row]) -> tuple[int, int]:
    """How many texts are labelled more than one way, and how many rows they have."""
    conflicts = find_conflicts(rows)
    return len(conflicts), sum(len(c.rows) for c in conflicts)


def _choose(conflict: Conflict, policy: str) -> str:
    if policy == "first":
        return conflict.rows[0].label
    return conflict.labels.most_common(1)[0][0]


def _tied(conflict: Conflict) -> bool:
    top = conflict.labels.most_common(2)
    return top[0][1] == top[1][1]


def _count(conflicts: Sequence[Conflict]) -> str:
    return "1 sentence is" if len(conflicts) == 1 else f"{len(conflicts)} sentences are"


def _error(conflicts: Sequence[Conflict], problem: str) -> TrainingDataError:
    first = conflicts[0].rows[0]
    listing = "\n".join(f"  {c.describe()}" for c in conflicts)
    return TrainingDataError(first.path, f"{problem}:\n{listing}")
