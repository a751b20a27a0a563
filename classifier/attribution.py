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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ._lexicon import (
    ACT,
    ADJECTIVAL,
    ASIDE_STARTS,
    BARE_NOUNS,
    BOUNDARY,
    CLAIM,
    CONCESSIVE,
    CUES,
    DEFINITE,
    DESCRIPTIONS,
    DETERMINERS,
    FIRST_PERSON,
    HARD_BOUNDARY,
    INVERTIBLE,
    LEADING_SKIP,
    LOCATIVE,
    NEGATIONS,
    NOT_IN_SPEAKER,
    NOUN_LIKE,
    OFFICIAL_HEADS,
    OPENERS,
    ORG_WORDS,
    PARTICIPLES,
    POSSESSIVE,
    PRONOUNS,
    SPEAKER_NOUNS,
    TRAILING,
    WITHHELD,
)
from .actors import PERSON_KINDS, ActorIndex, Match

# Tokens: runs of characters that are neither space nor punctuation (so "CSP-DPA" is one word),
# a possessive "'s" apart from its word, and each mark that can bound a speaker's phrase. Only
# negated character classes: the regular expression engine runs them without backtracking.
_MARKS = '"“”«»„,;:()—–.!?\\[\\]'
_W = rf"[^\s{_MARKS}'’‘]"
_TOKEN = re.compile(
    rf"{_W}+(?:['’](?![sS](?!{_W})){_W}+)*"  # words; "don't" and "d'Ivoire" whole
    rf"|['’][sS](?!{_W})"  # a possessive 's
    rf"|[{_MARKS}‘]"  # marks, and an opening single quote
    rf"|['’]"  # a closing single quote, or an apostrophe ("the rebels' claims")
)
# A straight single quote that opens a quotation ("'Ukraine is ...'") becomes "‘", one character
# for one, so offsets stay as they are.
_OPENING_SINGLE = re.compile(r"(?:^|(?<=[\s(\[“\"—–-]))'(?=\w)")
# A straight double quote opens where a word follows it after a space or the start, and closes
# where it follows a word or a mark and a space or the end follows it: '"We will," he said'.
# Quotation marks then pair by where they stand, not by counting, so a quotation a writer
# forgot to close ends where the next one opens, instead of turning every later one inside out.
_OPENING_DOUBLE = re.compile(r'(?:^|(?<=[\s(\[—–-]))"(?=[\w‘\'])')
_CLOSING_DOUBLE = re.compile(r'(?<=[^\s(\[])"(?=[\s,.;:!?)\]—–-]|$)')
_QUOTE_OPEN = frozenset("“«„")
_QUOTE_CLOSE = frozenset("”»")
_QUOTES = frozenset('"“”«»„')
DOUBLE, SINGLE = 1, 2  # which quotations are open

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
    # claim, denial, accusation, act; how an inherited source came: quote, statement (after a
    # colon), first_person
    cue: str | None = None
    quote: str | None = None  # "full", "part", "continued" (inside a quote from before)
    previous: str | None = None  # the previous sentence's source party ("other" outside)
    outlet: str | None = None  # the party of the outlet in the article's dateline ("/TASS/")
    # For a sentence with no source: the party reported in one of the two sentences before.
    recent: str | None = None
    voice: str | None = None  # the party most of the article's reported sentences speak for

    @property
    def reported(self) -> Source | None:
        """The source whose words the sentence reports: none where the cue only says that
        someone acted ("the ministry issued a statement", "Kyiv did not comment")."""
        return self.source if self.cue != ACT else None


class _Sentence(Protocol):
    start: int
    text: str


class _Text(NamedTuple):
    """A sentence as the rules read it: where it starts, its text as written, and the same text
    with its quotation marks normalised (``_normalise_quotes``), which every token count uses."""

    start: int
    text: str
    marked: str

    @classmethod
    def of(cls, sentence: _Sentence) -> _Text:
        return cls(sentence.start, sentence.text, _normalise_quotes(sentence.text))


def _normalise_quotes(text: str) -> str:
    """``text`` with its opening straight single quotes as "‘" and its straight double quotes as
    "“" or "”" where their place says which, one character for one.

    Every tokenisation of a sentence whose token indices meet goes through this: "‘s" is two
    tokens where "'s" is one, so counting tokens in the text as written would point a source's
    offsets at other words, or past the end (an IndexError on "'s 's 's Kyiv said").
    """
    if "'" in text:
        text = _OPENING_SINGLE.sub("‘", text)
    if '"' in text:
        text = _CLOSING_DOUBLE.sub("”", _OPENING_DOUBLE.sub("“", text))
    return text


