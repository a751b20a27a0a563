"""`framelens serve`: gunicorn on 127.0.0.1, printing its URL, serving the registry's model."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from framelens.cli import main


def test_serve_help_shows_its_defaults(runner):
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--workers" in result.output and "number of cores" in result.output
    assert "127.0.0.1" in result.output


def test_serve_refuses_zero_workers(runner):
    result = runner.invoke(main, ["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output


@pytest.mark.slow
def test_serve_runs_gunicorn_and_prints_its_url(registry, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    framelens = Path(sys.executable).parent / "framelens"
    cmd = [str(framelens), "serve", "--port", str(port), "--workers", "1"]
    cmd += ["--models", str(registry.root)]
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"framelens serving on http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    body = json.load(r)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never became ready"
                time.sleep(0.2)
        assert body == {"status": "ready", "model": registry.current()}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        log.close()
