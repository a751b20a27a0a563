"""What train says about its cross-validation: grouped by article only when articles were given."""

from __future__ import annotations

import json

from conftest import TINY_CSV
from framelens.cli import main

ROWS = TINY_CSV.read_text(encoding="utf-8").splitlines()[1:]


def train(runner, tmp_path, header: str, rows: list[str]):
    path = tmp_path / "mine.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    args = ["train", str(path), "--scheme", "sahel", "--models", str(tmp_path / "m"), "--jobs", "1"]
    return runner.invoke(main, args)


def test_without_article_ids_the_table_says_stratified_and_counts_rows_only(runner, tmp_path):
    result = train(runner, tmp_path, "text,label", [r.split(",", 1)[1] for r in ROWS])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.endswith("(40 rows, scheme sahel)")
    assert "stratified 5-fold cross-validation: macro-F1" in result.stdout
    assert "no article_id: folds stratified by label" in result.stderr
    manifest = json.loads((next((tmp_path / "m").rglob("manifest.json"))).read_text("utf-8"))
    assert manifest["training_data"]["has_article_ids"] is False
    assert manifest["training_data"]["articles"] is None
    assert manifest["metrics"]["cv"]["method"] == "stratified 5-fold cross-validation"


def test_with_article_ids_that_can_be_kept_whole_the_table_says_grouped(runner, tmp_path):
    # Ten articles of four rows, each mixing labels, so every training fold has every label.
    rows = [f"a{i % 10}," + r.split(",", 1)[1] for i, r in enumerate(ROWS)]
    result = train(runner, tmp_path, "article_id,text,label", rows)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith("(40 rows, 10 articles, scheme sahel)")
    assert "grouped 5-fold cross-validation: macro-F1" in result.stdout
    assert "10 articles kept whole in folds where they can be" in result.stderr