def tokens(text: str) -> list[str]:
    """The words and bounding punctuation marks of ``text``, in order."""
    return _TOKEN.findall(text)


def attribute(sentences: Sequence[_Sentence], actors: ActorIndex) -> list[Context]:
    """The context of every sentence of one article, in order."""
    found: list[_Found] = []
    history: list[Source] = []
    state = 0
    for sentence in sentences:
        f = _analyse(sentence, actors, history, state)
        found.append(f)
        state = f.state_at_end
        if f.source is not None:
            history.append(f.source)
    _spread_quotes(found)
    _carry_on(found, lambda: _lead(sentences, actors))
    outlet = actors.outlet(sentences) if actors else None
    voice = _voice(found)
    contexts = []
    previous: str | None = None
    recent: list[str | None] = [None, None]  # the reported parties of the two sentences before
    for f in found:
        near = next((p for p in reversed(recent) if p), None) if f.source is None else None
        contexts.append(Context(f.source, f.cue, f.quote, previous, outlet, near, voice))
        previous = (f.source.party or "other") if f.source is not None else None
        reported = f.source is not None and f.cue != ACT
        recent = [recent[1], (f.source.party or "other") if reported else None]
    return contexts


def _voice(found: list[_Found]) -> str | None:
    """The party whose words most of the article's reported sentences carry, if one does."""
    counts: dict[str, int] = {}
    for f in found:
        if f.source is not None and f.cue != ACT:
            party = f.source.party or "other"
            counts[party] = counts.get(party, 0) + 1
    if not counts:
        return None
    party, n = max(counts.items(), key=lambda kv: kv[1])
    return party if n >= 2 and n * 2 >= sum(counts.values()) else None


@dataclass(slots=True)
class _Found:
    source: Source | None
    cue: str | None
    quote: str | None
    state_at_start: int
    state_at_end: int
    own: bool  # the source was found in this sentence, not handed on from a quotation
    short: bool = False  # a few words only: "the minister said." after a quotation
    first_person: bool = False  # "we", "our", "I" outside quotation marks
    opens_block: bool = False  # ends with a colon: what follows is the statement
    turn: bool = False  # an interview's turn: "Ramadane, spokesman for the FLA – We ..."
    question: bool = False  # ends with a question mark outside quotation marks

    @property
    def open_at_start(self) -> bool:
        return bool(self.state_at_start)

    @property
    def open_at_end(self) -> bool:
        return bool(self.state_at_end)


