"""The word tokenizer inside every model's TF-IDF step.

It lives in ``classifier`` because pickled pipelines refer to it by module path: moving or
renaming it breaks every saved model.
"""

from __future__ import annotations

from nltk.tokenize import RegexpTokenizer

# Words with inner hyphens or apostrophes ("pro-Russian", "Mali's"), numbers, and quotation
# marks: quotes mark reported speech, which matters for whose framing a sentence carries.
_TOKENIZER = RegexpTokenizer(r"\w+(?:[-'’]\w+)*|[\"“”«»]")


def tokenize(text: str) -> list[str]:
    """Split already lower-cased text into word tokens, keeping quotation marks as tokens."""
    return _TOKENIZER.tokenize(text)
