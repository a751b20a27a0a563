"""Label schemes: which labels a model predicts, how they are shown, and when to doubt them.

A scheme is a versioned TOML file in ``labels/`` (or any path). Loading checks every field and
names the file and the field when one is wrong.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from .actors import Actor, ActorIndex, actors_from_list, check_unique_aliases
from .errors import SchemeError

_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Colours for schemes inferred from a CSV: distinct, readable on white (Tableau 10).
_PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]
# Longest label slug in an inferred scheme's name (a version name holds at most 128 characters).
AUTO_SLUG_CHARS = 40
# Label ids that mean "no stance" in stance schemes; F_avg leaves them out.
_NO_STANCE = {"none", "neutral", "neither", "unrelated", "no_stance"}


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    description: str
    color: str
    # Who speaks for this label: people, institutions, outlets... (``classifier.actors``).
    actors: tuple[Actor, ...] = ()


@dataclass(frozen=True)
class Scheme:
    name: str
    version: str
    description: str
    labels: tuple[Label, ...]
    uncertain_threshold: float = 0.5
    # Labels whose mean F1 is the headline score (SemEval's F_avg for stance); empty: macro-F1.
    favg_labels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label_ids(self) -> list[str]:
        return [label.id for label in self.labels]

    @property
    def has_actors(self) -> bool:
        return any(label.actors for label in self.labels)

    @cached_property
    def actor_index(self) -> ActorIndex:
        """Every label's actors, ready to be found in text (built once per scheme)."""
        return ActorIndex({label.id: label.actors for label in self.labels})

    def label(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(label_id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = [asdict(label) for label in self.labels]
        for label in data["labels"]:
            if not label["actors"]:
                del label["actors"]
            else:
                label["actors"] = [{**a, "aliases": list(a["aliases"])} for a in label["actors"]]
        data["favg_labels"] = list(self.favg_labels)
        return data


def scheme_from_dict(data: Mapping[str, Any], source: str = "<scheme>") -> Scheme:
    """Build a scheme from parsed TOML or a manifest's copy, checking every field."""
    if not isinstance(data, Mapping):
        raise SchemeError(source, "<top>", f"expected a table, got {type(data).__name__}")
    for key in ("name", "version", "labels"):
        if key not in data:
            raise SchemeError(source, key, "is missing")
    name = data["name"]
    if not isinstance(name, str) or not _ID.fullmatch(name):
        raise SchemeError(
            source, "name", f"{name!r} must be lower-case letters, digits and _ (like 'neutral')"
        )
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, str | int | float) or version == "":
        raise SchemeError(source, "version", f"{version!r} must be a string like '1.0'")
    version = str(version)
    threshold = data.get("uncertain_threshold", 0.5)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise SchemeError(source, "uncertain_threshold", f"{threshold!r} is not a number")
    # Compared before float(): an integer too large for a float is out of range, not a crash.
    if not 0.0 <= threshold < 1.0:
        raise SchemeError(source, "uncertain_threshold", f"{threshold} is not in [0, 1)")
    raw_labels = data["labels"]
    if not isinstance(raw_labels, list) or len(raw_labels) < 2:
        raise SchemeError(source, "labels", "a scheme needs at least two labels")
    labels = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_labels):
        where = f"labels[{i}]"
        if not isinstance(raw, Mapping):
            raise SchemeError(source, where, "expected a table with id, name, description, color")
        label_id = raw.get("id")
        if not isinstance(label_id, str) or not _ID.fullmatch(label_id):
            raise SchemeError(
                source,
                f"{where}.id",
                f"{label_id!r} must be lower-case letters, digits and _ (like 'neutral')",
            )
        if label_id in seen:
            raise SchemeError(source, f"{where}.id", f"'{label_id}' is used twice")
        seen.add(label_id)
        color = raw.get("color", "")
        if not isinstance(color, str) or not _COLOR.fullmatch(color):
            raise SchemeError(source, f"{where}.color", f"{color!r} is not a colour like #1f77b4")
        labels.append(
            Label(
                id=label_id,
                name=str(raw.get("name", label_id.replace("_", " ").capitalize())),
                description=str(raw.get("description", "")),
                color=color.lower(),
                actors=actors_from_list(raw.get("actors"), source, f"{where}.actors"),
            )
        )
    check_unique_aliases({label.id: label.actors for label in labels}, source)
    favg_raw = data.get("favg_labels", [])
    if not isinstance(favg_raw, list | tuple) or not all(isinstance(f, str) for f in favg_raw):
        raise SchemeError(source, "favg_labels", f"{favg_raw!r} must be a list of label ids")
    favg = tuple(favg_raw)
    for label_id in favg:
        if label_id not in seen:
            raise SchemeError(
                source, "favg_labels", f"'{label_id}' is not a label (labels: {', '.join(seen)})"
            )
    return Scheme(
        name=name,
        version=version,
        description=str(data.get("description", "")),
        labels=tuple(labels),
        uncertain_threshold=float(threshold),
        favg_labels=favg,
    )


