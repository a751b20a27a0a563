"""``kill -9`` at each stage of train, models promote, models rollback and score: the registry
stays consistent, no process outlives its parent, leftovers go on the next run, and a rerun of
score ends byte-identical to a run that was never interrupted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from faults import end, kill_at, survivors
from score_corpus import read_output, write_corpus

from classifier import ModelRegistry
from conftest import TINY_CSV
from framelens.cli import main
from training import FitConfig, train

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def _consistent(registry: ModelRegistry, runner, expected_current: str | None = None) -> None:
    """What a user checks after a crash: list and current answer, the current model loads."""
    listed = runner.invoke(main, ["models", "list", "--models", str(registry.root)])
    assert listed.exit_code == 0, listed.output
    current = registry.current()
    assert current in registry.versions()
    if expected_current is not None:
        assert current == expected_current
    assert registry.load().version == current


def _leftovers(root: Path) -> list[Path]:
    return [*root.glob(".tmp-*"), *root.glob("versions/.tmp-*"), *root.glob(".chunks/.tmp-*")]


# score ------------------------------------------------------------------------------------------

SCORE_STAGES = {
    # stage: (function, pattern of its arguments, when)
    "first-manifest": ("os:replace", "*/.tmp-*-run.json *", "before"),
    "part-file": ("os:replace", "*/.tmp-*-part-000002.jsonl *", "before"),
    "marker-write": ("os:replace", "*/.chunks/.tmp-*-000002.json *", "before"),
    "marker-renamed": ("os:replace", "*/.chunks/.tmp-*-000002.json *", "after"),
    "final-manifest": ("os:replace", "*/.tmp-*-run.json *", "before"),
}


@pytest.fixture
def scoring(registry, tmp_path, runner):
    """The corpus, and the output of one uninterrupted run to compare against."""
    source = write_corpus(tmp_path / "in", "csv")
    whole = tmp_path / "whole"
    args = [str(source), "--chunk-size", "5", "--quiet", "--models", str(registry.root)]
    done = runner.invoke(main, ["score", *args, "-o", str(whole)])
    assert done.exit_code == 0, done.output
    return args, whole


def _run_json(folder: Path) -> dict:
    manifest = json.loads((folder / "run.json").read_text())
    manifest.pop("timing")
    return manifest


@pytest.mark.parametrize("stage", list(SCORE_STAGES))
def test_score_killed_at_each_stage_resumes_to_identical_output(stage, scoring, runner, tmp_path):
    args, whole = scoring
    target, pattern, when = SCORE_STAGES[stage]
    out = tmp_path / "killed"
    nth = 2 if stage == "final-manifest" else 1

    killed = kill_at(
        target, ["score", *args, "-o", str(out)], tmp_path, pattern=pattern, nth=nth, when=when
    )
    rerun = runner.invoke(main, ["score", *args, "-o", str(out)])

    assert killed.returncode == -9, killed.stderr
    assert rerun.exit_code == 0, rerun.output
    assert "scored 23 articles" in rerun.output
    assert read_output(out) == read_output(whole)
    assert _run_json(out) == _run_json(whole)
    assert not _leftovers(out)


@pytest.mark.slow
def test_score_jobs_2_killed_at_a_marker_write_leaves_no_worker_and_resumes(
    scoring, runner, tmp_path
):
    args, whole = scoring
    args = [*args, "--jobs", "2"]
    out = tmp_path / "killed"
    target, pattern, when = SCORE_STAGES["marker-write"]

    killed = kill_at(target, ["score", *args, "-o", str(out)], tmp_path, pattern=pattern)
    left = survivors(killed.children)
    end(left)
    rerun = runner.invoke(main, ["score", *args, "-o", str(out)])

    assert killed.returncode == -9, killed.stderr
    assert len(killed.children) >= 2  # the two workers were running
    assert left == [], "workers outlived their parent"
    assert rerun.exit_code == 0, rerun.output
    assert read_output(out) == read_output(whole)
    assert not _leftovers(out)


# models promote and rollback --------------------------------------------------------------------


def _two_versions(registry: ModelRegistry) -> tuple[str, str]:
    import shutil

    first = registry.current()
    second = "sahel-second"
    shutil.copytree(registry.root / "versions" / first, registry.root / "versions" / second)
    return first, second


@pytest.mark.parametrize(
    ("stage", "target", "pattern", "when"),
    [
        ("loading", "classifier.registry:sha256_file", "*", "before"),
        ("state-write", "os:replace", "*/.tmp-*-state.json *", "before"),
        ("state-renamed", "os:replace", "*/.tmp-*-state.json *", "after"),
    ],
)
def test_promote_killed_at_each_stage_leaves_one_current_model(
    stage, target, pattern, when, registry, runner, tmp_path
):
    first, second = _two_versions(registry)
    models = ["--models", str(registry.root)]

    killed = kill_at(
        target, ["models", "promote", second, *models], tmp_path, pattern=pattern, when=when
    )

    assert killed.returncode == -9, killed.stderr
    _consistent(registry, runner, second if stage == "state-renamed" else first)
    again = runner.invoke(main, ["models", "promote", second, *models])
    assert again.exit_code == 0, again.output
    assert registry.current() == second and not _leftovers(registry.root)


@pytest.mark.parametrize(
    ("stage", "target", "pattern", "when"),
    [
        ("checking", "classifier.registry:sha256_file", "*", "before"),
        ("state-write", "os:replace", "*/.tmp-*-state.json *", "before"),
        ("state-renamed", "os:replace", "*/.tmp-*-state.json *", "after"),
    ],
)
def test_rollback_killed_at_each_stage_leaves_one_current_model(
    stage, target, pattern, when, registry, runner, tmp_path
):
    first, second = _two_versions(registry)
    registry.promote(second)
    models = ["--models", str(registry.root)]

    killed = kill_at(target, ["models", "rollback", *models], tmp_path, pattern=pattern, when=when)

    assert killed.returncode == -9, killed.stderr
    rolled_back = stage == "state-renamed"
    _consistent(registry, runner, first if rolled_back else second)
    if not rolled_back:
        again = runner.invoke(main, ["models", "rollback", *models])
        assert again.exit_code == 0, again.output
    assert registry.current() == first
    runner.invoke(main, ["models", "promote", first, *models])  # any write cleans up
    assert not _leftovers(registry.root)


# train ------------------------------------------------------------------------------------------

# Killed during the search and the final fit: test_train_jobs_2_killed_leaves_no_worker_behind.
TRAIN_STAGES = {
    "artefact-write": ("joblib:dump", "*", "before"),
    "version-renamed": ("os:rename", "*/versions/.tmp-*", "after"),
    "state-write": ("os:replace", "*/.tmp-*-state.json *", "before"),
}


@pytest.mark.slow
@pytest.mark.parametrize("stage", list(TRAIN_STAGES))
def test_train_killed_at_each_stage_keeps_the_registry_consistent(
    stage, registry, runner, tmp_path
):
    first = registry.current()
    before = registry.versions()
    target, pattern, when = TRAIN_STAGES[stage]
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--force", "-q"]
    args += ["--models", str(registry.root)]

    killed = kill_at(target, args, tmp_path, pattern=pattern, when=when, one_config=True)

    assert killed.returncode == -9, killed.stderr
    _consistent(registry, runner, first)
    added = len(registry.versions()) - len(before)
    assert added == (1 if stage in ("version-renamed", "state-write") else 0)
    # The next run cleans up what the killed one left, and succeeds.
    again = train([TINY_CSV], scheme="sahel", registry=registry, config=FitConfig(), force=True)
    assert registry.current() == again.version
    assert not _leftovers(registry.root)
    _consistent(registry, runner)


@pytest.mark.slow
def test_train_jobs_2_killed_leaves_no_worker_behind(registry, runner, tmp_path):
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--force", "-q", "--jobs", "2"]
    args += ["--models", str(registry.root)]

    killed = kill_at("training.publish:fit_pipeline", args, tmp_path, one_config=True)
    left = survivors(killed.children)
    end(left)

    assert killed.returncode == -9, killed.stderr
    assert len(killed.children) >= 2  # joblib's workers were running
    assert left == [], "training workers outlived their parent"
    _consistent(registry, runner, registry.current())
    assert len(registry.versions()) == 1
