"""The actors of a label scheme: who speaks for each party, and how to find them in a sentence.

A label may list its actors (people, titles, institutions, forces, outlets, channels, groups),
each with aliases. ``ActorIndex`` finds them in tokenised text with one dictionary lookup per
token: an alias is keyed by its first token, then checked token by token.

Case: an alias written all in lower case ("rebel spokesman") matches in any case, so title-case
headlines find it; an alias with capitals ("TASS", "Maria Zakharova") matches as written, except
that its first letter may be either case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import SchemeError

# ``nation``: a country, capital or adjective ("Mali", "Bamako", "Malian"). It speaks for the
# party alone as a subject ("Bamako said") and as the modifier of an official head ("Malian
# army", "Mali's foreign ministry"), but not of any noun ("Malian civilians").
KINDS = ("person", "title", "institution", "force", "outlet", "channel", "group", "nation")
PERSON_KINDS = frozenset({"person", "title"})


@dataclass(frozen=True)
class Actor:
    """One actor of a label: its name, what kind of actor it is and the names it goes by."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def actors_from_list(raw: object, source: str, where: str) -> tuple[Actor, ...]:
    """Parse and check a label's ``actors`` list (from TOML or a manifest)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SchemeError(source, where, "expected a list of tables with name, kind, aliases")
    actors = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise SchemeError(source, at, "expected a table with name, kind and aliases")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SchemeError(source, f"{at}.name", f"{name!r} must be a non-empty string")
        kind = item.get("kind")
        if kind not in KINDS:
            raise SchemeError(source, f"{at}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and a.strip() for a in aliases
        ):
            raise SchemeError(source, f"{at}.aliases", "must be a list of non-empty strings")
        actors.append(Actor(name.strip(), kind, tuple(a.strip() for a in aliases)))
    return tuple(actors)


def check_unique_aliases(by_label: Mapping[str, Sequence[Actor]], source: str) -> None:
    """An alias may speak for one label only: name both labels of any alias listed twice."""
    owner: dict[str, str] = {}
    for label_id, actors in by_label.items():
        for actor in actors:
            for alias in actor.names:
                key = _key(alias)
                other = owner.setdefault(key, label_id)
                if other != label_id:
                    raise SchemeError(
                        source,
                        f"labels.{label_id}.actors",
                        f"alias {alias!r} is listed under both '{other}' and '{label_id}'",
                    )


@dataclass(frozen=True, slots=True)
class Match:
    """An alias found in a token list: tokens ``first`` to ``last`` inclusive."""

    first: int
    last: int
    party: str
    kind: str
    actor: str


class ActorIndex:
    """Every alias of a scheme's actors, keyed by its first token for fast lookup."""

    def __init__(self, by_label: Mapping[str, Sequence[Actor]]) -> None:
        # first token (lower case) -> [(length, {key: (party, kind, actor)}, case-insensitive)],
        # longest first. A loose alias's key is all its tokens in lower case; an exact one's
        # is its tokens as written after the first (whose first letter may take either case).
        tables: dict[str, dict[tuple[int, bool], dict[tuple[str, ...], Match]]] = {}
        for label_id, actors in by_label.items():
            for actor in actors:
                for alias in actor.names:
                    tokens = tuple(alias_tokens(alias))
                    if not tokens:
                        continue
                    loose = alias == alias.lower()
                    key = tokens if loose else (tokens[0][1:], *tokens[1:])
                    table = tables.setdefault(tokens[0].lower(), {})
                    found = Match(0, len(tokens) - 1, label_id, actor.kind, actor.name)
                    table.setdefault((len(tokens), loose), {}).setdefault(key, found)
        outlets = sorted(
            (
                (alias, label_id)
                for label_id, actors in by_label.items()
                for actor in actors
                if actor.kind == "outlet"
                for alias in actor.names
            ),
            key=lambda pair: -len(pair[0]),
        )
        self._outlet_party = dict(outlets)
        # An outlet in a dateline: "MOSCOW, Oct 10 /TASS/.", "(RIA Novosti) -", "— Ukrinform."
        names = "|".join(re.escape(alias) for alias, _ in outlets)
        self._dateline = (
            re.compile(rf"(?:^|[/(\[]|[—–-] )\s?({names})\s?(?:[/)\]]|[.,:]? ?[—–-]|\.$)")
            if outlets
            else None
        )
        self._first = {
            first: sorted(((k, loose, keys) for (k, loose), keys in table.items()), reverse=True)
            for first, table in tables.items()
        }

    def __bool__(self) -> bool:
        return bool(self._first)

    def outlet(self, sentences: Sequence[Any]) -> str | None:
        """The party of the outlet named in the article's dateline, if one of its first two
        sentences starts with one ("MOSCOW, October 10. /TASS/. ...")."""
        if self._dateline is None:
            return None
        for sentence in sentences[:2]:
            found = self._dateline.search(sentence.text[:120])
            if found:
                return self._outlet_party[found.group(1)]
        return None

    def find(
        self, words: Sequence[str], lowered: Sequence[str], lo: int = 0, hi: int | None = None
    ) -> list[Match]:
        """Aliases found in ``words[lo:hi]`` (``lowered``: the same words in lower case)."""
        found: list[Match] = []
        first = self._first
        hi = len(words) if hi is None else hi
        i = lo
        while i < hi:
            entries = first.get(lowered[i])
            if entries is None:
                i += 1
                continue
            for k, loose, keys in entries:
                if i + k > hi:
                    continue
                if loose:
                    hit = keys.get(tuple(lowered[i : i + k]))
                else:
                    hit = keys.get((words[i][1:], *words[i + 1 : i + k]))
                if hit is not None:
                    found.append(Match(i, i + k - 1, hit.party, hit.kind, hit.actor))
                    i += k
                    break
            else:
                i += 1
        return found


def alias_tokens(alias: str) -> list[str]:
    """An alias's tokens, cut as ``classifier.attribution`` cuts sentences."""
    from .attribution import tokens

    return tokens(alias)


def _key(alias: str) -> str:
    return " ".join(alias_tokens(alias)).lower()
