"""The framelens command line: exit codes and what it prints."""

from __future__ import annotations

import json

import pytest

from conftest import TINY_CSV
from framelens.cli import main


def test_train_prints_metrics_and_promotes(runner, tmp_path):
    models = tmp_path / "models"
    result = runner.invoke(
        main, ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(models), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    # tiny.csv has one article per label: no fold can keep them whole, so folds go by label.
    assert "stratified 5-fold cross-validation: macro-F1" in result.output
    assert "promoted: the registry had no current model" in result.output
    listing = runner.invoke(main, ["models", "list", "--models", str(models)])
    assert listing.exit_code == 0
    header, first = listing.output.splitlines()[:2]
    assert header == f"registry: {models} (from --models)"
    assert first.startswith("* sahel-")


def test_train_with_a_bad_label_exits_1_with_one_line(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nKyiv denied it.,ukriane\n", encoding="utf-8")
    result = runner.invoke(
        main, ["train", str(bad), "--scheme", "sahel", "--models", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "bad.csv, line 2, column 'label': 'ukriane' is not a label" in result.output
    assert "Traceback" not in result.output


def test_annotate_json_from_stdin(runner, registry, article):
    result = runner.invoke(
        main, ["annotate", "-", "--format", "json", "--models", str(registry.root)], input=article
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["model"]["version"] == registry.current()
    assert len(data["sentences"]) == 6


def test_annotate_table_shows_labels_and_summary(runner, registry, tmp_path, article):
    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8")
    result = runner.invoke(main, ["annotate", str(path), "--models", str(registry.root)])
    assert result.exit_code == 0, result.output
    assert "Mali accuses Kyiv of backing rebels" in result.output
    assert "dominant framing:" in result.output


def test_annotate_without_a_model_says_how_to_get_one(runner, tmp_path):
    result = runner.invoke(
        main, ["annotate", "-", "--models", str(tmp_path / "empty")], input="Some text."
    )
    assert result.exit_code == 1
    assert "no current model" in result.output and "framelens train" in result.output


def test_annotate_refuses_a_tampered_model(runner, registry):
    artefact = registry.root / "versions" / registry.current() / "model.joblib"
    artefact.write_bytes(b"not a model")
    result = runner.invoke(main, ["annotate", "-", "--models", str(registry.root)], input="Hi.")
    assert result.exit_code == 1
    assert "refusing to load" in result.output


def test_evaluate_prints_scores_on_a_test_csv(runner, registry):
    result = runner.invoke(
        main,
        ["evaluate", "current", str(TINY_CSV), "--format", "json", "--models", str(registry.root)],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n"] == 40
    assert data["macro_f1"] > 0.9  # the model was trained on these sentences
    assert data["confusion_matrix"]["labels"][0] == "mali_government"


def test_models_show_promote_and_rollback(runner, registry):
    first = registry.current()
    shown = runner.invoke(main, ["models", "show", "--models", str(registry.root)])
    assert json.loads(shown.output)["version"] == first
    missing = runner.invoke(main, ["models", "promote", "nope", "--models", str(registry.root)])
    assert missing.exit_code == 1
    assert "no model version 'nope'" in missing.output
    rollback = runner.invoke(main, ["models", "rollback", "--models", str(registry.root)])
    assert rollback.exit_code == 1


@pytest.mark.parametrize("name", [None, "sahel"])
def test_schemes_lists_and_shows(runner, name):
    result = runner.invoke(main, ["schemes", *([name] if name else [])])
    assert result.exit_code == 0
    assert "mali_government" in result.output


def test_python_dash_m_framelens_is_the_framelens_command():
    import subprocess
    import sys
    from importlib.metadata import version

    import framelens

    done = subprocess.run(
        [sys.executable, "-m", "framelens", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert version("framelens") in done.stdout
    assert framelens.__version__ == version("framelens")


def test_train_json_floats_have_at_most_4_decimals(runner, tmp_path):
    import re

    result = runner.invoke(
        main,
        ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(tmp_path / "m")]
        + ["--jobs", "1", "--format", "json", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    decimals = [len(d) for d in re.findall(r"\d\.(\d+)", result.stdout)]
    assert decimals and max(decimals) <= 4
