"""Model selection: a bounded search, and the cheapest of the best configurations."""

from __future__ import annotations

import numpy as np
import pytest

from training import FitConfig
from training.select import (
    MARGIN,
    MARGINS,
    affordable,
    apply_temperature,
    candidate_configs,
    choose,
    choose_threshold,
    cost,
    fit_temperature,
    margin_for,
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


def test_large_data_of_long_articles_is_sampled_by_size():
    groups = [f"art{i}" for i in range(100)]
    labels = ["a" if i % 2 else "b" for i in range(100)]
    rows = search_sample(labels, groups, limit=1000, sizes=[10_000] * 100, char_limit=200_000)
    assert len(rows) == 20  # far under the row limit, but 20 articles already make 200,000 chars


def test_grid_holds_the_plain_baseline_and_todays_configs():
    configs = candidate_configs()
    reference = [
        c for c in configs if c.char_ngrams == (2, 5) and c.word_ngrams == (1, 2) and c.min_df == 2
    ]
    assert sorted(c.C for c in reference) == [0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
    assert FitConfig(word_ngrams=(1, 2), C=3.0) in configs
    assert FitConfig(word_ngrams=(1, 2), char_ngrams=(3, 5), C=10.0) in configs
    assert 0 < MARGIN <= 0.003


def test_character_ngrams_and_longer_ngrams_cost_more():
    words = FitConfig(word_ngrams=(1, 2))
    assert cost(words) < cost(FitConfig(word_ngrams=(1, 3)))
    assert cost(FitConfig(word_ngrams=(1, 3))) < cost(FitConfig(char_ngrams=(3, 5)))
    assert cost(FitConfig(char_ngrams=(3, 5))) < cost(FitConfig(char_ngrams=(2, 5)))
    assert cost(words) == cost(FitConfig(word_ngrams=(1, 2), C=0.1, min_df=2))


def test_choose_takes_a_cheaper_candidate_only_within_the_margin():
    scores, costs = [0.700, 0.705, 0.720], [1.0, 2.0, 10.0]
    assert choose(scores, costs, 0.003) == 2  # the cheap ones are 0.015 and 0.020 behind
    assert choose([0.718, 0.705, 0.720], costs, 0.003) == 0  # 0.002 behind: cheaper wins
    assert choose([0.716, 0.705, 0.720], costs, 0.003) == 2  # 0.004 behind: too far


def test_choose_breaks_ties_by_cost_then_score_then_order():
    assert choose([0.7, 0.7], [5.0, 1.0], 0.0) == 1  # equal scores: the cheaper
    assert choose([0.699, 0.7], [1.0, 1.0], 0.003) == 1  # equal costs: the better
    assert choose([0.7, 0.7], [1.0, 1.0], 0.0) == 0  # equal in all: the first


@pytest.mark.parametrize(("prefer", "chosen"), [("accuracy", 2), ("balanced", 1), ("speed", 0)])
def test_prefer_moves_the_margin(prefer, chosen):
    scores, costs = [0.712, 0.718, 0.720], [1.0, 2.0, 10.0]
    assert choose(scores, costs, margin_for(prefer)) == chosen
    assert MARGINS["accuracy"] < MARGINS["balanced"] < MARGINS["speed"]


def test_choose_and_prefer_refuse_bad_input():
    with pytest.raises(ValueError, match="one cost per score"):
        choose([0.5, 0.6], [1.0], 0.0)
    with pytest.raises(ValueError, match="margin must be at least 0"):
        choose([0.5], [1.0], -0.1)
    with pytest.raises(ValueError, match="prefer must be one of accuracy, balanced, speed"):
        margin_for("fast")


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


def test_character_candidates_are_left_out_only_above_the_budget():
    configs = candidate_configs()
    words = [c for c in configs if c.char_ngrams is None]
    assert affordable(configs, 1000, limit=1000) == (configs, [])
    kept, left_out = affordable(configs, 1001, limit=1000)
    assert kept == words and 0 < len(words) < len(configs)
    assert all(c.char_ngrams is not None for c in left_out)
    assert len(kept) + len(left_out) == len(configs)
    only_chars = [c for c in configs if c.char_ngrams is not None]
    assert affordable(only_chars, 10**9, limit=1000) == (only_chars, [])  # nothing else to fit


def test_the_choice_on_very_large_data_is_cross_validated_in_two_folds():
    from training.select import CHAR_BLOCK_CHARS, CHOICE_FOLDS, choice_folds

    assert choice_folds(CHAR_BLOCK_CHARS) == CHOICE_FOLDS == 3
    assert choice_folds(CHAR_BLOCK_CHARS + 1) == 2