def _analyse(raw: _Sentence, actors: ActorIndex, history: list[Source], state: int) -> _Found:
    sentence = _Text.of(raw)
    text = sentence.marked
    has_quote = bool(state) or _HAS_QUOTE(text) is not None
    words = _TOKEN.findall(text)
    colon = bool(words) and words[-1] == ":"
    if _ANY_CASE_TRIGGERS.isdisjoint(words):
        # No cue at all (most sentences): only quotation marks and the first person matter.
        if has_quote:
            inside, end_state, quoted_tokens = _quoted(words, state)
            quote = _quote_kind(quoted_tokens, bool(state), words)
        else:
            inside, end_state, quote = _NOWHERE, 0, None
        return _unattributed(words, inside, quote, state, end_state, colon)
    lowered = [w.lower() for w in words]
    if has_quote:
        inside, end_state, quoted_tokens = _quoted(words, state)
        quote = _quote_kind(quoted_tokens, bool(state), words)
    else:  # no quotation, nothing inside one
        inside, end_state, quote = _NOWHERE, 0, None
    unsaid: _Found | None = None
    for i in _in_order([i for i, w in enumerate(lowered) if w in _TRIGGERS], words, lowered):
        word = lowered[i]
        kind = CUES.get(word)
        special = word in _SPECIAL and (word not in _EARLY_ONLY or i <= 8)
        if (kind is None and not special) or (inside and inside[i]):
            continue
        if kind is not None and word in NOUN_LIKE and i and lowered[i - 1] in DETERMINERS:
            continue
        if (
            word in BARE_NOUNS
            and (i + 1 == len(words) or not words[i + 1][:1].isalnum())
            and (not i or lowered[i - 1] != "to")
        ):
            continue
        if (
            word in PARTICIPLES
            and i > 1
            and (
                (lowered[i - 2] in ("a", "an", "the") and words[i - 1][:1].islower())
                or lowered[i - 1] in _POSSESSIVE_MARKS  # "the rebels' reported offer"
            )
        ):
            continue
        if word in ADJECTIVAL and i and lowered[i - 1] in DETERMINERS:  # "the alleged proposal"
            continue
        if word in _RECALL and i + 1 < len(words) and lowered[i + 1] in _RECALLED_THINGS:
            continue  # "will recall their ambassadors": an act, not a memory told
        if word in _NAMING and _names(i, words, lowered):
            continue  # "a homeland called Azawad": a name given, not words said
        at = i
        if i > 1 and lowered[i - 1] == "to":  # "declined to comment"; "reluctant to condemn" no
            if lowered[i - 2] not in NEGATIONS:
                continue
            at, kind = i - 2, ACT
        span = _speaker(at, words, lowered, inside, actors, special)
        if span is None:
            continue
        negated = (
            not special and not _CUE_NEGATIONS.isdisjoint(lowered[max(0, at - 3) : i])
        ) or _withheld_after(i, lowered)
        if special:
            kind = CLAIM
        elif negated:
            kind = ACT
        matches = actors.find(words, lowered, span[0], span[1] + 1) if actors else []
        source = _source(span, sentence, words, lowered, matches, history)
        if (source is None or (source.party is None and not source.inherited)) and actors:
            if source is None or not _plain_speaker(span, lowered):
                source = _subject(at, sentence, words, lowered, inside, actors) or source
        elif actors and word.endswith("ing") and words[i - 1] == ",":
            # "The separatists seized Ber on Monday, claiming ...": the main clause's subject
            # speaks, not the whole clause.
            source = _subject(at, sentence, words, lowered, inside, actors) or source
        if source is None:
            continue
        found = _Found(source, kind, quote, state, end_state, True, opens_block=colon)
        found.short = len(words) <= _TAIL_TOKENS and quote is None
        found.turn = word in _DASHES
        if not negated:
            return found
        # "Neither Mali nor Wagner has said how many died, although Wagner said ...": what a
        # source did not say reports nothing; a later cue that is not negated names who speaks.
        unsaid = unsaid or found
    if unsaid is not None:
        return unsaid
    return _unattributed(words, inside, quote, state, end_state, colon)


def _withheld_after(i: int, lowered: list[str]) -> bool:
    """Whether the cue at ``i`` lies in a leading concessive clause whose main clause says what
    was not told: "While they reported casualties, they did not specify who was killed" reports
    only that something was withheld."""
    if not lowered or lowered[0] not in CONCESSIVE or "," not in lowered[i:]:
        return False
    main = lowered[i + lowered[i:].index(",") + 1 :]
    return any(
        w in WITHHELD
        and (
            not NEGATIONS.isdisjoint(main[max(0, k - 2) : k])
            or (w in _GIVE and main[k + 1 : k + 2] == ["no"])  # "it gave no toll"
        )
        for k, w in enumerate(main)
    )


_GIVE = frozenset("give gave provide provided".split())


def _unattributed(
    words: list[str], inside: Any, quote: str | None, state: int, end_state: int, colon: bool
) -> _Found:
    """A sentence that names no source: what its quotation marks, first person, closing colon
    and question mark say for the sentences around it."""
    return _Found(
        None,
        None,
        quote,
        state,
        end_state,
        False,
        first_person=_first_person(words, inside),
        opens_block=colon,
        question=_asks(words, end_state),
    )


def _plain_speaker(span: tuple[int, int], lowered: list[str]) -> bool:
    """Whether the cue's own phrase ends in a speaker noun ("embassy and aid officials said"):
    such a speaker is outside the scheme, and the actor that opens the sentence is not it."""
    return lowered[span[1]] in SPEAKER_NOUNS


def _asks(words: list[str], end_state: int) -> bool:
    """Whether the sentence is a question in the writer's own voice (an interviewer's)."""
    if len(words) > 2 and words[1] == ":" and words[0] in ("Q", "Question"):
        return True  # "Q: Your critics say ..." asks too
    return bool(words) and words[-1] == "?" and not end_state


_RECALL = frozenset("recall recalls recalled recalling".split())
_NAMING = frozenset("called dubbed".split())


