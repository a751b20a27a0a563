"""The fast featurizer gives the matrix scikit-learn's transform gives, value for value."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from classifier.features import Featurizer
from classifier.targets import with_target
from classifier.tokens import _TOKENS, SEPARATOR, tokenize, tokenize_lowered
from training.fit import FitConfig, build_pipeline

CORPUS = Path(__file__).resolve().parent.parent / "labels" / "corpus" / "sahel"

# Text beyond the corpus's: accents (composed and combining), other scripts, numbers with
# fractions and superscripts, curly and angled quotes, underscores, tabs and runs of spaces,
# words shorter than a character n-gram, empty and blank texts.
ODD_TEXTS = [
    "",
    "   \t ",
    "a",
    "I",
    "Ségou’s mayor said «enough» — “twice”.",
    "Cafe\u0301 owners in Mopti (½ of them) said the 2² rule_set was 'absurd'.",
    "Воєнні злочини: Kyiv's statement, in Ukrainian and English.",
    "مالي تقطع العلاقات مع أوكرانيا",
    "pro-Russian   pro–Russian pro—Russian self-described  'quoted'  don't",
    "UPPER lower MiXeD 123 4.5 6,7",
    "x" * 300,
    "ΟΔΥΣΣΕΥΣ ΚΑΙ ΠΗΝΕΛΟΠΗ: ο Σ στο τέλος ΛΟΓΟΣ",  # final sigma, lowered in context
    "Ⓐ circled, ‿ tie, zero\u200dwidth joiner, ① one, Ⅻ twelve, 七 seven, 𝐁old",
]


def corpus_texts() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                texts.append(row["text"])
                labels.append(row["label"])
    return texts, labels


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str]]:
    return corpus_texts()


def assert_same_matrix(expected: sparse.spmatrix, got: sparse.spmatrix) -> None:
    expected = sparse.csr_matrix(expected)
    expected.sort_indices()
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)  # equal values, not merely close


@pytest.mark.parametrize(
    "config",
    [
        FitConfig(word_ngrams=(1, 1)),
        FitConfig(word_ngrams=(1, 3)),
        FitConfig(word_ngrams=(2, 3)),
        FitConfig(word_ngrams=(1, 2), char_ngrams=(3, 5)),
        FitConfig(word_ngrams=(1, 2), char_ngrams=(2, 4), min_df=2, max_features=3000),
    ],
    ids=lambda c: f"word{c.word_ngrams}-char{c.char_ngrams}-max{c.max_features}",
)
def test_features_equal_scikit_learns_transform(corpus, config):
    texts, labels = corpus
    half = len(texts) // 2
    pipeline = build_pipeline(config).fit(texts[:half], labels[:half])
    unseen = texts[half:] + ODD_TEXTS

    got = Featurizer(pipeline[:-1]).transform(unseen)

    assert_same_matrix(pipeline[:-1].transform(unseen), got)


def test_texts_featurized_in_batches_give_the_same_matrix(corpus, monkeypatch):
    import classifier.features as features

    monkeypatch.setattr(features, "BATCH", 7)
    texts, labels = corpus
    pipeline = build_pipeline(FitConfig(word_ngrams=(1, 3), char_ngrams=(3, 5)))
    pipeline.fit(texts[:500], labels[:500])

    got = Featurizer(pipeline[:-1]).transform(texts[500:600] + ODD_TEXTS)

    assert_same_matrix(pipeline[:-1].transform(texts[500:600] + ODD_TEXTS), got)


def test_binary_counts_equal_scikit_learns(corpus):
    texts, labels = corpus
    pipeline = build_pipeline(FitConfig(word_ngrams=(1, 2), char_ngrams=(3, 4)))
    for _, vectorizer in pipeline[0].transformer_list:
        vectorizer.set_params(binary=True)
    pipeline.fit(texts[:400], labels[:400])

    got = Featurizer(pipeline[:-1]).transform(texts[400:800] + ODD_TEXTS)

    assert_same_matrix(pipeline[:-1].transform(texts[400:800] + ODD_TEXTS), got)


def test_target_blocks_fall_back_to_their_own_transform_with_the_same_result(corpus):
    texts, labels = corpus
    targets = ["mali", "ukraine", None]
    inputs = [with_target(t, targets[i % 3]) for i, t in enumerate(texts[:600])]
    pipeline = build_pipeline(FitConfig(targeted=True)).fit(inputs, labels[:600])

    got = Featurizer(pipeline[:-1]).transform(inputs[:200])

    assert_same_matrix(pipeline[:-1].transform(inputs[:200]), got)


@pytest.mark.parametrize("mode", ["ignore", "separate"])
def test_target_modes_give_the_same_features_as_scikit_learn(corpus, mode):
    texts, labels = corpus
    targets = ["mali", "ukraine", None]
    inputs = [with_target(t, targets[i % 3]) for i, t in enumerate(texts[:600])]
    config = FitConfig(targeted=True, target_mode=mode, char_ngrams=(3, 4))
    pipeline = build_pipeline(config).fit(inputs, labels[:600])

    got = Featurizer(pipeline[:-1]).transform(inputs[:200])

    assert_same_matrix(pipeline[:-1].transform(inputs[:200]), got)


def test_a_word_cache_that_fills_up_is_cleared_and_results_stay_equal(corpus, monkeypatch):
    import classifier.features as features

    monkeypatch.setattr(features, "WORD_CACHE", 50)
    texts, labels = corpus
    pipeline = build_pipeline(FitConfig(char_ngrams=(3, 5))).fit(texts[:500], labels[:500])
    featurizer = Featurizer(pipeline[:-1])

    for start in range(500, 900, 100):  # many more than 50 distinct words
        batch = texts[start : start + 100]
        assert_same_matrix(pipeline[:-1].transform(batch), featurizer.transform(batch))


def test_tokens_are_nltks_regexp_tokenizers(corpus):
    from nltk.tokenize import RegexpTokenizer

    from classifier.tokens import PATTERN

    reference = RegexpTokenizer(PATTERN)
    texts, _ = corpus
    for text in [t.lower() for t in texts[:500]] + [t.lower() for t in ODD_TEXTS]:
        assert tokenize(text) == reference.tokenize(text)
        assert tokenize(text) == _TOKENS.findall(text)


def test_texts_tokenized_together_give_each_texts_tokens(corpus):
    texts, _ = corpus
    batch = texts[:300] + ODD_TEXTS

    together = tokenize_lowered(batch)

    assert together is not None
    per_text = [tokenize(t.lower()) for t in batch]
    assert together == [
        tok for i, toks in enumerate(per_text) for tok in [SEPARATOR] * (i > 0) + toks
    ]


def test_a_text_holding_the_separator_is_featurized_alone_with_the_same_result(corpus):
    texts, labels = corpus
    pipeline = build_pipeline(FitConfig(word_ngrams=(1, 3))).fit(texts[:400], labels[:400])
    batch = texts[400:450] + [f"the army{SEPARATOR}said"] + ODD_TEXTS

    assert tokenize_lowered(batch) is None
    assert_same_matrix(pipeline[:-1].transform(batch), Featurizer(pipeline[:-1]).transform(batch))


def test_a_model_pickled_for_workers_still_featurizes(tiny_model):
    copy = pickle.loads(pickle.dumps(tiny_model))

    texts = ["Bamako said the attack was cowardly.", "Kyiv denied any role."]
    assert_same_matrix(tiny_model.pipeline[:-1].transform(texts), copy.features(texts))
