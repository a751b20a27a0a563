"""Build and fit the scikit-learn pipeline: TF-IDF features and logistic regression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from classifier.context import ContextFeatures, TextOnly
from classifier.targets import TargetInteraction
from classifier.tokens import tokenize

SEED = 0


@dataclass(frozen=True)
class FitConfig:
    """The settings of one pipeline; model selection searches over these."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = None
    C: float = 10.0
    class_weight: str | None = "balanced"
    min_df: int = 1
    max_features: int | None = 200_000
    # Inputs carry a target (stance data): add per-target copies of the word features.
    targeted: bool = False
    # Inputs carry attribution codes (``classifier.context``): learn from them too, each code
    # valued ``context_weight`` (TF-IDF rows have unit length).
    context: bool = False
    context_weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FitConfig:
        data = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return cls(**data)


def build_pipeline(config: FitConfig = FitConfig()) -> Pipeline:
    """An unfitted pipeline: ``features`` (a union of TF-IDF blocks) then ``clf``."""
    blocks: list[tuple[str, Any]] = [
        (
            "word",
            TfidfVectorizer(
                tokenizer=tokenize,
                token_pattern=None,
                lowercase=True,
                ngram_range=config.word_ngrams,
                min_df=config.min_df,
                max_features=config.max_features,
                sublinear_tf=True,
                dtype=np.float32,
            ),
        )
    ]
    if config.targeted:
        blocks[0] = ("word", TargetInteraction(vectorizer=blocks[0][1]))
    if config.char_ngrams is not None:
        blocks.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=config.char_ngrams,
                    min_df=max(config.min_df, 2),
                    max_features=config.max_features,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            )
        )
    if config.context:
        blocks = [(name, TextOnly(vectorizer=step)) for name, step in blocks]
        blocks.append(("context", ContextFeatures(weight=config.context_weight)))
    return Pipeline(
        [
            ("features", FeatureUnion(blocks)),
            (
                "clf",
                LogisticRegression(
                    C=config.C,
                    class_weight=config.class_weight,
                    max_iter=2000,
                    random_state=SEED,
                ),
            ),
        ]
    )


def fit_pipeline(texts: Sequence[str], labels: Sequence[str], config: FitConfig) -> Pipeline:
    """The pipeline of ``config`` fitted on all the texts, on one thread (see ``training.oof``)."""
    with threadpool_limits(limits=1):
        return build_pipeline(config).fit(list(texts), list(labels))
