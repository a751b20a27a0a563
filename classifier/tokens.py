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
_TOKENS = regex.compile(PATTERN, re.UNICODE | re.MULTILINE | re.DOTALL)
# The standard library's engine is three times faster, and gives the same tokens wherever the
# two agree on what a word character is: in ASCII, which is most news text once the pattern's
# own quotation marks are set aside. Text with any other character goes to ``regex``.
_TOKENS_ASCII = re.compile(PATTERN)
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f’“”«»]")


def tokenize(text: str) -> list[str]:
    """Split already lower-cased text into word tokens, keeping quotation marks as tokens."""
    if _BEYOND_ASCII.search(text) is None:
        return _TOKENS_ASCII.findall(text)
    return _TOKENS.findall(text)
