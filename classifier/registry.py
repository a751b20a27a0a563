"""The model registry: a directory of trained versions and a pointer to the current one.

Layout::

    ROOT/versions/<version>/model.joblib    the pipeline and splitter parameters
    ROOT/versions/<version>/manifest.json   what was trained, on what, how well, the SHA-256
    ROOT/state.json                         {"current": <version>, "history": [older currents]}

Every write is atomic: a version directory is built under a temporary name and renamed into
place, and ``state.json`` is replaced with ``os.replace``, so a crash leaves the registry either
as it was or fully updated. Models load only through ``load``, which checks the artefact's
SHA-256 against its manifest before ``joblib.load`` sees a byte of it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import sklearn
from platformdirs import user_data_dir

from ._files import fsync_dir, write_atomic
from .errors import ModelIntegrityError, ModelNotFoundError, NoPreviousModelError
from .model import Model

log = logging.getLogger(__name__)

ARTEFACT = "model.joblib"
MANIFEST = "manifest.json"
_VERSION = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")


def default_model_dir() -> Path:
    """``FRAMELENS_MODEL_DIR`` if set, else a per-user data directory."""
    env = os.environ.get("FRAMELENS_MODEL_DIR")
    return Path(env) if env else Path(user_data_dir("framelens")) / "models"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ModelRegistry:
    """Versions of trained models under one directory, and which one is current."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_model_dir()

    def __repr__(self) -> str:
        return f"ModelRegistry({str(self.root)!r})"

    # Reading ---------------------------------------------------------------------------------

    def versions(self) -> list[str]:
        """Every complete version, oldest first."""
        folder = self.root / "versions"
        if not folder.is_dir():
            return []
        found = [
            p.name
            for p in folder.iterdir()
            if _VERSION.match(p.name) and (p / MANIFEST).is_file() and (p / ARTEFACT).is_file()
        ]
        return sorted(found, key=lambda v: (self.manifest(v).get("created_at", ""), v))

    def current(self) -> str | None:
        return self._state().get("current")

    def manifest(self, version: str) -> dict[str, Any]:
        path = self._version_dir(version) / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelNotFoundError(str(self.root), version, self.versions()) from None

    def resolve(self, version: str | None = None) -> str:
        """A version id from ``None``/``"current"`` (the current one) or an exact id."""
        if version in (None, "", "current"):
            current = self.current()
            if current is None:
                raise ModelNotFoundError(str(self.root), None, [])
            return current
        if not _VERSION.match(version) or not (self._version_dir(version) / MANIFEST).is_file():
            raise ModelNotFoundError(str(self.root), version, self.versions())
        return version

    def load(self, version: str | None = None) -> Model:
        """Load a version (default: current) after checking its artefact's SHA-256."""
        version = self.resolve(version)
        manifest = self.manifest(version)
        path = self._version_dir(version) / ARTEFACT
        expected = manifest.get("artefact_sha256")
        if not expected:
            raise ModelIntegrityError(str(path), "its manifest records no SHA-256")
        actual = sha256_file(path)
        if actual != expected:
            raise ModelIntegrityError(
                str(path), f"its SHA-256 is {actual[:12]}…, the manifest says {expected[:12]}…"
            )
        trained_with = manifest.get("sklearn_version")
        if trained_with and trained_with != sklearn.__version__:
            warnings.warn(
                f"model {version} was trained with scikit-learn {trained_with} and is loaded "
                f"with {sklearn.__version__}; predictions may differ. Retrain to be sure.",
                UserWarning,
                stacklevel=2,
            )
        payload = joblib.load(path)
        return Model.from_payload(version, manifest, payload)

    # Writing ---------------------------------------------------------------------------------

    def add(
        self,
        version: str,
        payload: dict[str, Any],
        manifest: dict[str, Any],
        extras: dict[str, bytes] | None = None,
    ) -> Path:
        """Write a new version atomically and return its directory; it is not made current.

        The manifest gets the artefact's SHA-256 here, computed from the bytes on disk.
        ``extras`` are further files for the version directory (reports, plots).
        """
        if not _VERSION.match(version):
            raise ValueError(f"invalid version id {version!r}")
        versions = self.root / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        final = versions / version
        if final.exists():
            raise FileExistsError(f"version {version} already exists in {self.root}")
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=versions))
        try:
            joblib.dump(payload, tmp / ARTEFACT)
            for name, data in (extras or {}).items():
                (tmp / Path(name).name).write_bytes(data)
            manifest = {
                **manifest,
                "version": version,
                "artefact_sha256": sha256_file(tmp / ARTEFACT),
            }
            write_atomic(tmp / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
            fsync_dir(tmp)
            os.rename(tmp, final)
            fsync_dir(versions)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        log.info("added model version %s to %s", version, self.root)
        return final

    def promote(self, version: str) -> None:
        """Make ``version`` current; the one it replaces can be brought back by ``rollback``."""
        version = self.resolve(version)
        with self._locked_state() as state:
            previous = state.get("current")
            if previous == version:
                return
            if previous:
                state.setdefault("history", []).append(previous)
            state["current"] = version
        log.info("current model is now %s (was %s)", version, previous)

    def rollback(self) -> str:
        """Make the previously current version current again; return it.

        Raises
        ------
        NoPreviousModelError
            If no earlier current version is left in the history.
        """
        with self._locked_state() as state:
            history = state.get("history", [])
            if not history:
                raise NoPreviousModelError(str(self.root), state.get("current"))
            state["current"] = history.pop()
            return state["current"]

    def history(self) -> list[str]:
        """The versions that were current before the current one, oldest first."""
        history = self._state().get("history", [])
        return [v for v in history if isinstance(v, str)] if isinstance(history, list) else []

    def state_token(self) -> tuple[int, int] | None:
        """Changes whenever the current version changes: cheap to poll from a server."""
        try:
            st = (self.root / "state.json").stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    # Internals -------------------------------------------------------------------------------

    def _version_dir(self, version: str) -> Path:
        if not _VERSION.match(version):
            raise ModelNotFoundError(str(self.root), version, self.versions())
        return self.root / "versions" / version

    def _state(self) -> dict[str, Any]:
        try:
            return json.loads((self.root / "state.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    @contextlib.contextmanager
    def _locked_state(self) -> Iterator[dict[str, Any]]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._state()
            yield state
            write_atomic(self.root / "state.json", (json.dumps(state, indent=2) + "\n").encode())
