"""Punkt's parameters are learned from the training text, on a bounded sample of large data."""

from __future__ import annotations

from training.splitter import learn_splitter_params, splitter_sample


def test_small_data_is_learned_from_whole():
    documents = ["One article. It ends.", "Another one. It ends too."]
    assert splitter_sample(documents, limit=1000) == documents


def test_large_data_is_sampled_by_whole_articles_the_same_way_each_run():
    documents = [f"Article {i} says this. " * (i % 7 + 1) for i in range(400)]
    limit = sum(map(len, documents)) // 4
    sample = splitter_sample(documents, limit=limit)
    assert 0 < sum(map(len, sample)) <= limit
    assert set(sample) <= set(documents)  # whole articles, never cut
    assert len(sample) > 50  # drawn across the data, not only the first few
    assert splitter_sample(documents, limit=limit) == sample
    # in their order in the data
    assert [documents.index(d) for d in sample] == sorted(documents.index(d) for d in sample)


def test_one_article_longer_than_the_limit_is_still_learned_from():
    assert splitter_sample(["x" * 50, "y" * 60], limit=10) in (["x" * 50], ["y" * 60])


def test_the_parameters_name_an_abbreviation_seen_in_the_text():
    text = " ".join(f"Col. Diarra met envoy number {i} in the capital today." for i in range(30))
    assert "col" in learn_splitter_params([text])["abbrev_types"]
