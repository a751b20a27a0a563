"""Where chunks are scored: in this process, or in worker processes on this machine.

An engine takes chunks in order and yields their results in the same order, with a bounded
number in flight, so memory stays flat however long the input is. The Dask engine in ``_dask``
has the same shape.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .._lifeline import die_with_parent
from ..model import Model
from ._errors import EngineError
from ._readers import Record
from ._score import ChunkResult, score_chunk


@dataclass
class Chunk:
    """Consecutive input records; ``consumed`` is how many input bytes had been read after it."""

    index: int
    records: list[Record]
    consumed: int


class Engine(Protocol):
    name: str

    def run(
        self, chunks: Iterable[Chunk], level: str, fmt: str, *, with_text: bool = False
    ) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...


class SerialEngine:
    """Score each chunk in this process: no start-up cost, one core."""

    name = "local"

    def __init__(self, model: Model) -> None:
        self.model = model
        self.workers = 1

    def run(
        self, chunks: Iterable[Chunk], level: str, fmt: str, *, with_text: bool = False
    ) -> Iterator[ChunkResult]:
        for chunk in chunks:
            yield score_chunk(
                self.model, chunk.index, chunk.records, level, fmt, with_text=with_text
            )

    def close(self) -> None:
        pass


class ProcessEngine:
    """Score chunks in ``jobs`` worker processes, each holding its own copy of the model.

    On Linux, from a process with no other thread, workers are forked: they start at once with
    everything imported and the model in memory. Otherwise (other threads, such as a Dask
    client in a notebook, could leave a forked worker with a lock held by a thread that no
    longer exists; or another system) they are spawned, which costs each a few seconds of
    imports, and a script calling this must guard its entry point with
    ``if __name__ == "__main__":``. ``start_method`` forces one.
    """

    name = "local"

    def __init__(self, model: Model, jobs: int, *, start_method: str | None = None) -> None:
        self.workers = jobs
        self._model = model
        self.start_method = start_method or _safe_start_method()
        self._dir: tempfile.TemporaryDirectory | None = None
        if self.start_method == "fork":
            shipped: Any = model  # inherited by the forked workers, never pickled
        else:
            # Through a private file, not through the pipe that starts each worker: a pipe
            # holds 64 KiB, so a model sent that way blocks this process until the worker has
            # imported everything and read it, and the workers would start one by one.
            self._dir = tempfile.TemporaryDirectory(prefix="framelens-workers-")
            shipped = Path(self._dir.name) / "model.pickle"
            shipped.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        self._pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context(self.start_method),
            initializer=_init_worker,
            initargs=(shipped, os.getpid()),
        )
        # Start the workers now; until they are ready (spawned ones take a few seconds), this
        # process, which has the model already, scores chunks itself.
        self._started = self._pool.submit(_ready)

    def run(
        self, chunks: Iterable[Chunk], level: str, fmt: str, *, with_text: bool = False
    ) -> Iterator[ChunkResult]:
        def submit(chunk: Chunk) -> Any:
            if self._started.done():
                return self._pool.submit(
                    _score_in_worker, chunk.index, chunk.records, level, fmt, with_text
                )
            done: Future = Future()
            done.set_result(
                score_chunk(
                    self._model, chunk.index, chunk.records, level, fmt, with_text=with_text
                )
            )
            return done

        try:
            yield from in_order(submit, chunks, window=2 * self.workers)
        except BrokenProcessPool as exc:
            raise EngineError(
                f"a worker process died ({exc}); was it out of memory? Lower --chunk-size or "
                "--jobs and rerun the same command to resume"
            ) from exc

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._dir is not None:
            self._dir.cleanup()


def in_order(
    submit: Callable[[Chunk], Any], chunks: Iterable[Chunk], *, window: int
) -> Iterator[ChunkResult]:
    """Submit chunks while fewer than ``window`` are in flight; yield results in chunk order.

    ``submit`` returns a future with ``result()`` (concurrent.futures and Dask both qualify).
    """
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


_MODEL: Model | None = None


def _safe_start_method() -> str:
    forkable = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    return "fork" if forkable and threading.active_count() == 1 else "spawn"


def _init_worker(shipped: Model | Path, parent: int | None = None) -> None:
    global _MODEL
    if parent is not None:
        die_with_parent(parent)
    if isinstance(shipped, Model):  # forked: the parent's own model
        _MODEL = shipped
        return
    # Spawned: the parent pickled this, into a directory only it and its workers know, from a
    # model it loaded after checking its SHA-256.
    _MODEL = pickle.loads(shipped.read_bytes())


def _ready() -> None:
    pass


def _score_in_worker(
    index: int, records: list[Record], level: str, fmt: str, with_text: bool = False
) -> ChunkResult:
    if _MODEL is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("worker started without a model")
    return score_chunk(_MODEL, index, records, level, fmt, with_text=with_text)
