"""Atomic file writes, shared by the model registry and batch output directories."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

TEMP_PREFIX = ".tmp-"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same directory (named ``.tmp-*``, so a killed writer's
    leftovers can be found), are fsynced, then renamed over ``path``. Not ``mkstemp``: its files
    are private (0600), and these get the umask's permissions like any other file.
    """
    tmp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}-{path.name}"
    try:
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
