"""Model selection: a bounded search, and the cheapest of the best configurations."""

from __future__ import annotations

import numpy as np
import pytest

from training.select import (
    MARGIN,
    apply_temperature,
    candidate_configs,
    choose_threshold,
    fit_temperature,
    search_sample,
)


def test_small_data_is_searched_whole():
    assert list(search_sample(["a", "b"] * 10, None, limit=100)) == list(range(20))


def test_large_data_is_sampled_by_whole_articles():
    groups = [f"art{i // 10}" for i in range(1000)]
    labels = ["a" if i % 2 else "b" for i in range(1000)]
    rows = search_sample(labels, groups, limit=200)
    assert 200 <= len(rows) < 210
    chosen = {groups[i] for i in rows}
    assert all(sum(groups[i] == g for i in rows) == 10 for g in chosen)


def test_large_data_without_articles_is_sampled_by_label():
    labels = ["a"] * 900 + ["b"] * 100
    rows = search_sample(labels, None, limit=200)
    assert len(rows) == 200
    assert sum(labels[i] == "b" for i in rows) == 20


def test_grid_runs_from_cheap_to_costly():
    configs = candidate_configs()
    with_chars = [c.char_ngrams is not None for c in configs]
    assert with_chars == sorted(with_chars), "character n-grams must come last"
    assert 0 < MARGIN < 0.01


def test_temperature_makes_overconfident_probabilities_honest():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 2000)
    right = rng.random(2000) < 0.7  # right 70% of the time, but claims 99%
    predicted = np.where(right, truth, 1 - truth)
    proba = np.full((2000, 2), 0.01)
    proba[np.arange(2000), predicted] = 0.99
    t = fit_temperature(proba, truth)
    assert t > 1
    assert apply_temperature(proba, t).max(axis=1).mean() == pytest.approx(0.7, abs=0.02)


def test_threshold_marks_where_labels_were_wrong_at_least_half_the_time():
    confidence = np.linspace(0.34, 1.0, 661)
    rest = (1 - confidence) / 2
    proba = np.column_stack([confidence, rest, rest])  # always predicts label 0
    truth = np.where(confidence < 0.6, 1, 0)  # ... wrongly below 0.6
    # Below t the share right is (t - 0.6) / (t - 0.34): at most a half up to t = 0.86.
    assert choose_threshold(proba, truth, default=0.3) == pytest.approx(0.83)


def test_threshold_falls_back_when_labels_were_never_mostly_wrong():
    proba = np.array([[0.9, 0.1]] * 50)
    assert choose_threshold(proba, np.zeros(50, dtype=int), default=0.42) == 0.42
