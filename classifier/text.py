"""Sentence splitting with character offsets.

nltk's Punkt with parameters learned by ``training`` from our corpus and stored in the model,
plus the abbreviation list in ``_abbreviations``. ``text[s.start:s.end] == s.text`` always holds.
No nltk data files are needed, so nothing is downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from nltk.tokenize.punkt import (
    _ORTHO_BEG_UC,
    _ORTHO_MID_LC,
    PunktParameters,
)

from ._abbreviations import (
    ABBREVIATIONS,
    AFTER_TIME,
    BEFORE_NUMBER,
    COMMON_STARTERS,
    INSIDE_NAMES,
    SPEECH_VERBS,
    TITLES,
)
from ._punkt import FastPunkt
from .errors import TextEncodingError

# nltk 3.10 runs Punkt's regular expressions under a time limit; a block this long splits in
# well under it, and longer blocks are cut at whitespace first.
MAX_BLOCK_CHARS = 4000

_LINE_BREAK = re.compile(r"\n")
_CLOSERS = "\"'”’»)]}"
_FIRST_WORD = re.compile(r"^[\"“‘'(\[]*([\w.'’-]+)")
_ATTRIBUTION = re.compile(r"^((?:[\w.'’-]+\s+){1,4}?)(\w+)\b")
# "at 2 p.m. Stocks fell": the time ends the sentence when a capitalised word follows.
_TIME_END = re.compile(r"\b[ap]\.m\.(?=\s+[\"“‘']?([A-Z][\w'’-]*))")
# Letters with dots inside, capitalised: initials in a name ("J.P. Morgan", "A.P. Moller-Maersk",
# "S.A.", "P.L.C.") or a degree ("Ph.D.", "M.D.", "B.Sc.", "LL.M.", "D.Phil."). The word is taken
# without its final dot.
_DOTTED = re.compile(r"[A-Z][A-Za-z]{0,3}(?:\.[A-Za-z]{1,4})+")
# A sentence may start in lower case with a web address ("www.un.org", "bbc.com"); "e.g." and
# "i.e." do not match (a domain's last label has two letters or more).
_ADDRESS = re.compile(r"(?:https?://|www\.|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b)")


_BOM = "\ufeff"


def decode_text(data: bytes | str, *, source: str = "the text") -> str:
    """An article's text by framelens' one rule: UTF-8, a leading byte-order mark dropped, line
    endings kept as they are (so ``\\r\\n`` counts two characters in every offset).

    The API, ``framelens annotate`` and ``framelens score`` all read text through this, so they
    give the same offsets for the same file.

    Raises
    ------
    TextEncodingError
        If ``data`` is not UTF-8; the message names ``source`` and the first bad byte's offset.
    """
    if isinstance(data, str):
        return data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextEncodingError(source, exc.start, data[exc.start]) from None
    return text.removeprefix(_BOM)


class Sentence(NamedTuple):
    """One sentence: its position in the article, its character offsets, and its text."""

    index: int
    start: int
    end: int
    text: str


class SentenceSplitter:
    """Split text into sentences with offsets, using Punkt parameters learned at training time.

    Parameters
    ----------
    params
        The dict made by ``training.splitter.learn_splitter_params`` and stored in the model; None
        gives Punkt with our abbreviation list only.
    """

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params = dict(params or {})
        punkt = PunktParameters()
        punkt.abbrev_types = set(self.params.get("abbrev_types", ())) | set(ABBREVIATIONS)
        punkt.collocations = {tuple(pair) for pair in self.params.get("collocations", ())}
        punkt.sent_starters = set(self.params.get("sent_starters", ()))
        # Punkt splits after an abbreviation when the next word is one it has seen in lower case
        # mid-sentence and capitalised only at starts; seed the commonest such words, then let
        # what training learned override them.
        for word in COMMON_STARTERS:
            punkt.ortho_context[word] = _ORTHO_BEG_UC | _ORTHO_MID_LC
        for word, flags in self.params.get("ortho_context", {}).items():
            punkt.ortho_context[word] = int(flags)
        self._punkt = FastPunkt(punkt)

    def split(self, text: str) -> list[Sentence]:
        """Sentences of ``text`` in order, each with its start and end offsets."""
        spans: list[tuple[int, int]] = []
        for start, end in _blocks(text):
            spans += self._split_block(text, start, end)
        return [Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]

    def _split_block(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        # In text that is all lower case, a lower-case word after a "." does start a sentence.
        cased = not text[start:end].islower()
        for chunk_start, chunk_end in _chunks(text, start, end):
            chunk = text[chunk_start:chunk_end]
            found: Iterable[tuple[int, int]] = self._punkt.spans(chunk)
            if ".m." in chunk:  # "a.m."/"p.m."; most chunks have none, so skip the search
                found = _time_breaks(chunk, found)
            for s, e in found:
                s, e = _strip(chunk, s, e)
                if s == e:
                    continue
                if spans and _continues(text, spans[-1], chunk_start + s, cased):
                    spans[-1] = (spans[-1][0], chunk_start + e)
                else:
                    spans.append((chunk_start + s, chunk_start + e))
        return spans


def _time_breaks(chunk: str, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Split Punkt's spans after "a.m."/"p.m." followed by a capitalised word."""
    for s, e in spans:
        for match in _TIME_END.finditer(chunk, s, e):
            word = match.group(1)
            if word.lower() in AFTER_TIME or word.isupper() or _is_zone(chunk, match.end(1)):
                continue
            yield s, match.end()
            s = match.end()
        yield s, e


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Cut text at line breaks, except where the next line starts in lower case (a wrapped line).

    Headlines and paragraphs are lines of their own in pasted articles, and a headline has no
    final period for Punkt to see.
    """
    start = 0
    for match in _LINE_BREAK.finditer(text):
        nxt = text[match.end() : match.end() + 40].lstrip(" \t")
        if nxt[:1].islower():
            continue
        if text[start : match.start()].strip():
            yield start, match.start()
        start = match.end()
    if text[start:].strip():
        yield start, len(text)


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut an over-long block at whitespace, preferring a space after sentence punctuation."""
    while end - start > MAX_BLOCK_CHARS:
        window = text[start : start + MAX_BLOCK_CHARS]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > MAX_BLOCK_CHARS // 2 else window.rfind(" ")
        if cut <= 0:
            cut = MAX_BLOCK_CHARS
        yield start, start + cut
        start += cut
    yield start, end


