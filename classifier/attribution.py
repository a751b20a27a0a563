"""Who is speaking: the source of what each sentence of an article reports.

For every sentence, ``attribute`` finds the cue (a speech or claim verb such as "said",
"denied", "accused", or "according to"), the span that names who speaks (an actor of the
scheme, a title with a name, an institution, or a pronoun or description such as "she" or "the
ministry"), and the party that source speaks for. Pronouns and descriptions take the nearest
earlier source that fits (a person for "he" or "the spokesman", an institution for "it" or "the
statement"); a sentence inside a quotation that began or ends in another sentence, or a quoted
sentence that follows its speaker's sentence, inherits that quotation's source.

It is a set of rules over word tokens and one dictionary lookup per token, fast enough to run on
every sentence the service or ``framelens score`` sees. The model learns what the attribution
means (``classifier.context``): nothing here decides a label.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .actors import PERSON_KINDS, ActorIndex, Match

# Words (with inner hyphens, dots or apostrophes; a possessive 's apart) and the punctuation
# that bounds a speaker's phrase.
_TOKEN = re.compile(r"\w+(?:[-.]\w+|['’](?![sS]\b)\w+)*|['’][sS]\b|[\"“”«»„,;:()—–]|(?<=\s)-(?=\s)")
_QUOTE_OPEN = frozenset("“«„")
_QUOTE_CLOSE = frozenset("”»")
_QUOTES = frozenset('"“”«»„')

CLAIM, DENIAL, ACCUSATION, ACT = "claim", "denial", "accusation", "act"


def _forms(kind: str, stems: str) -> dict[str, str]:
    return {form: kind for form in stems.split()}


# Every form in lower case. Third-person forms that are also nouns ("claims", "reports") count
# only when no determiner or possessive comes just before them.
CUES: dict[str, str] = {
    **_forms(
        CLAIM,
        "say says said saying tell tells told add adds added claim claims claimed claiming "
        "insist insists insisted warn warns warned stated declare declares declared announce "
        "announces announced reported note notes noted argue argues argued assert asserts "
        "asserted maintained confirm confirms confirmed admit admits admitted acknowledge "
        "acknowledges acknowledged vow vows vowed pledge pledges pledged promised threaten "
        "threatens threatened urge urges urged call calls called describe describes described "
        "recall recalls recalled write writes wrote posted explained stressed emphasised "
        "emphasized underlined suggested hail hails hailed praised boasted mocked predicted "
        "reiterated repeated contended replied retorted tweeted cited quoted believes "
        "estimated",
    ),
    **_forms(
        DENIAL,
        "deny denies denied denying reject rejects rejected rejecting dismiss dismisses "
        "dismissed refute refutes refuted dispute disputes disputed rebuffed rebutted "
        "downplayed contested",
    ),
    **_forms(
        ACCUSATION,
        "accuse accuses accused accusing blame blames blamed condemn condemns condemned "
        "denounce denounces denounced branded alleged alleges slammed criticised criticized "
        "decried",
    ),
    **_forms(ACT, "issued released published spoke comment commented responded briefed"),
}
_NOUN_LIKE = frozenset("claims reports calls notes warns says vows pledges hails".split())
# Forms that are nouns too and, with no word after them, are nouns: "... over massacre claim".
_BARE_NOUNS = frozenset("claim claims report call calls note vow pledge comment".split())
_DETERMINERS = frozenset("the a an its his her their these those this that 's ’s".split())
_NEGATIONS = frozenset("not n't never no declined refused without".split())
# Verbs after which the speaker may follow: '"...," said the spokesman.'
_INVERTIBLE = frozenset("said says added told wrote asked continued".split())
# Where a speaker's phrase cannot reach across, looking left from the cue.
_BOUNDARY = frozenset(
    '; : ( ) — – - " “ ” « » „ that and but while as because after before when if which is are '
    "was were be been being".split()
)
_LEADING_SKIP = frozenset("and but while as also then however".split())
# Words between a speaker and the verb that are not part of the speaker: "the army on Monday said".
_TRAILING = frozenset(
    "also later earlier has had have will would could may might on in late early last this "
    "now reportedly officially did does do should must "
    "monday tuesday wednesday thursday friday saturday sunday night morning evening week "
    "again previously separately further further repeatedly publicly recently already "
    "has_been yesterday today".split()
)
PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": "any"}
# Definite descriptions ("the spokesman", "the statement") and what they can refer to.
DESCRIPTIONS = {
    **dict.fromkeys(
        "spokesman spokeswoman spokesperson minister official commander envoy ambassador "
        "diplomat president leader general colonel officer chief adviser advisor deputy "
        "source premier secretary".split(),
        "person",
    ),
    **dict.fromkeys(
        "ministry government statement communique communiqué channel group coalition "
        "movement agency outlet broadcaster embassy office presidency alliance front council "
        "command mission post report video account military army junta authorities "
        "administration bloc organisation organization service newspaper network".split(),
        "org",
    ),
    **dict.fromkeys("officials authorities leaders fighters separatists".split(), "any"),
}
_DEFINITE = frozenset("the this that its his her their same".split())
# Heads that make a nation word speak for its party: "Malian army", "Russia's foreign ministry".
OFFICIAL_HEADS = frozenset(
    "army military government ministry officials official authorities spokesman spokeswoman "
    "spokesperson minister president presidency embassy ambassador diplomat diplomats envoy "
    "intelligence forces troops soldiers junta leader leaders leadership state media "
    "television mission delegation representative sources source command staff junta "
    "council officers officer prosecutor prosecutors foreign defence defense security "
    "interior communique communiqué statement administration parliament deputy "
    "commanders commander fighters instructors mercenaries navy air".split()
)
# Capitalised words that make an unknown speaker an organisation rather than a person.
_ORG_WORDS = frozenset(
    "ministry army council nations front movement group agency news telegram watch "
    "international office government union committee commission forces alliance "
    "coalition bank department service institute center centre organisation organization "
    "network press radio television tv channel embassy mission".split()
)
_MAX_SPEAKER_TOKENS = 12
# An unknown speaker is a short phrase ("Algerian Foreign Minister Ahmed Attaf"), not a clause.
_MAX_UNKNOWN_TOKENS = 7


@dataclass(frozen=True, slots=True)
class Source:
    """Who speaks in a sentence: the span naming them (offsets into the article's text), the
    party they speak for (None: outside the scheme), and whether it was found in an earlier
    sentence (a pronoun, a description, or a quotation that runs on)."""

    text: str
    start: int
    end: int
    party: str | None
    inherited: bool
    kind: str = "any"  # person, org or any: what a later pronoun may refer back to

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "party": self.party,
            "inherited": self.inherited,
        }


@dataclass(frozen=True, slots=True)
class Context:
    """What the model learns from beside a sentence's words."""

    source: Source | None = None
    cue: str | None = None  # claim, denial, accusation, act; "quote" for an inherited quote
    quote: str | None = None  # "full", "part", "continued" (inside a quote from before)
    previous: str | None = None  # the previous sentence's source party ("other" outside)


class _Sentence(Protocol):
    start: int
    text: str


def word_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for each word and bounding punctuation mark of ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def attribute(sentences: Sequence[_Sentence], actors: ActorIndex) -> list[Context]:
    """The context of every sentence of one article, in order."""
    found: list[_Found] = []
    history: list[Source] = []
    quote_open = False
    for sentence in sentences:
        f = _analyse(sentence, actors, history, quote_open)
        found.append(f)
        quote_open = f.open_at_end
        if f.source is not None:
            history.append(f.source)
    _spread_quotes(found)
    contexts = []
    previous: str | None = None
    for f in found:
        contexts.append(Context(f.source, f.cue, f.quote, previous))
        previous = (f.source.party or "other") if f.source is not None else None
    return contexts


@dataclass(slots=True)
class _Found:
    source: Source | None
    cue: str | None
    quote: str | None
    open_at_start: bool
    open_at_end: bool
    own: bool  # the source was found in this sentence, not handed on from a quotation


def _analyse(
    sentence: _Sentence, actors: ActorIndex, history: list[Source], quote_open: bool
) -> _Found:
    text = sentence.text
    words = _TOKEN.findall(text)
    lowered = [w.lower() for w in words]
    if quote_open or _HAS_QUOTE(text):
        inside, open_at_end, quoted_tokens = _quoted(words, quote_open)
        quote = _quote_kind(quoted_tokens, quote_open, words)
    else:  # most sentences: no quotation, nothing inside one
        inside, open_at_end, quote = _NOWHERE, False, None
    if _TRIGGERS.isdisjoint(lowered):
        return _Found(None, None, quote, quote_open, open_at_end, False)
    for i, word in enumerate(lowered):
        kind = CUES.get(word)
        special = word in _SPECIAL and (word != ":" or i <= 8)
        if (kind is None and not special) or (inside and inside[i]):
            continue
        if kind is not None and word in _NOUN_LIKE and i and lowered[i - 1] in _DETERMINERS:
            continue
        if (
            word in _BARE_NOUNS
            and (i + 1 == len(words) or not words[i + 1][:1].isalnum())
            and (not i or lowered[i - 1] != "to")
        ):
            continue
        at = i
        if i > 1 and lowered[i - 1] == "to":  # "declined to comment"; "reluctant to condemn" no
            if lowered[i - 2] not in _NEGATIONS:
                continue
            at, kind = i - 2, ACT
        span = _speaker(at, words, lowered, inside, actors, special)
        if span is None:
            continue
        if special:
            kind = CLAIM
        elif any(w in _NEGATIONS for w in lowered[max(0, at - 3) : i]):
            kind = ACT
        matches = actors.find(words, lowered, span[0], span[1] + 1) if actors else []
        source = _source(span, sentence, words, lowered, matches, history)
        if source is not None:
            return _Found(source, kind, quote, quote_open, open_at_end, True)
    return _Found(None, None, quote, quote_open, open_at_end, False)


class _Nowhere:
    """``inside`` for a sentence with no quotation: every token is outside."""

    def __bool__(self) -> bool:
        return False

    def __getitem__(self, i: int) -> bool:
        return False


_NOWHERE: Any = _Nowhere()
_SPECIAL = frozenset(("according", "quoted", ":"))
_TRIGGERS = frozenset(CUES) | _SPECIAL
_HAS_QUOTE = re.compile('["“”«»„]').search


def _quoted(words: list[str], quote_open: bool) -> tuple[list[bool], bool, int]:
    """Which tokens stand inside quotation marks, whether a quotation is still open at the
    end, and how many words are quoted."""
    inside, state, count = [], quote_open, 0
    for w in words:
        if w in _QUOTES:
            if w in _QUOTE_OPEN:
                state = True
            elif w in _QUOTE_CLOSE:
                state = False
            else:
                state = not state
            inside.append(True)
            continue
        inside.append(state)
        count += state
    return inside, state, count


def _quote_kind(quoted: int, quote_open: bool, words: list[str]) -> str | None:
    if quote_open:
        return "continued"
    n = sum(1 for w in words if w not in _QUOTES)
    if not quoted or not n:
        return None
    return "full" if quoted >= 0.6 * n else "part"


def _speaker(
    i: int,
    words: list[str],
    lowered: list[str],
    inside: list[bool],
    actors: ActorIndex,
    special: bool,
) -> tuple[int, int] | None:
    """Token range (first, last) of who speaks through the cue at ``i``, if any."""
    word = lowered[i]
    if word == "according":
        if i + 1 < len(words) and lowered[i + 1] == "to":
            return _right(i + 2, words, lowered)
        return None
    if word == "quoted":  # "TASS quoted Lavrov as saying": Lavrov speaks
        for j in range(i + 1, min(len(words), i + 14)):
            if lowered[j] == "as" and j + 1 < len(words) and lowered[j + 1] == "saying":
                return (i + 1, j - 1) if j > i + 1 else None
        if not special:
            return None
    if word == ":":  # headline "Zakharova: Kyiv regime ...": a name before the colon
        left = _left(i, words, lowered, inside)
        if left and actors and actors.find(words, lowered, left[0], left[1] + 1):
            return left
        return None
    left = _left(i, words, lowered, inside)
    if left is not None:
        return left
    if word in _INVERTIBLE and i and (words[i - 1] == "," or words[i - 1] in _QUOTES):
        return _right(i + 1, words, lowered)
    return None


def _left(
    i: int, words: list[str], lowered: list[str], inside: list[bool]
) -> tuple[int, int] | None:
    """The speaker's tokens just before the cue, stopping at a clause boundary; a relative
    clause between commas ("Ramadane, who speaks for the coalition, said") is stepped over."""
    end = i - 1
    while end >= 0 and lowered[end] in _TRAILING:
        end -= 1
    for _ in range(3):
        if end < 0 or inside[end]:
            return None
        start = end
        while (
            start > 0
            and words[start - 1] != ","
            and lowered[start - 1] not in _BOUNDARY
            and not inside[start - 1]
        ):
            start -= 1
        while start <= end and lowered[start] in _LEADING_SKIP:
            start += 1
        if start <= end and lowered[start] not in ("who", "which", "whose"):
            if words[end] == ",":
                end -= 1
                continue
            if end - start + 1 > _MAX_SPEAKER_TOKENS:
                start = end - _MAX_SPEAKER_TOKENS + 1
            return start, end
        # an empty phrase or a relative clause: look before the comma that opens it
        end = start - 2
    return None


def _right(j: int, words: list[str], lowered: list[str]) -> tuple[int, int] | None:
    """The speaker's tokens after an inverted verb or "according to", to the next comma."""
    end = j
    while end < len(words) and words[end] not in (",", ";", ":", "(") and words[end] not in _QUOTES:
        end += 1
    if end == j:
        return None
    return j, min(end - 1, j + _MAX_SPEAKER_TOKENS - 1)


def _source(
    span: tuple[int, int],
    sentence: _Sentence,
    words: list[str],
    lowered: list[str],
    matches: list[Match],
    history: list[Source],
) -> Source | None:
    first, last = span
    named = [m for m in matches if m.kind != "nation" or _speaks_as_nation(m, lowered, first, last)]
    if named:
        m = named[0]
        party = m.party if not _foreign_head(m, words, first) else None
        person = any(n.kind in PERSON_KINDS for n in named) or any(
            DESCRIPTIONS.get(lowered[j]) == "person" for j in range(first, last + 1)
        )
        kind = "person" if person else _kind_class(m.kind)
        return _span_source(sentence, first, last, party, False, kind)
    for j in range(first, last + 1):
        w = lowered[j]
        refers = PRONOUNS.get(w) if j == first or lowered[j - 1] in _LEADING_SKIP else None
        if refers is None and w in DESCRIPTIONS and j > first and lowered[j - 1] in _DEFINITE:
            refers = DESCRIPTIONS[w]
            if j + 1 <= last and lowered[j + 1] in ("for", "of"):
                continue  # "the spokesman for X": X decides, and X is unknown here
        if refers is not None:
            earlier = _nearest(history, refers)
            start = j - 1 if refers != PRONOUNS.get(w) or w not in PRONOUNS else j
            party = earlier.party if earlier is not None else None
            kind = earlier.kind if earlier is not None else refers
            return _span_source(sentence, start, j, party, earlier is not None, kind)
    phrase = range(first, last + 1)
    if not any(words[j][:1].isupper() or lowered[j] in DESCRIPTIONS for j in phrase):
        return None  # "the fighting began, residents said" has a speaker; "it was said" not
    while last > first and lowered[last] in _TRAILING:
        last -= 1
    if last - first + 1 > _MAX_UNKNOWN_TOKENS:
        return None
    kind = "org" if any(lowered[j] in _ORG_WORDS for j in range(first, last + 1)) else "person"
    return _span_source(sentence, first, last, None, False, kind)


def _speaks_as_nation(m: Match, lowered: list[str], first: int, last: int) -> bool:
    """A nation word speaks alone ("Bamako said") or before an official head ("Malian army")."""
    after = m.last + 1
    if after > last:
        return True
    if lowered[after] in ("'s", "’s"):
        after += 1
    for j in range(after, min(last, after + 3) + 1):
        if lowered[j] in OFFICIAL_HEADS:
            return True
    return False


def _foreign_head(m: Match, words: list[str], first: int) -> bool:
    """ "Algeria's army said": a generic head ("army", "junta") owned by someone the scheme
    does not know speaks for nobody of the scheme."""
    if m.kind == "nation" or words[m.first][:1].isupper() and m.first == first:
        return False
    j = m.first - 1
    if j >= first and words[j] in ("'s", "’s"):
        j -= 1
    return j >= first and words[j][:1].isupper() and words[j].lower() not in _DEFINITE


def _kind_class(kind: str) -> str:
    if kind in PERSON_KINDS:
        return "person"
    return "any" if kind in ("group", "force") else "org"


def _nearest(history: list[Source], refers: str) -> Source | None:
    for source in reversed(history[-6:]):
        if refers == "any" or source.kind == refers or (refers == "org" and source.kind == "any"):
            return source
    return None


def _span_source(
    sentence: _Sentence,
    first: int,
    last: int,
    party: str | None,
    inherited: bool,
    kind: str,
) -> Source:
    # Offsets only now, for the few tokens of a source: most sentences never need them.
    text, base = sentence.text, sentence.start
    spans = [m.span() for m in itertools.islice(_TOKEN.finditer(text), last + 1)]
    start, end = spans[first][0], spans[last][1]
    return Source(text[start:end], base + start, base + end, party, inherited, kind)


def _spread_quotes(found: list[_Found]) -> None:
    """Hand each quotation's source to its sentences that name none.

    A quotation running over sentences a..b takes the source named in a, else in b (the
    attribution after it closes), else the speaker of the sentence before a. A whole quoted
    sentence with no attribution after a sentence with a source continues that speaker.
    """
    i, n = 0, len(found)
    while i < n:
        f = found[i]
        starts_quote = f.open_at_end and not f.open_at_start
        if starts_quote:
            j = i + 1
            while j < n and found[j].open_at_start and found[j].open_at_end:
                j += 1
            last = min(j, n - 1)
            run = found[i : last + 1]
            owner = next((g.source for g in run if g.own and g.source is not None), None)
            if owner is None and i and found[i - 1].source is not None:
                owner = found[i - 1].source
            if owner is not None:
                for g in run:
                    if g.source is None:
                        _inherit(g, owner)
            i = last + 1
            continue
        if f.source is None and f.quote == "full" and i and found[i - 1].source is not None:
            _inherit(f, found[i - 1].source)
        i += 1


def _inherit(f: _Found, owner: Source) -> None:
    f.source = Source(owner.text, owner.start, owner.end, owner.party, True, owner.kind)
    f.cue = "quote"
