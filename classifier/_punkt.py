"""nltk's Punkt, with its certain decisions taken without its per-token machinery.

Punkt checks every ".", "?" and "!" followed by a token by tokenising and annotating the
context around it. For most candidates the answer is fixed by its rules (nltk's
``_first_pass_annotation`` and ``_second_pass_annotation``):

* "?" or "!" after a word is always a break;
* "." after a plain word of two or more letters is a break unless the word is a known
  abbreviation or starts a learned collocation: it cannot be an initial, a number or an ellipsis.

This holds whether the next thing is a word or a closing quote or bracket (``said.”``).

``FastPunkt`` answers those cases directly and asks Punkt about the rest, so its splits are
exactly Punkt's (a test compares them) at a fraction of the cost. Its regular expressions are
nltk's own patterns compiled with ``re`` (nltk's time-limited wrapper costs ~50 µs a call):
they are linear, and blocks are bounded in length before they get here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktParameters,
    PunktSentenceTokenizer,
    PunktToken,
)


class _LanguageVars(PunktLanguageVars):
    __slots__ = ()

    re_boundary_realignment = re.compile(
        PunktLanguageVars.re_boundary_realignment.pattern, re.MULTILINE
    )

    def _word_tokenizer_re(self) -> re.Pattern:
        return _WORDS

    def period_context_re(self) -> re.Pattern:
        return _PERIOD_CONTEXT


_BASE = PunktLanguageVars()
_WORDS = re.compile(
    _BASE._word_tokenize_fmt
    % {
        "NonWord": _BASE._re_non_word_chars,
        "MultiChar": _BASE._re_multi_char_punct,
        "WordStart": _BASE._re_word_start,
    },
    re.UNICODE | re.VERBOSE,
)
_PERIOD_CONTEXT = re.compile(
    _BASE._period_context_fmt
    % {"NonWord": _BASE._re_non_word_chars, "SentEndChars": _BASE._re_sent_end_chars},
    re.UNICODE | re.VERBOSE,
)


_REALIGN = _LanguageVars.re_boundary_realignment
# What nltk's _get_last_whitespace_index counts as whitespace (string.whitespace).
_WHITESPACE = " \t\n\r\x0b\x0c"


class _Token(PunktToken):
    """Punkt's token with its own patterns, compiled with ``re``."""

    _RE_ELLIPSIS = re.compile(PunktToken._RE_ELLIPSIS.pattern)
    _RE_NUMERIC = re.compile(PunktToken._RE_NUMERIC.pattern)
    _RE_INITIAL = re.compile(PunktToken._RE_INITIAL.pattern, re.UNICODE)
    _RE_ALPHA = re.compile(PunktToken._RE_ALPHA.pattern, re.UNICODE)


class FastPunkt(PunktSentenceTokenizer):
    """``PunktSentenceTokenizer`` giving the same spans, faster on ordinary sentence ends."""

    def __init__(self, params: PunktParameters) -> None:
        super().__init__(params, lang_vars=_LanguageVars(), token_cls=_Token)
        self._abbrevs = frozenset(params.abbrev_types)
        self._colloc_first = frozenset(first for first, _ in params.collocations)

    def _certain_break(self, text: str, match: re.Match) -> bool:
        end = start = match.start()
        while start > 0 and text[start - 1].isalpha():  # letters are word characters for Punkt
            start -= 1
        if end - start < 2 or (start > 0 and not text[start - 1].isspace()):
            return False  # not a plain word standing alone: let Punkt decide
        if match.group() in "?!":
            return True
        typ = text[start:end].lower()
        return typ not in self._abbrevs and typ not in self._colloc_first

    def _candidates(self, text: str) -> Iterator[tuple[re.Match, int]]:
        """nltk's ``_match_potential_end_contexts``, yielding where each candidate's word starts
        instead of its context string, which only the uncertain candidates need."""
        previous: re.Match | None = None
        previous_start = previous_stop = 0
        for match in _PERIOD_CONTEXT.finditer(text):
            end = match.start()
            # nltk looks for the last ASCII whitespace after the previous candidate's word, and
            # treats one found at that very first position as none found.
            space = max(text.rfind(c, previous_stop, end) for c in _WHITESPACE)
            word_start = space + 1 if space > previous_stop else previous_start
            if previous is not None and previous_stop <= word_start:
                yield previous, previous_start
            previous, previous_start, previous_stop = match, word_start, end
        if previous is not None:
            yield previous, previous_start

    def _slices_from_text(self, text: str) -> Iterator[slice]:
        last_break = 0
        for match, word_start in self._candidates(text):
            if self._certain_break(text, match) or self.text_contains_sentbreak(
                text[word_start : match.start()] + match.group() + match.group("after_tok")
            ):
                yield slice(last_break, match.end())
                last_break = match.start("next_tok") if match.group("next_tok") else match.end()
        yield slice(last_break, len(text.rstrip()))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``list(span_tokenize(text))`` in one loop: nltk's boundary realignment (a closing
        quote or bracket after the break joins the sentence before it) without its chain of
        generators, which cost as much as the decisions on short sentences."""
        breaks = list(self._slices_from_text(text))
        realign = _REALIGN.match
        out: list[tuple[int, int]] = []
        shift = 0
        for here, after in zip(breaks, breaks[1:], strict=False):
            start = here.start + shift
            closer = realign(text, after.start, after.stop)
            if closer:
                out.append((start, after.start + len(closer.group(0).rstrip())))
                shift = closer.end() - after.start
            else:
                shift = 0
                if start < here.stop:
                    out.append((start, here.stop))
        last = breaks[-1]
        if last.start + shift < last.stop:
            out.append((last.start + shift, last.stop))
        return out
