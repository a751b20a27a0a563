"""Cross-validation on a Dask cluster: joblib's dask backend around model selection."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from joblib import parallel_config

from classifier.errors import FramelensError

ENGINES = ("local", "dask")
CONNECT_TIMEOUT = "10s"


class ClusterError(FramelensError):
    code = "cluster_unreachable"


@contextmanager
def joblib_backend(engine: str, *, workers: int | None, scheduler: str | None) -> Iterator[str]:
    """Run the ``joblib.Parallel`` calls inside on ``engine``; yields where they run.

    ``local``: this machine's processes (joblib's default). ``dask``: the cluster at
    ``scheduler``, or a ``LocalCluster`` of ``workers`` single-threaded processes.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    if scheduler is not None and engine != "dask":
        raise ValueError("a scheduler address needs the dask engine")
    if engine == "local":
        yield "local processes"
        return
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with "
            "'dask scheduler' or leave out --scheduler to use a local cluster"
        ) from exc
    try:
        with parallel_config(backend="dask"):
            yield f"Dask scheduler {client.scheduler.address}"
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
