"""``framelens score`` in worker processes and on a Dask cluster writes what one process writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from score_corpus import read_output, write_corpus

from classifier.batch import EngineError, ScoreOptions, score_corpus
from framelens.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """One small LocalCluster for the whole module: 2 worker processes, 1 thread each."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as running:
        yield running


@pytest.fixture
def corpus(tmp_path):
    return [write_corpus(tmp_path / "a", "csv.gz"), write_corpus(tmp_path / "b", "txt")]


def test_two_worker_processes_write_what_one_process_writes(corpus, tiny_model, tmp_path):
    options = ScoreOptions(level="article", chunk_size=4)
    one = score_corpus(corpus, tmp_path / "one", model=tiny_model, options=options, jobs=1)
    two = score_corpus(corpus, tmp_path / "two", model=tiny_model, options=options, jobs=2)
    assert read_output(tmp_path / "two") == read_output(tmp_path / "one")
    assert two.counts == one.counts and one.counts["chunks"] == 12


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_forked_and_spawned_workers_write_what_one_process_writes(
    start_method, corpus, tiny_model, tmp_path, monkeypatch
):
    import classifier.batch._engines as engines

    monkeypatch.setattr(engines, "_safe_start_method", lambda: start_method)
    options = ScoreOptions(level="sentence", chunk_size=3)
    one = score_corpus(corpus, tmp_path / "one", model=tiny_model, options=options, jobs=1)
    two = score_corpus(corpus, tmp_path / "two", model=tiny_model, options=options, jobs=2)
    assert read_output(tmp_path / "two") == read_output(tmp_path / "one")
    assert two.counts == one.counts and two.manifest["engine"]["jobs"] == 2


def test_workers_are_forked_only_from_a_process_without_other_threads():
    import threading

    from classifier.batch._engines import _safe_start_method

    assert _safe_start_method() in ("fork", "spawn")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _safe_start_method() == "spawn"
    finally:
        stop.set()
        other.join()


def test_dask_cluster_writes_what_the_local_engine_writes(cluster, corpus, tiny_model, tmp_path):
    options = ScoreOptions(format="parquet", chunk_size=5)
    local = score_corpus(corpus, tmp_path / "local", model=tiny_model, options=options)
    dask = score_corpus(
        corpus,
        tmp_path / "dask",
        model=tiny_model,
        options=options,
        engine="dask",
        scheduler=cluster.scheduler_address,
    )
    assert read_output(tmp_path / "dask") == read_output(tmp_path / "local")
    assert dask.counts == local.counts
    assert dask.manifest["engine"] == {
        "name": "dask",
        "jobs": 1,
        "scheduler": cluster.scheduler_address,
    }


def test_cli_score_on_a_dask_scheduler(cluster, corpus, runner, registry, tmp_path):
    args = [str(p) for p in corpus] + ["--models", str(registry.root), "-q", "--chunk-size", "9"]
    local = runner.invoke(main, ["score", *args, "-o", str(tmp_path / "local")])
    dask = runner.invoke(
        main,
        [
            "score",
            *args,
            "-o",
            str(tmp_path / "dask"),
            "--engine",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
        ],
    )
    assert (local.exit_code, dask.exit_code) == (0, 0), dask.output
    assert "scored 46 articles" in dask.output
    assert read_output(tmp_path / "dask") == read_output(tmp_path / "local")


def test_unreachable_scheduler_is_a_one_line_error(corpus, tiny_model, tmp_path, monkeypatch):
    monkeypatch.setattr("classifier.batch._dask.CONNECT_TIMEOUT", "1s")
    with pytest.raises(
        EngineError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        score_corpus(
            corpus,
            tmp_path / "out",
            model=tiny_model,
            engine="dask",
            scheduler="tcp://127.0.0.1:9",
        )