def load_scheme(name_or_path: str | Path) -> Scheme:
    """Load a scheme shipped in ``labels/`` by name (``sahel``) or from a TOML file's path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        shipped = resources.files("labels") / f"{name_or_path}.toml"
        if not shipped.is_file():
            available = ", ".join(available_schemes()) or "none"
            raise SchemeError(
                str(name_or_path), "name", f"no such scheme (shipped schemes: {available})"
            )
        text, source = shipped.read_text(encoding="utf-8"), f"labels/{name_or_path}.toml"
    else:
        source = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SchemeError(source, "<file>", f"cannot be read ({exc.strerror})") from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemeError(
                source,
                "<file>",
                f"byte {data[exc.start]:#04x} at byte offset {exc.start} is not valid UTF-8; "
                "save the file as UTF-8",
            ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(source, "<toml>", f"is not valid TOML ({exc})") from exc
    return scheme_from_dict(data, source)


def available_schemes() -> list[str]:
    """Names of the schemes shipped in ``labels/``."""
    root = resources.files("labels")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def infer_scheme(label_ids: Iterable[str], name: str | None = None) -> Scheme:
    """A scheme for the labels found in a CSV, for ``--scheme auto``.

    Label text is normalised to ids (``Non-biased`` becomes ``non_biased``); a label set that
    looks like stance (favour/against/none, or favour and against alone) gets SemEval's F_avg
    labels. Without ``name`` the scheme is named after its labels (``auto_scheme_name``),
    wherever the CSV lies.
    """
    ids = sorted({normalise_label(label) for label in label_ids})
    name = name or auto_scheme_name(ids)
    if len(ids) < 2:
        raise SchemeError(name, "labels", f"a scheme needs at least two labels, found {ids}")
    stance = [i for i in ids if i not in _NO_STANCE]
    sides = [i for i in ids if i in ("against", "favor", "favour")]
    if not (len(stance) < len(ids) and sides):  # no "none" label: favour and against alone
        stance = sides if "against" in sides and len(sides) > 1 else []
    scheme = Scheme(
        name=name,
        version="inferred",
        description=f"Inferred from training data labels: {', '.join(ids)}",
        labels=tuple(
            Label(id=i, name=i.replace("_", " ").capitalize(), description="", color=c)
            for i, c in zip(ids, _cycle(_PALETTE, len(ids)), strict=True)
        ),
        uncertain_threshold=0.5 if len(ids) <= 2 else round(1.5 / len(ids), 2),
        favg_labels=tuple(stance),
    )
    # The rules every scheme is loaded by, so a model's manifest can always be loaded back.
    scheme_from_dict(scheme.to_dict(), f"scheme inferred from labels {', '.join(map(repr, ids))}")
    return scheme


def auto_scheme_name(label_ids: Iterable[str]) -> str:
    """``auto_biased_non_biased_3f2a1c``: the name of the scheme inferred for these labels.

    A slug of the sorted ids (cut to ``AUTO_SLUG_CHARS``) and the first 6 hex digits of their
    SHA-256, so the same labels give the same scheme, and so the same promotion gate, whatever
    the file is called; ``_`` joins them, as a scheme name allows no ``-``.
    """
    ids = sorted(set(label_ids))
    slug = "_".join(ids)
    if len(slug) > AUTO_SLUG_CHARS:
        slug = slug[:AUTO_SLUG_CHARS].rstrip("_")
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:6]
    return f"auto_{slug}_{digest}"


def same_scheme(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two manifests' schemes are one scheme: the same name, or both inferred from
    the same labels (a manifest written when inferred schemes were named after their file's
    folder still matches one named after its labels)."""
    if a.get("scheme_name") == b.get("scheme_name"):
        return True
    inferred = all(m.get("scheme_version") == "inferred" for m in (a, b))
    return inferred and sorted(a.get("label_ids") or []) == sorted(b.get("label_ids") or [])


def normalise_label(label: str) -> str:
    """``'Non-biased '`` -> ``'non_biased'``: the id form of a label written in a CSV."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


def _cycle(items: list[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)]
