"""Score chunks on a Dask distributed cluster.

The chunks are the same as the local engine's and each is scored by the same ``score_chunk``,
so the output is identical. Workers need the framelens package installed but not the model
directory nor the inputs: the model is scattered to every worker once, each chunk's records are
sent with its task, and the rendered bytes come back to this process, which writes them. Workers
on other machines need no shared filesystem.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from ..model import Model
from ._engines import Chunk, in_order
from ._errors import EngineError
from ._score import ChunkResult, score_chunk

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = "20s"


def connect(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A Dask client and the ``LocalCluster`` started for it (None when ``scheduler`` names a
    running one): ``workers`` single-threaded worker processes, for the caller to close.

    Raises
    ------
    EngineError
        If the scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster

    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError) as exc:
        raise EngineError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with "
            "'dask scheduler' or leave out --scheduler to use a local cluster"
        ) from exc


class DaskEngine:
    """Chunks as Dask tasks, at most two per worker in flight.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://HOST:8786``); None starts a ``LocalCluster`` of
        ``jobs`` single-threaded worker processes for the length of the run.
    """

    name = "dask"

    def __init__(self, model: Model, *, jobs: int, scheduler: str | None) -> None:
        self.client, self._cluster = connect(jobs, scheduler)
        try:
            self.workers = max(1, len(self.client.scheduler_info()["workers"]))
            # One copy per worker, sent once, not one per task.
            self._model = self.client.scatter(model, broadcast=True, hash=False)
        except BaseException:
            self.close()
            raise
        log.info("scoring on %s with %d workers", self.client.scheduler.address, self.workers)

    def run(
        self, chunks: Iterable[Chunk], level: str, fmt: str, *, with_text: bool = False
    ) -> Iterator[ChunkResult]:
        def submit(chunk: Chunk) -> Any:
            # Scatter the records first so a large chunk is not embedded in the task graph.
            [records] = self.client.scatter([chunk.records], hash=False)
            return self.client.submit(
                score_chunk,
                self._model,
                chunk.index,
                records,
                level,
                fmt,
                with_text=with_text,
                pure=False,
            )

        return in_order(submit, chunks, window=2 * self.workers)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