def _names(i: int, words: list[str], lowered: list[str]) -> bool:
    """Whether "called" at ``i`` names a thing: after a lowercase noun that is no speaker's
    head and before a name ("a homeland called Azawad"), not "the ministry called Kyiv ..."."""
    if i == 0 or i + 1 >= len(words) or not words[i - 1].islower() or _is_head(lowered[i - 1]):
        return False
    return words[i + 1][:1].isupper() or words[i + 1] in _QUOTES


# What a recall takes when it brings people home: "recalled its ambassador", "the envoys".
_RECALLED_THINGS = frozenset(
    "its their his her our the ambassador ambassadors envoy envoys diplomats".split()
)

# A cue with one of these among the three words before it says what was not said.
_CUE_NEGATIONS = NEGATIONS | {"nor", "neither"}


# At most this many tokens in a sentence that only attributes the quotation before it.
_TAIL_TOKENS = 8


def _in_order(triggers: list[int], words: list[str], lowered: list[str]) -> list[int]:
    """The cues to try, in order: a closing inversion first ("Rebels Say They Hold Prisoners,
    Says Mali's Army": the army speaks), then from the left."""
    n = len(words)
    for i in reversed(triggers):
        if lowered[i] in INVERTIBLE and i and words[i - 1] == "," and i + 1 < n:
            right = _inverted(i, words, lowered)
            if right is not None and right[1] >= n - 2:
                return [i] + [t for t in triggers if t != i]
    return triggers


_POSSESSIVE_MARKS = frozenset(("'", "’", "'s", "’s"))


def _subject(
    cue: int,
    sentence: _Text,
    words: list[str],
    lowered: list[str],
    inside: Any,
    actors: ActorIndex,
) -> Source | None:
    """The sentence's opening phrase, when it names an actor and the cue's own phrase did not:
    "A spokesperson for the rebel coalition, known as ..., said"; "Lavrov echoed these
    concerns, asserting ..."."""
    end = 0
    while end < cue and end < _MAX_SPEAKER_TOKENS and words[end] not in _SUBJECT_STOPS:
        if inside[end]:
            return None
        end += 1
    if end == 0 or end >= cue + 1 or not _may_open_subject(lowered[0]):
        return None
    matches = actors.find(words, lowered, 0, end)
    named = [m for m in matches if _speaks(m, words, lowered, 0, end - 1)]
    if not named or named[0].first > _SUBJECT_REACH + _of_phrase(lowered, named[0].first):
        return None
    m = named[0]
    kind = "person" if m.kind in PERSON_KINDS else _kind_class(m.kind)
    last = m.last + 1 if m.last + 1 < end and _is_head(lowered[m.last + 1]) else m.last
    return _span_source(sentence, 0, last, m.party, False, kind)


def _is_head(word: str) -> bool:
    """Whether ``word`` after an actor is the head noun it describes ("the separatist
    coalition"), not the verb that follows the actor ("Tuareg separatists launched")."""
    return word in ORG_WORDS or word in DESCRIPTIONS or word in SPEAKER_NOUNS or word in _FIGHTERS


_FIGHTERS = frozenset("fighters militants troops soldiers units commanders".split())


# How far into the opening phrase its actor may start: "The Malian army" (2); two more after a
# head and a word that ties it to the actor: "A spokesperson for the rebel coalition" (4),
# "Several Telegram channels close to Wagner" (5).
_SUBJECT_REACH = 3
_TIES = frozenset(
    [("for", d) for d in DETERMINERS]
    + [("of", d) for d in DETERMINERS]
    + [(w, "to") for w in ("close", "linked", "loyal", "tied", "allied", "affiliated")]
    + [(w, "with") for w in ("affiliated", "allied", "aligned")]
)


def _of_phrase(lowered: list[str], first: int) -> int:
    """2 when the actor at ``first`` follows words that tie a head to it: "a spokesman for the",
    "channels close to"."""
    return 2 if first >= 2 and (lowered[first - 2], lowered[first - 1]) in _TIES else 0


_SUBJECT_STOPS = frozenset(', ; : ( ) " “ ” « » „ — – -'.split())
# "Concerning the rebels' offer, Petrenko said": the rebels are what it is about.
_NOT_SUBJECT_OPENERS = LOCATIVE | frozenset(
    "regarding concerning about despite after before for with unlike like amid since "
    "following asked over against".split()
)


def _may_open_subject(first: str) -> bool:
    return first not in _NOT_SUBJECT_OPENERS and not (len(first) > 4 and first.endswith("ing"))


