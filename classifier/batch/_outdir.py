"""The output directory of a scoring run: chunk files written atomically, and the run manifest.

Layout::

    OUT/part-000000.jsonl       rows of chunk 0 (or .csv / .parquet)
    OUT/rejects-000000.jsonl    rows of chunk 0 that could not be scored (only if there were any)
    OUT/.chunks/000000.json     chunk 0 is complete, and what it counted
    OUT/run.json                the manifest: model, inputs, options, counts, timing

Every file appears whole or not at all: it is written under a temporary name in the same
directory, fsynced, then renamed with ``os.replace``. A chunk counts as done only once its
marker in ``.chunks/`` exists, and the marker is written after the chunk's files, so a run
killed at any moment is resumed by redoing the chunks without a marker.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
from pathlib import Path
from typing import IO, Any

from .._files import TEMP_PREFIX, fsync_dir, remove_stale_temp, write_atomic
from ._errors import OutputDirError
from ._score import ChunkResult
from ._writers import part_name, rejects_name

log = logging.getLogger(__name__)

MANIFEST = "run.json"
MARKERS = ".chunks"
# A chunk's marker: its index, six digits or more. Not "*.json": pathlib's glob matches dot-files,
# and a killed marker write leaves ``.chunks/.tmp-*.json``.
_MARKER_GLOB = "[0-9]*.json"
_LOCK = ".lock"
_OURS = ("part-*", "rejects-*", f"{TEMP_PREFIX}*", MANIFEST, MARKERS)


class OutputDir:
    """One run's output directory, locked against a second run writing into it at once."""

    def __init__(self, path: str | Path, fmt: str) -> None:
        self.path = Path(path)
        self.fmt = fmt
        self._lock: IO[str] | None = None

    def __enter__(self) -> OutputDir:
        if self.path.exists() and not self.path.is_dir():
            raise OutputDirError(str(self.path), "is a file, not a directory")
        (self.path / MARKERS).mkdir(parents=True, exist_ok=True)
        # Held until __exit__. Forked workers inherit it (flock belongs to the open file), so
        # they die with this process (``classifier._lifeline``) rather than hold it on.
        self._lock = open(self.path / _LOCK, "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise OutputDirError(
                str(self.path), "another 'framelens score' is writing into it; wait for it to end"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    # The run as a whole --------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:  # written atomically, so only a hand edit breaks it
            raise OutputDirError(
                str(self.path), f"{MANIFEST} is not valid JSON ({exc}); use --overwrite"
            ) from exc

    def prepare(self, fingerprint: dict[str, Any], *, overwrite: bool) -> dict[str, Any] | None:
        """Make the directory ready for a run with ``fingerprint``; return the earlier manifest
        when this run resumes it.

        Raises ``OutputDirError`` if the directory holds another run's output and ``overwrite``
        is false.
        """
        for folder in (self.path, self.path / MARKERS):  # we hold the lock: no writer is alive
            for stale in remove_stale_temp(folder):
                log.info("removed %s, left by a killed run", stale)
        manifest = None if overwrite else self.read_manifest()
        if overwrite:
            self.clear()
        elif manifest is None:
            if any(self._ours(include_markers=False)) or any(
                (self.path / MARKERS).glob(_MARKER_GLOB)
            ):
                raise OutputDirError(
                    str(self.path),
                    f"holds chunk files but no {MANIFEST}; use --overwrite to replace them",
                )
        elif manifest.get("fingerprint") != fingerprint:
            changes = "; ".join(_differences(manifest.get("fingerprint", {}), fingerprint))
            raise OutputDirError(
                str(self.path),
                f"holds a run with {changes}; rerun with --overwrite to replace it, "
                "or choose another --output",
            )
        return manifest

    def clear(self) -> None:
        """Delete every file a scoring run writes here, and nothing else."""
        for p in self._ours(include_markers=True):
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink()
        (self.path / MARKERS).mkdir(exist_ok=True)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        self._write(self.path / MANIFEST, text.encode("utf-8"))
        fsync_dir(self.path)

    # Chunks ---------------------------------------------------------------------------------

    def is_done(self, index: int) -> bool:
        return self._marker(index).is_file()

    def write_chunk(self, result: ChunkResult) -> None:
        """Write a chunk's rows, then its rejects, then the marker saying it is complete."""
        self._write(self.path / part_name(result.index, self.fmt), result.part)
        rejects = self.path / rejects_name(result.index)
        if result.rejects:
            self._write(rejects, result.rejects)
        else:
            rejects.unlink(missing_ok=True)
        fsync_dir(self.path)
        self._write(self._marker(result.index), json.dumps(result.stats).encode("utf-8"))
        fsync_dir(self.path / MARKERS)

    def drop_markers_without_files(self) -> int:
        """Forget chunks whose files were deleted by hand, so they are scored again."""
        dropped = 0
        for marker in (self.path / MARKERS).glob(_MARKER_GLOB):
            stats = json.loads(marker.read_text(encoding="utf-8"))
            index = int(marker.stem)
            missing = not (self.path / part_name(index, self.fmt)).is_file() or (
                stats.get("rejects") and not (self.path / rejects_name(index)).is_file()
            )
            if missing:
                log.warning("chunk %d of %s lost its files; scoring it again", index, self.path)
                marker.unlink()
                dropped += 1
        return dropped

    def chunk_stats(self) -> list[dict[str, Any]]:
        """The counts of every complete chunk, in chunk order."""
        markers = sorted((self.path / MARKERS).glob(_MARKER_GLOB))
        return [json.loads(p.read_text(encoding="utf-8")) for p in markers]

    # Internals ------------------------------------------------------------------------------

    def _marker(self, index: int) -> Path:
        return self.path / MARKERS / f"{index:06d}.json"

    def _ours(self, *, include_markers: bool) -> list[Path]:
        found = [p for pattern in _OURS for p in self.path.glob(pattern)]
        return [p for p in found if include_markers or p.name != MARKERS]

    def _write(self, path: Path, data: bytes) -> None:
        write_atomic(path, data)


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed between two runs' fingerprints, in words."""
    found = []
    old_model, new_model = old.get("model", {}), new.get("model", {})
    if old_model != new_model:
        found.append(
            f"another model ({old_model.get('version')}; this run uses {new_model.get('version')})"
        )
    if old.get("inputs") != new.get("inputs"):
        found.append("other inputs (their sizes or SHA-256 differ)")
    old_opts, new_opts = old.get("options", {}), new.get("options", {})
    for key in sorted(set(old_opts) | set(new_opts)):
        if old_opts.get(key) != new_opts.get(key):
            found.append(
                f"--{key.replace('_', '-')} {old_opts.get(key)} (this run: {new_opts.get(key)})"
            )
    return found or ["different settings"]
