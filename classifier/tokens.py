"""The word tokenizer inside every model's TF-IDF step.

It lives in ``classifier`` because pickled pipelines refer to it by module path: moving or
renaming it breaks every saved model.
"""

from __future__ import annotations

import re

import regex

# Words with inner hyphens or apostrophes ("pro-Russian", "Mali's"), numbers, and quotation
# marks: quotes mark reported speech, which matters for whose framing a sentence carries.
PATTERN = r"\w+(?:[-'’]\w+)*|[\"“”«»]"
# Compiled as nltk's RegexpTokenizer(PATTERN) compiles it (the ``regex`` engine, these flags),
# so tokens are the same, but called directly: nltk 3.10 puts a time limit around every call,
# which cost a third of a short sentence's featurisation. This pattern is linear (a separator
# stands between repetitions), so it needs no time limit.
_FLAGS = re.UNICODE | re.MULTILINE | re.DOTALL
_TOKENS = regex.compile(PATTERN, _FLAGS)
_TOKENS_STDLIB = re.compile(PATTERN)


def _where_engines_differ(limit: int = 0x3000) -> re.Pattern:
    r"""Characters on which ``regex`` and the standard library disagree about ``\w``: the few
    below ``limit`` where they do (combining accents, superscript digits, fractions) and, not to
    spend time checking them, all characters above it. On text without them, the standard
    library's engine (three times faster) finds the same tokens."""
    chars = "".join(map(chr, range(limit)))
    differ = set(re.findall(r"\w", chars)) ^ set(regex.findall(r"\w", chars, _FLAGS))
    listed = "".join(re.escape(c) for c in sorted(differ))
    return re.compile(f"[{listed}{re.escape(chr(limit))}-\U0010ffff]")


_ENGINES_DIFFER = _where_engines_differ()

# Between texts tokenized together; no token can hold it, since the pattern does not match it.
SEPARATOR = "\x1e"
_SEPARATED_STDLIB = re.compile(PATTERN + "|" + SEPARATOR)


def tokenize(text: str) -> list[str]:
    """Split already lower-cased text into word tokens, keeping quotation marks as tokens."""
    if _ENGINES_DIFFER.search(text) is None:
        return _TOKENS_STDLIB.findall(text)
    return _TOKENS.findall(text)


def tokenize_lowered(texts: list[str]) -> list[str] | None:
    """The tokens of every text, lower-cased, in one list with ``SEPARATOR`` between texts: the
    same tokens as ``tokenize(text.lower())`` text by text, found in few calls. None if a text
    holds the separator itself."""
    if any(SEPARATOR in text for text in texts):
        return None
    lowered = [text.lower() for text in texts]
    # Runs of texts the standard library can take are tokenized together; the others alone.
    odd = [i for i, text in enumerate(lowered) if _ENGINES_DIFFER.search(text)]
    tokens: list[str] = []
    start = 0
    for i in [*odd, len(lowered)]:
        if start < i:
            if start:
                tokens.append(SEPARATOR)
            tokens += _SEPARATED_STDLIB.findall(SEPARATOR.join(lowered[start:i]))
        if i < len(lowered):
            if i:
                tokens.append(SEPARATOR)
            tokens += _TOKENS.findall(lowered[i])
        start = i + 1
    return tokens