def _first_person(words: list[str], inside: Any) -> bool:
    if _FIRST_PERSON_ANY_CASE.isdisjoint(words):
        return False
    return any(w.lower() in FIRST_PERSON and not inside[i] for i, w in enumerate(words))


class _Nowhere:
    """``inside`` for a sentence with no quotation: every token is outside."""

    def __bool__(self) -> bool:
        return False

    def __getitem__(self, i: int) -> bool:
        return False


_NOWHERE: Any = _Nowhere()
_FIRST_PERSON_ANY_CASE = FIRST_PERSON | {w.capitalize() for w in FIRST_PERSON} | {"I"}
_SPECIAL = frozenset(("according", "quoted", ":", "–", "—"))
# Marks that introduce a speaker's words only near the start of a sentence.
_EARLY_ONLY = frozenset((":", "–", "—"))
_TRIGGERS = frozenset(CUES) | _SPECIAL
# The triggers as they appear in running text and in title-case or upper-case headlines.
_ANY_CASE_TRIGGERS = (
    _TRIGGERS | {t.capitalize() for t in _TRIGGERS} | {t.upper() for t in _TRIGGERS}
)
_HAS_QUOTE = re.compile('["“”«»„‘]').search


def _quoted(words: list[str], state: int) -> tuple[list[bool], int, int]:
    """Which tokens stand inside quotation marks, which quotations are still open at the end
    (``DOUBLE | SINGLE``), and how many words are quoted. A closing single quote or an
    apostrophe closes a single quotation only when one is open."""
    inside, count = [], 0
    for w in words:
        if w in _QUOTES:
            if w in _QUOTE_OPEN:
                state |= DOUBLE
            elif w in _QUOTE_CLOSE:
                state &= ~DOUBLE
            else:
                state ^= DOUBLE
            inside.append(True)
            continue
        if w == "‘":
            state |= SINGLE
            inside.append(True)
            continue
        if state & SINGLE and (w == "’" or w == "'"):
            state &= ~SINGLE
            inside.append(True)
            continue
        inside.append(bool(state))
        count += bool(state)
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
    if word == ":":  # headline "Zakharova: Kyiv regime ...": a short name before the colon
        left = _left(i, words, lowered, inside)
        if not left or left[1] - left[0] >= 4 or not actors:
            return None
        found = actors.find(words, lowered, left[0], left[1] + 1)
        return left if any(m.kind in _COLON_SPEAKERS for m in found) else None
    if word in _DASHES:  # an interview's turn: "Ramadane, spokesman for the CSP-DPA – We ..."
        if not actors or i > _MAX_SPEAKER_TOKENS or any(inside[j] for j in range(i)):
            return None
        found = actors.find(words, lowered, 0, i)
        turn = any(
            m.kind in _TURN_SPEAKERS
            or (m.kind == "nation" and _speaks(m, words, lowered, 0, i - 1))  # "Mali's envoy"
            for m in found
        )
        return (0, i - 1) if turn else None
    if i + 1 < len(words) and lowered[i + 1] == "by" and i and lowered[i - 1] in _PASSIVE:
        return _right(i + 2, words, lowered)  # "this was announced by the ministry"
    if word in INVERTIBLE and i and words[i - 1] == ",":
        right = _inverted(i, words, lowered)
        if right is not None:  # "..., said Clara Vesperini, an analyst"; "..., Says Mali's Army"
            return right
    left = _left(i, words, lowered, inside)
    if left is not None:
        return left
    if word in INVERTIBLE and i and (words[i - 1] == "," or words[i - 1] in _QUOTES):
        return _right(i + 1, words, lowered)
    return None


def _inverted(i: int, words: list[str], lowered: list[str]) -> tuple[int, int] | None:
    """The speaker after an inverted verb that follows a comma, when what follows is a short
    name and not a clause ("..., said the ambassador had been ..." is the speaker's clause)."""
    right = _right(i + 1, words, lowered)
    if right is None or right[1] - right[0] >= _MAX_INVERTED_TOKENS:
        return None
    after = right[1] + 1
    if after < len(words) and words[after] not in (",", ".", "!", "?"):
        return None
    phrase = lowered[right[0] : after]
    if lowered[i] == "told" or not (words[right[0]][:1].isupper() or phrase[0] in DETERMINERS):
        return None  # "..., told reporters on Sunday": the speaker is before the verb
    if phrase[0] in _NOT_AFTER_INVERSION:
        return None
    if any(w in BOUNDARY or w in NOT_IN_SPEAKER for w in phrase):
        return None
    return right


