"""Cross-validation that shares each fold's features and warm-starts C gives the plain answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import TINY_CSV
from training import FitConfig, build_pipeline, read_dataset
from training.evaluate import cv_splits
from training.oof import oof_proba, oof_proba_and_fit
from training.select import macro_f1

CORPUS = Path(__file__).resolve().parent.parent / "labels" / "corpus" / "sahel"


def test_shared_blocks_give_the_probabilities_of_one_pipeline_per_fold():
    data = read_dataset([TINY_CSV], "sahel")
    configs = [
        FitConfig(word_ngrams=(1, 2), C=3.0),
        FitConfig(word_ngrams=(1, 2), char_ngrams=(3, 5), C=3.0),  # shares the word block
    ]
    probas, classes, _, _ = oof_proba(
        data.texts, data.labels, data.groups, configs, n_jobs=1, warm_start=False
    )
    splits, _ = cv_splits(data.labels, data.groups)
    x, y = np.asarray(data.texts, dtype=object), np.asarray(data.labels)
    for config, proba in zip(configs, probas, strict=True):
        plain = np.zeros_like(proba)
        for train, test in splits:
            pipeline = build_pipeline(config).fit(list(x[train]), y[train])
            assert list(pipeline.classes_) == classes
            plain[test] = pipeline.predict_proba(list(x[test]))
        np.testing.assert_allclose(proba, plain, atol=1e-6)


def test_warm_starts_along_c_score_as_cold_fits():
    data = read_dataset([CORPUS / "part_a.csv", CORPUS / "part_b.csv"], "sahel")
    configs = [FitConfig(word_ngrams=(1, 2), min_df=2, C=c) for c in (0.3, 1.0, 3.0, 10.0)]

    def scores(warm: bool) -> list[float]:
        probas, classes, _, _ = oof_proba(
            data.texts, data.labels, data.groups, configs, n_jobs=1, warm_start=warm
        )
        return [macro_f1(p, data.labels, classes) for p in probas]

    warm, cold = scores(True), scores(False)
    assert warm == pytest.approx(cold, abs=0.002)
    assert len(set(np.round(cold, 4))) > 1, "the values of C must make a difference here"


def test_the_final_fit_beside_the_folds_is_the_plain_fit_and_the_folds_are_unchanged():
    data = read_dataset([TINY_CSV], "sahel")
    config = FitConfig(word_ngrams=(1, 2), C=3.0)
    (alone,), classes, _, _ = oof_proba(data.texts, data.labels, data.groups, [config], n_jobs=2)
    proba, same_classes, _, folds, fitted = oof_proba_and_fit(
        data.texts, data.labels, data.groups, config, n_jobs=2
    )
    assert same_classes == classes and folds == 5
    np.testing.assert_allclose(proba, alone, atol=1e-9)
    plain = build_pipeline(config).fit(list(data.texts), list(data.labels))
    sample = ["The junta said the attack was carried out by terrorists.", "Kyiv denied it."]
    np.testing.assert_allclose(fitted.predict_proba(sample), plain.predict_proba(sample))
