"""Shared fixtures: a tiny model trained once per session on hand-written sentences."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier import Model, ModelRegistry

DATA = Path(__file__).parent / "data"
TINY_CSV = DATA / "tiny.csv"

ARTICLE = (
    "Mali accuses Kyiv of backing rebels\n\n"
    "The junta said armed terrorist groups attacked the army near Kidal. "
    "Kyiv said Russian war criminals suffered a heavy defeat. "
    "Mr. Yusov spoke on Jan. 5 at 9 a.m. in Kyiv.\n\n"
    "“We are not terrorists,” the rebel spokesman said. "
    "The claims could not be independently verified."
)


@pytest.fixture(scope="session")
def tiny_registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry holding one current model trained on tests/data/tiny.csv (trained once)."""
    from training import FitConfig, train

    root = tmp_path_factory.mktemp("registry-template")
    train([TINY_CSV], scheme="sahel", registry=ModelRegistry(root), config=FitConfig(), n_jobs=1)
    return root


@pytest.fixture
def registry(tiny_registry_template: Path, tmp_path: Path) -> ModelRegistry:
    """A private copy of the tiny registry, free to change in a test."""
    root = tmp_path / "models"
    shutil.copytree(tiny_registry_template, root)
    return ModelRegistry(root)


@pytest.fixture(scope="session")
def tiny_model(tiny_registry_template: Path) -> Model:
    with warnings.catch_warnings():
        return ModelRegistry(tiny_registry_template).load()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("FRAMELENS_MODEL_DIR", raising=False)
    return CliRunner()


@pytest.fixture
def article() -> str:
    return ARTICLE


def is_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def app(registry: ModelRegistry):
    """The HTTP service over a private tiny registry; the registry poller is off."""
    from service import create_app

    return create_app({"TESTING": True, "MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live_server(tiny_registry_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """``framelens serve`` with 2 workers on a free 127.0.0.1 port; yields (host, port)."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    root = tmp_path_factory.mktemp("live") / "models"
    shutil.copytree(tiny_registry_template, root)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    framelens = Path(sys.executable).parent / "framelens"
    cmd = [str(framelens), "serve", "--port", str(port), "--workers", "2", "--no-access-log"]
    log = (root.parent / "serve.log").open("w+")
    env = {**os.environ, "FRAMELENS_MODEL_DIR": str(root)}
    proc = subprocess.Popen(cmd + ["--models", str(root)], stdout=log, stderr=log, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5).close()
                break
            except OSError:
                assert proc.poll() is None, "framelens serve exited"
                assert time.monotonic() < deadline, "the server never became ready"
                time.sleep(0.2)
        yield ("127.0.0.1", port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