_MAX_INVERTED_TOKENS = 5


# "was announced by": the speaker follows "by".
_PASSIVE = frozenset("was were is are been be being".split())
# After an inverted verb a speaker follows, not a clause ("..., said on Monday that ...").
_NOT_AFTER_INVERSION = frozenset("that on in at it this to".split())


_COLON_SPEAKERS = frozenset(("person", "title", "institution", "outlet", "channel", "group"))
_TURN_SPEAKERS = frozenset(("person", "title", "group"))
_DASHES = frozenset("–—")


def _left(
    i: int, words: list[str], lowered: list[str], inside: list[bool]
) -> tuple[int, int] | None:
    """The speaker's tokens just before the cue.

    The phrase runs back to the comma, quotation or clause word before the cue. A phrase that is
    empty or only an aside ("Ramadane, who speaks for the coalition, said"; "a diplomat,
    speaking on condition of anonymity, said"; "Diarra, a taxi driver, said") is stepped over to
    the phrase before it.
    """
    end = i - 1
    while end >= 0 and lowered[end] in TRAILING:
        end -= 1
    if end > 0 and words[end] in _DASHES:  # "Local elders — fighting for Azawad — announced"
        opening = next((j for j in range(end - 1, -1, -1) if words[j] == words[end]), None)
        if opening is not None and opening > 0 and not inside[opening]:
            end = opening - 1
    aside: tuple[int, int] | None = None
    for step in range(3):
        if end < 0 or inside[end]:
            return aside
        segment = end
        while segment > 0 and words[segment - 1] != "," and not inside[segment - 1]:
            if lowered[segment - 1] in HARD_BOUNDARY:
                break
            segment -= 1
        # An aside is closed by a comma before the cue; "..., which the rebels said" is not one.
        closed = step > 0 or words[end] == ","
        if segment <= end and closed and _is_aside(lowered[segment], words[segment]):
            if _only_openers(lowered, segment - 1):  # "Meanwhile, a spokesman for X said"
                return segment, min(end, segment + _MAX_SPEAKER_TOKENS - 1)
            aside = aside or (segment, end)
            end = segment - 2  # before the comma that opens the aside
            continue
        start = end
        while start > segment and lowered[start - 1] not in BOUNDARY:
            start -= 1
        while start <= end and lowered[start] in LEADING_SKIP:
            start += 1
        if start > end:
            if words[end] == ",":
                end -= 1
                continue
            return aside
        if end - start + 1 > _MAX_SPEAKER_TOKENS:
            start = end - _MAX_SPEAKER_TOKENS + 1
        return start, end
    return aside


def _only_openers(lowered: list[str], comma: int) -> bool:
    """Whether the tokens before the comma at ``comma`` are only a sentence's opening adverb or
    time ("Meanwhile,", "On Monday,", "Late on Friday,"): no speaker is there."""
    if comma < 1 or lowered[comma] != ",":
        return False
    return all(w in OPENERS or w in TRAILING or w in LEADING_SKIP for w in lowered[:comma])


def _is_aside(word: str, original: str) -> bool:
    """Whether a phrase starting with ``word`` is an aside rather than a speaker."""
    if word in ASIDE_STARTS:
        return True
    return original[:1].islower() and len(word) > 4 and word.endswith(("ing", "ed"))


_RIGHT_STOPS = frozenset(', ; : ( . ! ? — – " “ ” « » „'.split())
# A clause word ends the speaker; "and" does not ("according to the army and its allies").
_RIGHT_BOUNDARY = BOUNDARY - {"and"}


def _right(j: int, words: list[str], lowered: list[str]) -> tuple[int, int] | None:
    """The speaker's tokens after an inverted verb, "according to" or a passive "by", to the
    next comma or clause word ("repeated by Western outlets but denied by Kyiv")."""
    end = j
    while end < len(words) and words[end] not in _RIGHT_STOPS:
        if end > j and lowered[end] in _RIGHT_BOUNDARY:
            break
        end += 1
    if end == j:
        return None
    return j, min(end - 1, j + _MAX_SPEAKER_TOKENS - 1)


