"""Atomic file writes, shared by the model registry and batch output directories."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from .errors import StorageError

TEMP_PREFIX = ".tmp-"


@contextlib.contextmanager
def storage_errors(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing ``path`` into one ``StorageError`` naming it (not the
    temporary name the bytes were going to)."""
    try:
        yield
    except StorageError:
        raise
    except OSError as exc:
        where = path
        problem = exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))
        raise StorageError(str(where), problem) from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same directory (named ``.tmp-*``, so a killed writer's
    leftovers can be found), are fsynced, then renamed over ``path``. Not ``mkstemp``: its files
    are private (0600), and these get the umask's permissions like any other file. A failure
    (a full disk) raises ``StorageError`` naming ``path`` and leaves ``path`` as it was.
    """
    tmp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}-{path.name}"
    try:
        with storage_errors(path):
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def fsync_dir(path: Path) -> None:
    """Make a directory's new entries (renames, new files) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock_dir(path: Path) -> int:
    """Hold an exclusive lock on a directory until the returned descriptor is closed (or the
    process dies): how a writer marks a temporary directory as still in use."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def remove_stale_temp(folder: Path) -> list[Path]:
    """Delete the ``.tmp-*`` files and unlocked ``.tmp-*`` directories that killed writers left
    in ``folder``; return what was removed.

    Call it only while holding the lock that writers of temporary *files* in ``folder`` hold;
    temporary *directories* are skipped while their writer holds ``lock_dir`` on them.
    """
    removed = []
    for stale in folder.glob(f"{TEMP_PREFIX}*"):
        try:
            if stale.is_dir() and not stale.is_symlink():
                fd = os.open(stale, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live writer's
                finally:
                    os.close(fd)
                shutil.rmtree(stale)
            else:
                stale.unlink()
        except FileNotFoundError:
            continue
        removed.append(stale)
    return removed
