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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import joblib
import sklearn
from platformdirs import user_data_dir

from ._files import (
    TEMP_PREFIX,
    fsync_dir,
    lock_dir,
    remove_stale_temp,
    storage_errors,
    write_atomic,
)
from .errors import (
    FramelensError,
    ModelIntegrityError,
    ModelNotFoundError,
    NoPreviousModelError,
    RegistryStateError,
)
from .model import Model

log = logging.getLogger(__name__)

ARTEFACT = "model.joblib"
MANIFEST = "manifest.json"
STATE = "state.json"
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
        found = []
        for p in folder.iterdir():
            if not _VERSION.match(p.name):
                continue
            try:
                complete = (p / MANIFEST).is_file() and (p / ARTEFACT).is_file()
                created = self.manifest(p.name).get("created_at", "") if complete else ""
            except (ModelIntegrityError, OSError) as exc:
                # One unreadable version must not hide the others (or break every 404).
                log.warning("skipping model version %s: %s", p.name, exc)
                continue
            if complete:
                found.append((str(created), p.name))
        return [v for _, v in sorted(found)]

    def current(self) -> str | None:
        return self._state().get("current")

    def manifest(self, version: str) -> dict[str, Any]:
        path = self._version_dir(version) / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelNotFoundError(str(self.root), version, self.versions()) from None
        except (OSError, ValueError) as exc:
            raise ModelIntegrityError(str(path), f"it cannot be read as JSON ({exc})") from exc
        if not isinstance(manifest, dict):
            raise ModelIntegrityError(
                str(path), f"it holds a {type(manifest).__name__}, not a JSON object"
            )
        return manifest

    def resolve(self, version: str | None = None) -> str:
        """A version id from ``None``/``"current"`` (the current one) or an exact id."""
        if version in (None, "", "current"):
            current = self.current()
            if current is None:
                raise ModelNotFoundError(str(self.root), None, [])
            return current
        folder = self._version_dir(version)
        try:
            complete = (folder / MANIFEST).is_file() and (folder / ARTEFACT).is_file()
        except OSError as exc:
            raise ModelIntegrityError(str(folder), f"it cannot be read ({exc.strerror})") from exc
        if not complete:
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
        try:
            actual = sha256_file(path)
        except OSError as exc:
            raise ModelIntegrityError(str(path), f"it cannot be read ({exc.strerror})") from exc
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
        try:
            payload = joblib.load(path)
            return Model.from_payload(version, manifest, payload)
        except FramelensError:
            raise
        except Exception as exc:  # unpickling can raise anything: none may escape
            # The hash matched, but what it hashed is not a framelens model of this format.
            raise ModelIntegrityError(
                str(path), f"it is not a framelens model ({type(exc).__name__}: {exc})"
            ) from exc

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
        with self._registry_lock():
            removed = remove_stale_temp(versions)
            tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=versions))
            held = lock_dir(tmp)  # under the registry lock: a cleaner never sees it unlocked
        if removed:
            log.warning("removed %d leftover(s) of killed writers in %s", len(removed), versions)
        try:
            with storage_errors(final):
                # mkdtemp makes it private (0700); a version is as readable as the registry.
                os.chmod(tmp, 0o777 & ~_umask())
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
        finally:
            os.close(held)
        log.info("added model version %s to %s", version, self.root)
        return final

    def promote(self, version: str) -> None:
        """Make ``version`` current; the one it replaces can be brought back by ``rollback``.

        A ``state.json`` that cannot be read is rewritten (its history is lost, with a warning):
        promoting is how a broken state is repaired.
        """
        self.promote_if(version, lambda current: (True, ""))

    def promote_if(
        self, version: str, decide: Callable[[str | None], tuple[bool, str]]
    ) -> tuple[bool, str]:
        """Make ``version`` current if ``decide(current)`` says so, all under the state lock, so
        no other promotion happens between the decision and the write; return the decision."""
        version = self.resolve(version)
        with self._locked_state(repair=True) as state:
            previous = state.get("current")
            promoted, reason = decide(previous)
            if not promoted or previous == version:
                return promoted, reason
            if previous:
                state.setdefault("history", []).append(previous)
            state["current"] = version
        log.info("current model is now %s (was %s)", version, previous)
        return promoted, reason

    def rollback(self) -> str:
        """Make the previously current version current again; return it.

        The version is loaded first, with every check ``load`` makes; one that fails them is
        refused and the current model stays current.

        Raises
        ------
        NoPreviousModelError
            If no earlier current version is left in the history.
        ModelNotFoundError, ModelIntegrityError
            If the previous version was deleted or its artefact changed.
        """
        with self._locked_state() as state:
            history = state.get("history", [])
            if not history:
                raise NoPreviousModelError(str(self.root), state.get("current"))
            self.load(history[-1])
            state["current"] = history.pop()
            return state["current"]

    def history(self) -> list[str]:
        """The versions that were current before the current one, oldest first."""
        history = self._state().get("history", [])
        return [v for v in history if isinstance(v, str)] if isinstance(history, list) else []

    def state_token(self) -> tuple[int, int] | None:
        """Changes whenever the current version changes: cheap to poll from a server."""
        try:
            st = (self.root / STATE).stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    # Internals -------------------------------------------------------------------------------

    def _version_dir(self, version: str) -> Path:
        if not _VERSION.match(version):
            raise ModelNotFoundError(str(self.root), version, self.versions())
        return self.root / "versions" / version

    def _state(self) -> dict[str, Any]:
        path = self.root / STATE
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RegistryStateError(str(path), f"cannot be read as JSON ({exc})") from exc
        if not isinstance(state, dict):
            raise RegistryStateError(str(path), f"holds a {type(state).__name__}, not an object")
        current, history = state.get("current"), state.get("history", [])
        if current is not None and not isinstance(current, str):
            raise RegistryStateError(str(path), f"names current {current!r}, not a version id")
        if not isinstance(history, list) or not all(isinstance(v, str) for v in history):
            raise RegistryStateError(str(path), f"has history {history!r}, not a list of ids")
        return state

    @contextlib.contextmanager
    def _registry_lock(self) -> Iterator[None]:
        """The lock every writer of ``state.json`` or of a temporary version holds."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    @contextlib.contextmanager
    def _locked_state(self, *, repair: bool = False) -> Iterator[dict[str, Any]]:
        with self._registry_lock():
            # A killed promote's .tmp-*-state.json, a killed train's versions/.tmp-*/.
            removed = remove_stale_temp(self.root)
            if (self.root / "versions").is_dir():
                removed += remove_stale_temp(self.root / "versions")
            if removed:
                log.warning("removed %d leftover(s) of killed writers", len(removed))
            try:
                state = self._state()
            except RegistryStateError as exc:
                if not repair:
                    raise
                log.warning("%s; writing a new one without history", exc)
                state = {}
            yield state
            with storage_errors(self.root / STATE):
                write_atomic(self.root / STATE, (json.dumps(state, indent=2) + "\n").encode())


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