def _source(
    span: tuple[int, int],
    sentence: _Text,
    words: list[str],
    lowered: list[str],
    matches: list[Match],
    history: list[Source],
) -> Source | None:
    first, last = span
    for j in range(first + 1, last):  # "Residents reached by telephone said": not the telephone
        if lowered[j + 1] == "by" and words[j].endswith("ed") and words[j].islower():
            last = j - 1
            matches = [m for m in matches if m.last <= last]
            break
    while last > first and lowered[last] in TRAILING:
        last -= 1
    named = [m for m in matches if _speaks(m, words, lowered, first, last)]
    if named:
        m = named[0]
        person = any(n.kind in PERSON_KINDS for n in named) or any(
            DESCRIPTIONS.get(lowered[j]) == "person" for j in range(first, last + 1)
        )
        kind = "person" if person else _kind_class(m.kind)
        return _span_source(sentence, first, last, m.party, False, kind)
    for j in range(first, min(last, first + 3) + 1):
        w = lowered[j]
        if j == first and w in PRONOUNS:
            refers, head = PRONOUNS[w], None
        elif w in DESCRIPTIONS and j > first and lowered[j - 1] in DEFINITE:
            refers, head = DESCRIPTIONS[w], w
        elif j == first and w in POSSESSIVE and j < last:  # "its three members said"
            refers, head = "org", None
        else:
            continue
        if head is not None and j + 1 <= last and lowered[j + 1] in ("for", "of"):
            break  # "the spokesman for X": X decides, and X is unknown here
        earlier = _nearest(history, refers, head)
        party = earlier.party if earlier is not None else None
        kind = earlier.kind if earlier is not None else refers
        return _span_source(sentence, first, last, party, earlier is not None, kind)
    phrase = range(first, last + 1)
    if not any(
        words[j][:1].isupper() or lowered[j] in DESCRIPTIONS or lowered[j] in SPEAKER_NOUNS
        for j in phrase
    ):
        return None  # "the fighting began, residents said" has a speaker; "it was said" not
    if last - first + 1 > _MAX_UNKNOWN_TOKENS or any(lowered[j] in NOT_IN_SPEAKER for j in phrase):
        return None
    kind = "org" if any(lowered[j] in ORG_WORDS for j in phrase) else "person"
    return _span_source(sentence, first, last, None, False, kind)


def _speaks(m: Match, words: list[str], lowered: list[str], first: int, last: int) -> bool:
    """Whether an actor found in the speaker's phrase is the speaker: not a place after "in"
    ("diplomats in Bamako"), not a generic head owned by another ("Algeria's army"), and a
    nation only alone at the phrase's start ("Bamako said") or before an official head
    ("Malian army", "Russia's foreign ministry")."""
    if m.first > first and lowered[m.first - 1] in LOCATIVE and not _of_phrase(lowered, m.first):
        return False
    if m.kind == "nation":
        after = m.last + 1
        if m.first > first + 1 and lowered[m.first - 1] == "of":  # "the foreign ministry of Mali"
            return any(lowered[j] in OFFICIAL_HEADS for j in range(first, m.first - 1))
        if after > last:
            return m.first == first or lowered[m.first - 1] in DEFINITE
        if lowered[after] in ("'s", "’s"):
            after += 1
        return any(lowered[j] in OFFICIAL_HEADS for j in range(after, min(last, after + 3) + 1))
    if m.kind in ("institution", "force") and words[m.first][:1].islower() and m.first > first:
        j = m.first - 1
        if words[j] in ("'s", "’s") and j > first:
            j -= 1
        owner = words[j]
        return not (owner[:1].isupper() and owner.lower() not in DEFINITE)
    return True


def _kind_class(kind: str) -> str:
    if kind in PERSON_KINDS:
        return "person"
    return "any" if kind in ("group", "force") else "org"


def _nearest(history: list[Source], refers: str, head: str | None = None) -> Source | None:
    """The nearest earlier source a pronoun or description can refer to: one whose words hold
    the description's head ("the channel" -> "a Wagner-linked Telegram channel"), else the
    nearest of a fitting kind (a person for "he" and "she", an institution or group for "it")."""
    recent = history[-8:]
    if head is not None:
        for source in reversed(recent):
            if head in source.text.lower():
                return source
    for source in reversed(recent):
        if refers == "any" or source.kind == refers or (refers == "org" and source.kind == "any"):
            return source
    return None


