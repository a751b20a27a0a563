"""framelens evaluate on test files as they come: repeated and conflicting rows, --predictions."""

from __future__ import annotations

import csv
import json

from conftest import TINY_CSV
from framelens.cli import main

ROWS = TINY_CSV.read_text(encoding="utf-8").splitlines()


def messy_test_file(tmp_path):
    """The tiny corpus plus a repeat of line 2 (line 42) and line 36 labelled rebels (line 43)."""
    path = tmp_path / "test.csv"
    extra = [ROWS[1], "t5,The claims could not be independently verified.,rebels"]
    path.write_text("\n".join([*ROWS, *extra]) + "\n", encoding="utf-8")
    return path


def evaluate(runner, registry, path, *extra):
    args = ["evaluate", "current", str(path), "--models", str(registry.root), *extra]
    return runner.invoke(main, args)


def test_repeated_and_conflicting_rows_are_scored_as_given_with_a_warning(
    runner, registry, tmp_path
):
    path = messy_test_file(tmp_path)
    result = evaluate(runner, registry, path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {path}: 1 row(s) repeat an earlier row and 1 sentence(s) are labelled more "
        "than one way (2 rows); every row is scored as given"
    ]
    data = json.loads(result.stdout)
    assert data["n"] == 42
    assert data["per_label"]["rebels"]["support"] == 9


def test_a_clean_test_file_gives_no_warning(runner, registry):
    result = evaluate(runner, registry, TINY_CSV)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert f"on {TINY_CSV} (40 rows)" in result.stdout


def test_predictions_file_has_one_row_per_test_row(runner, registry, tmp_path):
    out = tmp_path / "predictions.csv"
    result = evaluate(
        runner, registry, messy_test_file(tmp_path), "--predictions", str(out), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert f"predictions for 42 rows written to {out}" in result.stderr
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    labels = ["mali_government", "ukraine", "russia", "rebels", "neutral"]
    assert list(rows[0]) == ["line", "text", "gold", "predicted", "confidence"] + [
        f"p_{x}" for x in labels
    ]
    assert [int(r["line"]) for r in rows] == list(range(2, 44))
    assert rows[-1]["text"] == "The claims could not be independently verified."
    assert [r["gold"] for r in rows[-2:]] == ["mali_government", "rebels"]
    for r in rows:
        proba = [float(r[f"p_{x}"]) for x in labels]
        assert abs(sum(proba) - 1) < 1e-3
        assert r["predicted"] == labels[proba.index(max(proba))]
        assert float(r["confidence"]) == max(proba)
    # The file and the scores are one labelling: its right answers give the reported accuracy.
    data = json.loads(result.stdout)
    right = sum(r["gold"] == r["predicted"] for r in rows)
    assert round(right / len(rows), 4) == data["accuracy"]


def test_predictions_into_a_missing_folder_is_one_line_and_no_file(runner, registry, tmp_path):
    out = tmp_path / "missing" / "predictions.csv"
    result = evaluate(runner, registry, TINY_CSV, "--predictions", str(out))
    assert result.exit_code == 1
    assert f"cannot write {out}: No such file or directory; nothing was changed" in result.output
    assert not out.parent.exists()
