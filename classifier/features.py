"""A model's fitted TF-IDF features, computed faster than scikit-learn's ``transform``, equal.

scikit-learn builds every n-gram string of a sentence, then counts them one dictionary update
at a time; that is most of a prediction's cost. ``Featurizer`` tokenizes a batch of texts in one
pass, codes each word n-gram as an integer made of its tokens' numbers and finds the
vocabulary's codes by binary search over arrays, remembers each word's character n-grams, sums
the counts in the sparse matrix, and hands them to the vectorizer's own TF-IDF step: the matrix
is the one ``transform`` returns, value for value (``tests/test_features.py`` checks it on every
kind of block we train), two to four times sooner.

Blocks it does not know (a target interaction, a custom analyzer, stop words) fall back to their
own ``transform``; a vectoriser behind ``TextOnly`` or ``WithoutTarget`` is counted on the
stripped texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain, repeat
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from .context import TextOnly, texts_of
from .targets import WithoutTarget, texts_without_target
from .tokens import SEPARATOR, tokenize, tokenize_lowered

# Words whose character n-gram ids are remembered; cleared when full, so memory stays bounded.
WORD_CACHE = 200_000
# Texts featurized together: their tokens and n-grams are held at once.
BATCH = 4096

Counter = Callable[[Sequence[str]], sparse.csr_matrix]


class Featurizer:
    """``pipeline[:-1].transform`` for a fitted (FeatureUnion of) TF-IDF pipeline, faster."""

    def __init__(self, features: Pipeline) -> None:
        self._fallback = features
        union = features[-1] if len(features) == 1 else None
        blocks = _blocks(union) if isinstance(union, FeatureUnion) else None
        self._blocks = blocks

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if len(texts) > BATCH:
            parts = [self.transform(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
            return sparse.csr_matrix(sparse.vstack(parts, format="csr"))
        if self._blocks is None:
            return sparse.csr_matrix(self._fallback.transform(list(texts)))
        matrices = [block(texts) for block in self._blocks]
        return sparse.csr_matrix(sparse.hstack(matrices).tocsr())


def _blocks(union: FeatureUnion) -> list[Callable[[Sequence[str]], Any]] | None:
    if union.transformer_weights:
        return None
    blocks: list[Callable[[Sequence[str]], Any]] = []
    for _, step in union.transformer_list:
        if isinstance(step, str):  # "drop" or "passthrough": let scikit-learn handle it
            return None
        # The text without its context codes, or without its target, or both: in that order.
        strips: list[Callable[[Sequence[str]], list[str]]] = []
        while isinstance(step, TextOnly | WithoutTarget):
            strips.append(texts_of if isinstance(step, TextOnly) else texts_without_target)
            step = step.vectorizer_
        counter = _counter(step)
        block = _tfidf(step, counter) if counter else _own_transform(step)
        blocks.append(_stripped(block, strips) if strips else block)
    return blocks


def _stripped(
    block: Callable[[Sequence[str]], Any], strips: list[Callable[[Sequence[str]], list[str]]]
) -> Callable[[Sequence[str]], Any]:
    def transform(texts: Sequence[str]) -> Any:
        for strip in strips:
            texts = strip(texts)
        return block(texts)

    return transform


def _own_transform(step: Any) -> Callable[[Sequence[str]], Any]:
    return lambda texts: step.transform(list(texts))


def _tfidf(vectorizer: TfidfVectorizer, counter: Counter) -> Callable[[Sequence[str]], Any]:
    def transform(texts: Sequence[str]) -> Any:
        counts = counter(texts)
        if vectorizer.binary:
            counts.data.fill(1)
        return vectorizer._tfidf.transform(counts, copy=False)

    return transform


def _counter(step: Any) -> Counter | None:
    """Counts of the vectorizer's fitted vocabulary, if it is a kind we can count exactly."""
    if type(step) is not TfidfVectorizer or not hasattr(step, "_tfidf"):
        return None
    plain = (
        step.input == "content"
        and step.lowercase
        and step.preprocessor is None
        and step.strip_accents is None
        and step.stop_words is None
    )
    if not plain:
        return None
    if step.analyzer == "word" and step.tokenizer is tokenize:
        return _word_counter(step)
    if step.analyzer == "char_wb":
        return _char_wb_counter(step)
    return None


def _word_counter(vec: TfidfVectorizer) -> Counter:
    """Word n-gram counts of a batch of texts, tokenized together and looked up together."""
    lookup = vec.vocabulary_.get
    low, high = vec.ngram_range
    width = len(vec.vocabulary_)
    codes: _NgramCodes | None = None

    def count(texts: Sequence[str]) -> sparse.csr_matrix:
        nonlocal codes
        texts = list(texts)
        tokens = tokenize_lowered(texts) if texts else None
        if tokens is None:  # no texts, or one holds the separator: one text at a time
            return _matrix([_word_ids(t, lookup, low, high) for t in texts], width, vec.dtype)
        # Row of each token: how many separators come before it.
        row = np.cumsum(np.asarray(tokens, dtype=object) == SEPARATOR)
        if codes is None:  # built on first use: a model loaded only to be listed never needs it
            codes = _NgramCodes(vec.vocabulary_, high)
        if codes.usable:
            rows, ids = codes.find(tokens, row, low, high)
        else:  # so many distinct tokens that n-gram codes would overflow 64 bits
            rows, ids = _find_by_string(tokens, row, lookup, low, high)
        return _from_pairs(rows, ids, len(texts), width, vec.dtype)

    return count


