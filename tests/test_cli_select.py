"""``framelens train --prefer`` and ``framelens models show``: the model search, as recorded."""

from __future__ import annotations

import json

from conftest import TINY_CSV
from framelens.cli import main
from training.select import GRID


def test_train_prefer_accuracy_records_every_candidate_and_show_prints_them(runner, tmp_path):
    models = tmp_path / "models"
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(models)]
    trained = runner.invoke(main, [*args, "--jobs", "1", "--prefer", "accuracy", "-q"])
    assert trained.exit_code == 0, trained.output

    shown = runner.invoke(main, ["models", "show", "--models", str(models)])
    selection = json.loads(shown.output)["selection"]
    assert (selection["prefer"], selection["margin"]) == ("accuracy", 0.0)
    assert selection["sampled"] is False
    assert selection["search_rows"] == selection["rows"] == 40
    search = selection["search"]
    assert len(search) == len(GRID)
    best = max(c["search_cv_macro_f1"] for c in search)
    (chosen,) = [c for c in search if c["chosen"]]
    assert chosen["search_cv_macro_f1"] == best  # margin 0: nothing below the best is taken
    assert selection["cv_macro_f1"] == chosen["search_cv_macro_f1"]  # searched on all rows

    table = runner.invoke(main, ["models", "show", "--format", "table", "--models", str(models)])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert "search CV macro-F1" in lines[1]
    assert "word 1-2 + char 2-5 + who speaks, min_df 2, C 0.1" in table.output
    assert sum(line.startswith("* ") for line in lines) == 1
    assert "searched on all 40 rows" in table.output
    assert "(--prefer accuracy)" in table.output


def test_train_with_an_unknown_preference_is_a_usage_error(runner, tmp_path):
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(tmp_path / "m")]
    result = runner.invoke(main, [*args, "--prefer", "fast"])
    assert result.exit_code == 2
    assert "'fast' is not one of 'accuracy', 'balanced', 'speed'" in result.output


def test_models_show_table_of_a_manifest_without_a_search(runner, registry):
    shown = runner.invoke(
        main, ["models", "show", "--format", "table", "--models", str(registry.root)]
    )
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[0].startswith(registry.current())


def test_large_data_is_searched_on_a_sample_and_the_choice_cross_validated_on_all_rows(
    runner, tmp_path, monkeypatch
):
    import training.select as select_module

    real = select_module.search_sample
    # As if the 40 rows of the tiny corpus were too many to search whole: a 25-row sample.
    monkeypatch.setattr(
        select_module, "search_sample", lambda labels, groups, **kw: real(labels, groups, 25, **kw)
    )
    models = tmp_path / "models"
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(models), "--jobs", "1"]
    trained = runner.invoke(main, args)
    assert trained.exit_code == 0, trained.output
    assert "the choice cross-validated on all rows in 3 folds and fitted on all" in trained.output

    manifest = json.loads(runner.invoke(main, ["models", "show", "--models", str(models)]).output)
    selection, metrics = manifest["selection"], manifest["metrics"]
    assert selection["sampled"] is True
    assert selection["search_rows"] < selection["rows"] == 40
    assert (metrics["n"], metrics["cv"]["folds"]) == (40, 3)
    table = runner.invoke(main, ["models", "show", "--format", "table", "--models", str(models)])
    assert f"searched on {selection['search_rows']} of 40 rows" in table.output


def test_text_over_the_character_budget_searches_word_candidates_only(
    runner, tmp_path, monkeypatch
):
    import training.select as select_module

    # As if the tiny corpus's few thousand characters were article-length data sets' millions.
    monkeypatch.setattr(select_module, "CHAR_BLOCK_CHARS", 1000)
    models = tmp_path / "models"
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(models), "--jobs", "1"]
    trained = runner.invoke(main, args)
    assert trained.exit_code == 0, trained.output
    with_chars = sum(1 for g in GRID if "char_ngrams" in g)
    assert f"left out {with_chars} character n-gram candidates: " in trained.output

    selection = json.loads(runner.invoke(main, ["models", "show", "--models", str(models)]).output)[
        "selection"
    ]
    assert selection["chars"] > 1000
    assert len(selection["left_out"]) == with_chars
    assert all(c["config"]["char_ngrams"] is None for c in selection["search"])
    assert len(selection["search"]) == len(GRID) - with_chars
    table = runner.invoke(main, ["models", "show", "--format", "table", "--models", str(models)])
    assert f"left out {with_chars} character n-gram candidates" in table.output
