"""A trained model ready to use: its pipeline, splitter, scheme and manifest together."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.pipeline import Pipeline

from .features import Featurizer
from .scheme import Scheme, scheme_from_dict
from .text import SentenceSplitter

# Feature blocks whose names are shown as evidence; character n-grams are not readable words.
_EVIDENCE_BLOCKS = ("word", "context")


@dataclass
class Model:
    """A loaded model. Build it with ``ModelRegistry.load`` or ``Model.from_payload``."""

    version: str
    manifest: dict[str, Any]
    scheme: Scheme
    pipeline: Pipeline
    splitter: SentenceSplitter
    _weights: np.ndarray = field(init=False, repr=False)
    _names: np.ndarray = field(init=False, repr=False)
    _shown: np.ndarray = field(init=False, repr=False)
    _kinds: np.ndarray = field(init=False, repr=False)
    _unigram: np.ndarray = field(init=False, repr=False)
    _columns: list[int] = field(init=False, repr=False)
    _row_coef: Callable[..., np.ndarray] | None = field(init=False, repr=False)
    _featurizer: Featurizer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._featurizer = Featurizer(self.pipeline[:-1])
        clf = self.pipeline[-1]
        # One model per target (``PerTargetLogisticRegression``): each row's own coefficients.
        self._row_coef = getattr(clf, "row_coef", None)
        coef = np.asarray(clf.coef_, dtype=np.float64)
        if coef.shape[0] == 1:  # two labels: the log-odds of each against the other
            coef = np.vstack([-coef[0], coef[0]])
        else:  # centred logits: adding one value to every label's logit changes nothing
            coef = coef - coef.mean(axis=0, keepdims=True)
        # Everything in the scheme's label order: the model's column of each scheme label.
        classes = self.classes
        self._columns = [classes.index(c) if c in classes else -1 for c in self.scheme.label_ids]
        self._weights = np.zeros((len(self._columns), coef.shape[1]))
        for j, c in enumerate(self._columns):
            if c >= 0:
                self._weights[j] = coef[c]
        names = np.asarray(self.pipeline[:-1].get_feature_names_out(), dtype=object)
        block = np.array([str(n).split("__", 1)[0] for n in names])
        self._shown = np.isin(block, _EVIDENCE_BLOCKS) | (block == names.astype(str))
        self._names = np.array([str(n).split("__", 1)[-1] for n in names], dtype=object)
        # "word" for the sentence's own words, "context" for who speaks and how (attribution).
        self._kinds = np.where(block == "context", "context", "word").astype(object)
        # Single words of the word block: how much of a sentence the model knows.
        self._unigram = (block == "word") & np.array([" " not in n for n in self._names])

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to worker processes and Dask workers: the fields, and the rest is rebuilt there.
        return (Model, (self.version, self.manifest, self.scheme, self.pipeline, self.splitter))

    @classmethod
    def from_payload(cls, version: str, manifest: Mapping[str, Any], payload: Mapping) -> Model:
        return cls(
            version=version,
            manifest=dict(manifest),
            scheme=scheme_from_dict(manifest["scheme"], f"manifest of {version}"),
            pipeline=payload["pipeline"],
            splitter=SentenceSplitter(payload.get("splitter")),
        )

    @property
    def level(self) -> str:
        """``sentence`` or ``article``: what one training row was."""
        return str(self.manifest.get("level", "sentence"))

    @property
    def uses_target(self) -> bool:
        """Whether the model was trained on stance toward targets (inputs carry a target)."""
        return bool(self.manifest.get("uses_target"))

    @property
    def uses_context(self) -> bool:
        """Whether the model learned from attribution (its scheme has actors)."""
        return bool(self.manifest.get("uses_context"))

    @property
    def classes(self) -> list[str]:
        """Label ids in the order of the probability columns, read from the pipeline."""
        return [str(c) for c in self.pipeline.classes_]

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The pipeline's features for ``texts``, equal to ``pipeline[:-1].transform``."""
        return self._featurizer.transform(texts)

    def warm(self) -> Model:
        """Build the featurizer's lookup tables now (a quarter second for a large vocabulary)
        rather than in the first request; returns the model."""
        self.features(["warm"])
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of every label (columns in ``classes`` order) for each text."""
        return self.pipeline[-1].predict_proba(self.features(texts))

    def scheme_proba(self, proba: np.ndarray) -> np.ndarray:
        """The classifier's probabilities with columns in the scheme's label order."""
        out = np.zeros((proba.shape[0], len(self._columns)))
        for j, c in enumerate(self._columns):
            if c >= 0:
                out[:, j] = proba[:, c]
        return out

    def known_words(self, features: sparse.csr_matrix) -> np.ndarray:
        """For each row, how many distinct words of its text the model has a feature for."""
        n = features.shape[0]
        rows = np.repeat(np.arange(n), np.diff(features.indptr))
        hit = self._unigram[features.indices]
        return np.bincount(rows[hit], minlength=n)

    def evidence(
        self,
        features: sparse.csr_matrix,
        labels: np.ndarray,
        k: int,
        *,
        decimals: int = 4,
        context_terms: int = 3,
    ) -> list[list[dict[str, Any]]]:
        """For each row, the ``k`` words and the ``context_terms`` context features that pushed
        hardest toward that row's label (``labels``: each row's column in the scheme's label
        order), heaviest first.

        Each term is ``{"term": ..., "weight": ..., "kind": ...}``, the weight rounded to
        ``decimals``; ``kind`` is ``word`` (an n-gram of the sentence) or ``context`` (what
        attribution found: who speaks, whether quoted, who spoke before). A term's weight is its
        feature value times its coefficient for the label, centred over the labels (for two
        labels: the log-odds). This is exactly how much the term moves the label's score, so the
        weights of all terms plus the intercept give the prediction.
        """
        words = self._top_terms(features, labels, k, decimals, self._kinds == "word")
        if not context_terms or not (self._kinds == "context").any():
            return words
        context = self._top_terms(
            features, labels, context_terms, decimals, self._kinds == "context"
        )
        return [
            sorted(w + c, key=lambda t: -t["weight"]) for w, c in zip(words, context, strict=True)
        ]

    def _label_weights(
        self, features: sparse.csr_matrix, labels: np.ndarray, rows: np.ndarray, cols: np.ndarray
    ) -> np.ndarray:
        """The coefficient of each (row, column) pair for that row's label (scheme order)."""
        if self._row_coef is None:
            return self._weights[labels, cols]
        per_class = self._row_coef(features, rows, cols)  # classes in the model's order
        column = np.asarray(self._columns)[labels] if len(labels) else np.zeros(0, np.int64)
        picked = per_class[np.maximum(column, 0), np.arange(len(cols))]
        return np.where(column >= 0, picked, 0.0)

    def _top_terms(
        self,
        features: sparse.csr_matrix,
        labels: np.ndarray,
        k: int,
        decimals: int,
        allowed: np.ndarray,
    ) -> list[list[dict[str, Any]]]:
        lengths = np.diff(features.indptr)
        rows = np.repeat(np.arange(features.shape[0]), lengths)
        cols = features.indices
        weights = features.data * self._label_weights(features, labels[rows], rows, cols)
        keep = self._shown[cols] & allowed[cols] & (weights > 0)
        rows, cols, weights = rows[keep], cols[keep], weights[keep]
        order = np.lexsort((-weights, rows))  # by row, then heaviest first
        rows, cols, weights = rows[order], cols[order], weights[order]
        # The first k of each row: a term's rank within its row is its position minus the row's.
        starts = np.searchsorted(rows, rows, side="left")
        top = np.arange(rows.size) - starts < k
        rows, cols, weights = rows[top], cols[top], np.round(weights[top], decimals)
        bounds = np.searchsorted(rows, np.arange(features.shape[0] + 1)).tolist()
        terms = [
            {"term": t, "weight": w, "kind": kind}
            for t, w, kind in zip(
                self._names[cols].tolist(),
                weights.tolist(),
                self._kinds[cols].tolist(),
                strict=True,
            )
        ]
        return [terms[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