class _NgramCodes:
    """The vocabulary's n-grams as integers: each token a number below ``base``, an n-gram the
    number its tokens' numbers make in that base. A batch's n-grams are then found with a few
    array operations instead of one string join and one dictionary lookup each; tokens never
    hold a space, so an n-gram string and its tokens determine each other."""

    def __init__(self, vocabulary: dict[str, int], high: int) -> None:
        self.tokens: dict[str, int] = {}
        number = self.tokens.setdefault
        split = [(term.split(" "), feature) for term, feature in vocabulary.items()]
        for parts, _ in split:
            for token in parts:
                number(token, len(self.tokens))
        self.base = max(len(self.tokens), 1)
        self.usable = self.base**high < 2**62
        self.sorted: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if not self.usable:
            return
        by_n: dict[int, tuple[list[int], list[int]]] = {}
        for parts, feature in split:
            code = 0
            for token in parts:
                code = code * self.base + self.tokens[token]
            keys, features = by_n.setdefault(len(parts), ([], []))
            keys.append(code)
            features.append(feature)
        for n, (keys, features) in by_n.items():
            order = np.argsort(np.asarray(keys, dtype=np.int64))
            self.sorted[n] = (
                np.asarray(keys, dtype=np.int64)[order],
                np.asarray(features, dtype=np.int64)[order],
            )
        # A unigram's code is its token's number: look it up by position, not by search.
        self.unigram = np.full(self.base + 1, -1, dtype=np.int64)  # the last: unknown tokens
        if 1 in self.sorted:
            self.unigram[self.sorted[1][0]] = self.sorted[1][1]

    def find(
        self, tokens: list[str], row: np.ndarray, low: int, high: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(row, feature id) of every n-gram of ``tokens`` in the vocabulary."""
        number = np.fromiter(map(self.tokens.get, tokens, repeat(-1)), np.int64, len(tokens))
        known = number >= 0  # unknown tokens and separators are in no vocabulary n-gram
        rows, ids = [], []
        for n in range(low, high + 1):
            if n not in self.sorted or len(number) < n:
                continue
            if n == 1:
                found = self.unigram[number]  # -1 (the last entry) for unknown tokens
                rows.append(row[found >= 0])
                ids.append(found[found >= 0])
                continue
            m = len(number) - n + 1
            code, ok = number[:m].copy(), known[:m].copy()
            for k in range(1, n):
                code = code * self.base + number[k : k + m]
                ok &= known[k : k + m]
            start, code = np.flatnonzero(ok), code[ok]  # search only n-grams of known tokens
            keys, features = self.sorted[n]
            at = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
            hit = keys[at] == code
            rows.append(row[start[hit]])
            ids.append(features[at[hit]])
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(ids)


def _find_by_string(
    tokens: list[str], row: np.ndarray, lookup: Callable, low: int, high: int
) -> tuple[np.ndarray, np.ndarray]:
    # An n-gram across texts holds the separator, which no vocabulary entry does.
    ids, rows = [], []
    for n in range(low, high + 1):
        grams = tokens if n == 1 else map(" ".join, _shifted(tokens, n))
        found = np.fromiter(map(lookup, grams, repeat(-1)), dtype=np.int64)
        ids.append(found)
        rows.append(row[: len(found)])
    return np.concatenate(rows), np.concatenate(ids)


def _word_ids(text: str, lookup: Callable, low: int, high: int) -> list[int]:
    tokens = tokenize(text.lower())
    grams = tokens[:] if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams += map(" ".join, _shifted(tokens, n))
    return [i for i in map(lookup, grams) if i is not None]


def _char_wb_counter(vec: TfidfVectorizer) -> Counter:
    lookup = vec.vocabulary_.get
    low, high = vec.ngram_range
    cache: dict[str, list[int]] = {}

    def word_ids(word: str) -> list[int]:
        # scikit-learn's _char_wb_ngrams for one word: padded with a space on each side, and a
        # word shorter than an n-gram length counted once, whole.
        w = " " + word + " "
        grams = []
        for n in range(low, high + 1):
            grams += [w[i : i + n] for i in range(max(1, len(w) - n + 1))]
            if len(w) <= n:
                break
        return [i for i in map(lookup, grams) if i is not None]

    def ids(text: str) -> list[int]:
        out: list[int] = []
        for word in text.lower().split():
            found = cache.get(word)
            if found is None:
                if len(cache) >= WORD_CACHE:
                    cache.clear()
                found = cache[word] = word_ids(word)
            out += found
        return out

    return lambda texts: _matrix([ids(t) for t in texts], len(vec.vocabulary_), vec.dtype)


def _shifted(tokens: list[str], n: int) -> Iterator[tuple[str, ...]]:
    """Each run of ``n`` consecutive tokens."""
    return zip(*(tokens[i:] for i in range(n)), strict=False)


def _from_pairs(
    rows: np.ndarray, ids: np.ndarray, height: int, width: int, dtype: Any
) -> sparse.csr_matrix:
    """Counts from (row, vocabulary id) pairs; ids of -1 (not in the vocabulary) dropped."""
    keep = ids >= 0
    rows, ids = rows[keep], ids[keep]
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(height + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=height), out=indptr[1:])
    index_dtype = np.int32 if len(ids) <= np.iinfo(np.int32).max else np.int64
    data = np.ones(len(ids), dtype=dtype)
    indices = ids[order].astype(index_dtype)
    counts = sparse.csr_matrix((data, indices, indptr.astype(index_dtype)), shape=(height, width))
    counts.sum_duplicates()
    return counts


def _matrix(rows: list[list[int]], width: int, dtype: Any) -> sparse.csr_matrix:
    """Counts from one list of vocabulary ids per text."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    ids = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    return _from_pairs(np.repeat(np.arange(len(rows)), lengths), ids, len(rows), width, dtype)
