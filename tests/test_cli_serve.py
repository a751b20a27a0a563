"""`framelens serve`: gunicorn on 127.0.0.1, printing its URL, serving the registry's model."""

from __future__ import annotations

import json
import re
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize("access_log", [True, False], ids=["access-log", "no-access-log"])
def test_serve_writes_one_access_log_line_per_request(registry, tmp_path, access_log):
    port = _free_port()
    framelens = Path(sys.executable).parent / "framelens"
    cmd = [str(framelens), "serve", "--port", str(port), "--workers", "1"]
    cmd += ["--models", str(registry.root)] + ([] if access_log else ["--no-access-log"])
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert proc.stdout.readline().startswith("framelens serving on")
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never became ready"
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/annotate",
            data=b"Kyiv denied it.",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.headers["X-Framelens-Model"] == registry.current()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        log.close()
    lines = out.splitlines()
    if not access_log:
        assert lines == []
        return
    assert re.fullmatch(r"GET /healthz 200 \d+ms model=-", lines[-2])
    assert re.fullmatch(rf"POST /v1/annotate 200 \d+ms model={registry.current()}", lines[-1])
