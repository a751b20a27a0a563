"""``framelens train`` options: where cross-validation runs (a real Dask cluster) and the level."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from classifier.registry import ModelRegistry
from conftest import TINY_CSV
from framelens.cli import main


def train(runner, tmp_path, *extra: str):
    models = tmp_path / "models"
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(models), *extra]
    return runner.invoke(main, args), ModelRegistry(models)


@pytest.mark.slow
def test_cross_validation_on_a_local_dask_cluster_gives_the_local_engines_model(runner, tmp_path):
    local, local_registry = train(runner, tmp_path / "local", "--jobs", "1")
    dask, dask_registry = train(runner, tmp_path / "dask", "--engine", "dask", "--jobs", "2")

    assert dask.exit_code == 0, dask.output
    assert "saved to" in dask.output
    on_dask = dask_registry.manifest(dask_registry.current())
    on_here = local_registry.manifest(local_registry.current())
    assert on_dask["selection"]["engine"] == {"name": "dask", "scheduler": None}
    assert on_here["selection"]["engine"] == {"name": "local", "scheduler": None}
    # The same folds, the same fits: the same choice and the same cross-validated scores.
    assert on_dask["config"] == on_here["config"]
    assert on_dask["metrics"]["macro_f1"] == pytest.approx(on_here["metrics"]["macro_f1"])


def test_an_unreachable_scheduler_is_a_one_line_error_and_no_model(runner, tmp_path):
    result, registry = train(
        runner, tmp_path, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"
    )

    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert registry.versions() == []


def test_a_scheduler_without_the_dask_engine_is_a_usage_error(runner, tmp_path):
    result, _ = train(runner, tmp_path, "--scheduler", "tcp://127.0.0.1:8786")

    assert result.exit_code == 2
    assert "--scheduler needs --engine dask" in result.output


@pytest.mark.slow
def test_level_article_is_what_the_model_records(runner, tmp_path):
    result, registry = train(
        runner, tmp_path, "--level", "article", "--format", "json", "--jobs", "1"
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["manifest"]["level"] == "article"
    assert registry.manifest(registry.current())["level"] == "article"


@pytest.mark.slow
def test_dask_logging_is_silent_under_quiet(tmp_path):
    framelens = Path(sys.executable).parent / "framelens"
    cmd = [str(framelens), "train", str(TINY_CSV), "--scheme", "sahel", "--quiet"]
    cmd += ["--models", str(tmp_path / "models"), "--engine", "dask", "--jobs", "2"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, check=False)

    assert done.returncode == 0, done.stderr
    assert "distributed." not in done.stderr
    assert "train:" not in done.stderr
