"""Cross-validation on a Dask cluster: joblib's dask backend around model selection."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from joblib import parallel_config

from classifier._lifeline import die_with_parent
from classifier.batch import connect_dask

ENGINES = ("local", "dask")


@contextmanager
def joblib_backend(engine: str, *, workers: int | None, scheduler: str | None) -> Iterator[str]:
    """Run the ``joblib.Parallel`` calls inside on ``engine``; yields where they run.

    ``local``: this machine's processes (joblib's default). ``dask``: the cluster at
    ``scheduler``, or a ``LocalCluster`` of ``workers`` single-threaded processes. An unreachable
    scheduler raises ``EngineError``, as it does for ``framelens score``.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    if scheduler is not None and engine != "dask":
        raise ValueError("a scheduler address needs the dask engine")
    if engine == "local":
        # joblib's loky workers outlive a parent killed with SIGKILL for minutes (and hold
        # hundreds of MB each): each watches its parent and ends with it.
        with parallel_config(backend="loky", initializer=_worker_init, initargs=(os.getpid(),)):
            yield "local processes"
        return
    client, cluster = connect_dask(workers or os.cpu_count() or 1, scheduler)
    try:
        with parallel_config(backend="dask"):
            yield f"Dask scheduler {client.scheduler.address}"
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _worker_init(parent: int) -> None:
    # loky may start workers from its manager thread, so no PR_SET_PDEATHSIG (it would follow
    # that thread, not the process): the watchdog alone.
    die_with_parent(parent, pdeathsig=False)