def _is_zone(chunk: str, end: int) -> bool:
    """ "7.45 a.m. London time": the capitalised word names a time zone."""
    return chunk[end : end + 6].lower().startswith(" time")


def _strip(chunk: str, s: int, e: int) -> tuple[int, int]:
    while s < e and chunk[s].isspace():
        s += 1
    while e > s and chunk[e - 1].isspace():
        e -= 1
    return s, e


def _continues(text: str, previous: tuple[int, int], start: int, cased: bool = True) -> bool:
    """Whether a sentence Punkt ended at ``previous`` really goes on at ``start``.

    ``cased`` is False for a block written all in lower case, where a lower-case word after a
    "." is no sign that the sentence goes on.
    """
    # Only the sentence's tail matters, and only a "." or a quoted "?"/"!" can be undone: this
    # runs at every boundary, so look at the last characters before any regular expression.
    lo, end = max(previous[0], previous[1] - 64), previous[1]
    mark = end
    while mark > lo and text[mark - 1] in _CLOSERS:
        mark -= 1
    if mark == lo:
        return False
    if text[mark - 1] == ".":
        word = text[_word_start(text, lo, mark - 1) : mark - 1]
        last = word.lower()
        if last in TITLES:  # "Gen. Goita": a title never ends a sentence
            return True
        if cased and text[start].islower():
            # "approx. two", "incl. drones", "Ph.D. in": in news copy a lower-case word almost
            # never starts a sentence, whichever abbreviation (or ellipsis) comes before it.
            return not _starts_lower_case_sentence(text, start)
        inside_name = last in INSIDE_NAMES or _DOTTED.fullmatch(word) is not None
        if last in BEFORE_NUMBER or inside_name:
            found = _FIRST_WORD.match(text[start : start + 20])
            next_word = found.group(1) if found else ""
            if last in BEFORE_NUMBER and next_word[:1].isdigit():  # "No. 10"
                return True
            # "U.S. Army", "J.P. Morgan", "a Ph.D. Programme"; but "a Ph.D. The ministry ..."
            if inside_name and next_word.lower() not in COMMON_STARTERS:
                return True
        return False
    if text[mark - 1] in "?!" and mark < end:
        # '"Will they win?" she asked.' and '"Why?" Chebet asked reporters.' are one sentence.
        after = text[start : start + 20]
        if after[:1].islower():
            return True
        word = _FIRST_WORD.match(after)
        if (word.group(1) if word else "").lower() not in COMMON_STARTERS:
            said = _ATTRIBUTION.match(text[start : start + 80])
            return bool(said and said.group(2).lower() in SPEECH_VERBS)
    return False


def _starts_lower_case_sentence(text: str, start: int) -> bool:
    """Whether the lower-case word at ``start`` can still open a sentence: a name written with
    a capital inside ("eBay", "iPhone") or a web address ("www.un.org")."""
    after = text[start : start + 40]
    word = _FIRST_WORD.match(after)
    rest = word.group(1)[1:] if word else ""
    return rest != rest.lower() or _ADDRESS.match(after) is not None


def _word_start(text: str, lo: int, dot: int) -> int:
    """Where the run of word characters, dots and hyphens ending at ``dot`` starts."""
    i = dot
    while i > lo and (text[i - 1].isalnum() or text[i - 1] in "._-"):
        i -= 1
    return i