def _span_source(
    sentence: _Text,
    first: int,
    last: int,
    party: str | None,
    inherited: bool,
    kind: str,
) -> Source:
    # Offsets only now, for the few tokens of a source: most sentences never need them.
    text, base = sentence.text, sentence.start
    # Tokens counted as _analyse counted them (see _normalise_quotes); the text is the original's.
    found = list(itertools.islice(_TOKEN.finditer(sentence.marked), last + 1))
    start, end = found[first].start(), found[last].end()
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
            if owner is None and last + 1 < n and _is_tail(found[last + 1]):
                owner = _tail_source(found[last + 1])
            if owner is None and i and found[i - 1].source is not None:
                owner = found[i - 1].source
            if owner is not None:
                for g in run:
                    if g.source is None:
                        _inherit(g, owner)
            i = last + 1
            continue
        if f.source is None and f.quote == "full":
            if i + 1 < n and _is_tail(found[i + 1]):  # "'...,'" then "Diop emphasized."
                _inherit(f, _tail_source(found[i + 1]))
            elif i and found[i - 1].source is not None:
                _inherit(f, found[i - 1].source)
        i += 1


def _is_tail(f: _Found) -> bool:
    """A short sentence that only says who spoke the quotation before it."""
    return f.short and f.own and f.source is not None


def _tail_source(tail: _Found) -> Source:
    """The source of a tail, which hands it to the quotation before: the tail itself then only
    says that someone spoke ("Diop emphasized."), an act that carries no claim of its own."""
    assert tail.source is not None
    tail.cue = ACT
    return tail.source


# How far a statement introduced by a colon, or an interview's first person, runs on.
_BLOCK_SENTENCES = 8


def _lead(sentences: Sequence[_Sentence], actors: ActorIndex) -> Source | None:
    """The first person or group of the scheme named in the article's first three sentences
    ("... interview with Mohamed Elmaouloud Ramadane"): who an interview's answers are from."""
    if not actors:
        return None
    for raw in sentences[:3]:
        sentence = _Text.of(raw)
        words = _TOKEN.findall(sentence.marked)
        lowered = [w.lower() for w in words]
        for m in actors.find(words, lowered):
            if m.kind in _TURN_SPEAKERS:
                kind = "person" if m.kind in PERSON_KINDS else "any"
                return _span_source(sentence, m.first, m.last, m.party, False, kind)
    return None


def _carry_on(found: list[_Found], lead: Callable[[], Source | None]) -> None:
    """Hand a source on where wire copy leaves it implicit.

    * A sentence ending in a colon after its source ("the ministry said in a statement:")
      introduces the statement: the sentences after it that name no source are its words,
      until one names a source.
    * A sentence in the first person outside quotation marks ("We have established contacts")
      is the latest speaker's, as in an interview's answers; before any speaker, it is the
      first person the article names.
    * A quoted headline with no attribution is the words of the first source the article names
      in the sentences after it, or else of the first speaker of an interview's turns.
    * In an interview (a turn names its speaker: "Ramadane, spokesman for the FLA – ..."), the
      sentences after a question that name no source are the answer of the last speaker whose
      turn was named, until the next question.
    """
    n = len(found)
    latest: Source | None = None
    block: Source | None = None
    block_left = 0
    interviewee: Source | None = None  # the last speaker of a named turn
    answering = False
    # Before an interview's first turn, "we" is the interviewer: "we met him in Gao".
    first_turn = next((k for k, f in enumerate(found) if f.turn), n)
    for k, f in enumerate(found):
        if f.question and f.source is None:
            answering = interviewee is not None
            continue
        if f.source is not None and (f.own or f.cue == "quote"):
            latest = f.source
            block = f.source if f.opens_block else None
            block_left = _BLOCK_SENTENCES if f.opens_block else 0
            if f.turn:
                interviewee, answering = f.source, True
            continue
        if block is not None and block_left > 0:
            _inherit(f, block, "statement")
            block_left -= 1
        elif answering and interviewee is not None and f.source is None:
            _inherit(f, interviewee, "first_person" if f.first_person else "statement")
        elif f.first_person and (first_turn == n or k > first_turn):
            if latest is None:
                latest = lead()
            if latest is not None:
                _inherit(f, latest, "first_person")
        elif f.opens_block and latest is not None:
            block, block_left = latest, _BLOCK_SENTENCES
    if n and found[0].source is None and found[0].quote in ("full", "part"):
        # An interview's headline quotes the one interviewed.
        owner = next((g.source for g in found if g.turn), None)
        owner = owner or next((g.source for g in found[1:4] if g.own and g.source), None)
        if owner is not None:
            _inherit(found[0], owner, "quote")


def _inherit(f: _Found, owner: Source, cue: str = "quote") -> None:
    f.source = Source(owner.text, owner.start, owner.end, owner.party, True, owner.kind)
    f.cue = cue
