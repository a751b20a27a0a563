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


def test_a_scheme_with_actors_trains_on_who_speaks_and_no_attribution_turns_it_off(
    runner, tmp_path
):
    with_it, registry = train(runner, tmp_path / "on", "--jobs", "1", "-q")
    assert with_it.exit_code == 0, with_it.output
    model = registry.load()
    assert model.uses_context and model.manifest["config"]["context"] is True
    assert any(n.startswith("context__") for n in model.pipeline[:-1].get_feature_names_out())
    without, registry = train(runner, tmp_path / "off", "--jobs", "1", "-q", "--no-attribution")
    assert without.exit_code == 0, without.output
    assert not registry.load().uses_context


def test_attribution_on_a_scheme_without_actors_is_a_one_line_error(runner, tmp_path):
    data = tmp_path / "bias.csv"
    rows = [
        f"Sentence {i} is {'loaded and unfair' if i % 2 else 'plain'}.,{i % 2}" for i in range(40)
    ]
    data.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    models = tmp_path / "models"
    result = runner.invoke(main, ["train", str(data), "--models", str(models), "--attribution"])
    registry = ModelRegistry(models)
    assert result.exit_code == 1
    assert "attribution needs a scheme with actors" in result.output
    assert registry.current() is None
