"""``score_corpus``: read inputs in chunks, score them on an engine, write chunk files, resume.

Chunk ``k`` holds input records ``k*chunk_size`` to ``(k+1)*chunk_size - 1``, counted over the
inputs in the order given (rejected rows included). The boundaries depend only on the inputs and
the chunk size, so a rerun after a crash finds the same chunks, skips those already written, and
ends with the same files as a run that never stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..model import Model
from ._engines import Chunk, Engine, ProcessEngine, SerialEngine
from ._errors import EngineError
from ._outdir import OutputDir
from ._progress import Progress
from ._readers import Input, open_inputs
from ._score import LEVELS
from ._writers import FORMATS

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
DEFAULT_CHUNK_SIZE = 1000


@dataclass(frozen=True)
class ScoreOptions:
    """What decides the output's content; a rerun must use the same to resume."""

    level: str = "sentence"
    format: str = "jsonl"
    chunk_size: int = DEFAULT_CHUNK_SIZE
    id_column: str = "id"
    text_column: str = "text"
    # Sentence rows carry the sentence's text in a ``text`` column.
    with_text: bool = False

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {self.level!r}")
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        if isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, int):
            raise ValueError(f"chunk_size must be an integer, got {self.chunk_size!r}")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {self.chunk_size}")
        if self.with_text and self.level != "sentence":
            raise ValueError("with_text needs level 'sentence': an article row has no text")


@dataclass
class ScoreResult:
    """What a run did; ``manifest`` is the content of ``run.json``."""

    output: Path
    manifest: dict[str, Any]
    scored_chunks: int = 0
    resumed_chunks: int = 0
    already_complete: bool = False
    counts: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.counts = self.manifest.get("counts", {})


def score_corpus(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    model: Model,
    options: ScoreOptions = ScoreOptions(),
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
) -> ScoreResult:
    """Score every article of ``inputs`` with ``model`` into chunk files in ``output``.

    Parameters
    ----------
    inputs
        CSV, JSONL (optionally gzipped) or Parquet files, or directories of ``.txt`` files.
    output
        Directory for ``part-NNNNNN.<format>``, ``rejects-NNNNNN.jsonl`` and ``run.json``. If it
        holds an unfinished run with the same model, inputs and options, that run is resumed.
    jobs
        Worker processes (``engine="local"``) or LocalCluster workers (``engine="dask"``).
    scheduler
        A Dask scheduler address; only with ``engine="dask"``.
    overwrite
        Replace another run's output in ``output`` instead of refusing.
    progress
        Show a progress bar on stderr.

    Raises
    ------
    BatchInputError
        If an input cannot be read or lacks the id or text column.
    OutputDirError
        If ``output`` holds another run's output and ``overwrite`` is false.
    """
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    if scheduler is not None and engine != "dask":
        raise EngineError("a scheduler address needs the dask engine (--engine dask)")
    if jobs < 1:
        raise EngineError(f"jobs must be at least 1, got {jobs}")
    sources = open_inputs(inputs, id_column=options.id_column, text_column=options.text_column)
    described = [source.describe() for source in sources]
    fingerprint = {
        "model": {
            "version": model.version,
            "artefact_sha256": model.manifest.get("artefact_sha256"),
        },
        "inputs": [{k: v for k, v in d.items() if k != "path"} for d in described],
        "options": asdict(options),
    }
    with OutputDir(output, options.format) as out:
        earlier = out.prepare(fingerprint, overwrite=overwrite)
        dropped = out.drop_markers_without_files()
        if earlier is not None and earlier.get("status") == "complete" and not dropped:
            log.info("%s already holds this run, complete", out.path)
            return ScoreResult(out.path, earlier, already_complete=True)
        started = datetime.now(UTC)
        manifest = _manifest(model, described, fingerprint, options, engine, jobs, scheduler)
        manifest["timing"] = {"started_at": started.isoformat(timespec="seconds")}
        out.write_manifest(manifest)
        clock = time.perf_counter()
        runner = _engine(model, engine, jobs, scheduler)
        bar = Progress(sum(s.size for s in sources), enabled=progress)
        consumed: dict[int, int] = {}
        skipped = 0

        def pending() -> Iterator[Chunk]:
            nonlocal skipped
            for chunk in iter_chunks(sources, options.chunk_size):
                if out.is_done(chunk.index):
                    skipped += 1
                    bar.skipped(chunk.consumed)
                    continue
                consumed[chunk.index] = chunk.consumed
                yield chunk

        scored = articles = sentences = 0
        try:
            for result in runner.run(
                pending(), options.level, options.format, with_text=options.with_text
            ):
                out.write_chunk(result)
                scored += 1
                articles += result.stats["articles"]
                sentences += result.stats["sentences"]
                bar.scored(
                    consumed.pop(result.index), result.stats["articles"], result.stats["sentences"]
                )
        finally:
            runner.close()
            bar.close()
        seconds = time.perf_counter() - clock
        manifest["status"] = "complete"
        manifest["counts"] = _totals(out.chunk_stats(), model.scheme.label_ids, options.level)
        manifest["timing"].update(
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            seconds=round(seconds, 3),
            chunks_scored=scored,
            chunks_resumed=skipped,
            articles_per_second=round(articles / seconds, 1) if seconds else None,
            sentences_per_second=round(sentences / seconds, 1) if seconds else None,
        )
        out.write_manifest(manifest)
    return ScoreResult(out.path, manifest, scored_chunks=scored, resumed_chunks=skipped)


def iter_chunks(sources: Sequence[Input], size: int) -> Iterator[Chunk]:
    """Records of all inputs in order, ``size`` at a time; the last chunk may be shorter."""
    index, before, batch = 0, 0, []
    for source in sources:
        for record in source.records():
            batch.append(record)
            if len(batch) == size:
                yield Chunk(index, batch, before + source.consumed)
                index, batch = index + 1, []
        before += source.size
    if batch:
        yield Chunk(index, batch, before)


def _engine(model: Model, engine: str, jobs: int, scheduler: str | None) -> Engine:
    if engine == "dask":
        from ._dask import DaskEngine

        return DaskEngine(model, jobs=jobs, scheduler=scheduler)
    if jobs == 1:
        return SerialEngine(model)
    return ProcessEngine(model, jobs)


def _manifest(
    model: Model,
    described: list[dict[str, Any]],
    fingerprint: dict[str, Any],
    options: ScoreOptions,
    engine: str,
    jobs: int,
    scheduler: str | None,
) -> dict[str, Any]:
    from .. import __version__

    return {
        "framelens_version": __version__,
        "status": "running",
        "model": {
            "version": model.version,
            "artefact_sha256": model.manifest.get("artefact_sha256"),
            "scheme": model.scheme.to_dict(),
        },
        "inputs": described,
        "options": asdict(options),
        "engine": {"name": engine, "jobs": jobs, "scheduler": scheduler},
        "fingerprint": fingerprint,
    }


def _totals(stats: list[dict[str, Any]], labels: list[str], level: str) -> dict[str, Any]:
    totals: dict[str, Any] = {
        "chunks": len(stats),
        **{k: sum(s[k] for s in stats) for k in ("rows_in", "articles", "sentences")},
        "rows_out": sum(s["rows_out"] for s in stats),
        "rejects": sum(s["rejects"] for s in stats),
        "uncertain": sum(s["uncertain"] for s in stats),
        "labels": {label: sum(s["labels"].get(label, 0) for s in stats) for label in labels},
    }
    if level == "article":
        totals["dominant"] = {
            label: sum(s.get("dominant", {}).get(label, 0) for s in stats) for label in labels
        }
    return totals
