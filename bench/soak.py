"""Soak the HTTP service: steady load while models are promoted and idle clients hold sockets.

    python bench/soak.py [--duration 600] [--concurrency 16] [--idle 4] [--promote-every 30]

On 127.0.0.1 only, in a temporary directory: trains two small models (tests/data/tiny.csv,
scheme sahel) into a fresh registry, starts ``framelens serve`` on a free port, then for
``--duration`` seconds

* ``--concurrency`` clients POST /v1/annotate with the sample article, one request after another;
* every ``--promote-every`` seconds ``framelens models promote`` makes the other model current;
* ``--idle`` clients each hold a connection open without sending a byte (reconnecting if the
  server drops it);
* every 5 s the workers' resident memory is sampled.

Reports failed requests (target: 0: any status but 200, a timeout or a dropped connection),
whether every response names a version the registry holds, and the workers' RSS in the first
minute against the last (target: within 10%). Prints a table and appends it to
docs/benchmarks.md (``--no-record`` to skip). Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from _machine import cpu_model

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "sample_article.txt"
TINY_CSV = ROOT / "tests" / "data" / "tiny.csv"
HOST = "127.0.0.1"
RSS_EVERY = 5.0
REQUEST_TIMEOUT = 30.0


def framelens(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "framelens"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, check=False)


def train_two(models: Path) -> list[str]:
    """Two versions of a small model in ``models``; the second is current."""
    versions: list[str] = []
    for _ in range(2):
        done = framelens(
            "train", str(TINY_CSV), "--scheme", "sahel", "--models", str(models), "--force", "-q"
        )
        if done.returncode != 0:
            raise SystemExit(f"training failed:\n{done.stdout}{done.stderr}")
        found = sorted(p.name for p in (models / "versions").iterdir() if p.is_dir())
        versions = found
        time.sleep(1.1)  # versions are named by the second they were made
    if len(versions) < 2:
        raise SystemExit(f"expected two model versions, found {versions}")
    return versions[-2:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(models: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    exe = str(Path(sys.executable).parent / "framelens")
    cmd = [exe, "serve", "--host", HOST, "--port", str(port), "--models", str(models)]
    cmd += ["--workers", str(workers), "--threads", str(threads), "--no-access-log"]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise SystemExit(f"server exited: {log.read().decode(errors='replace')}")
        try:
            if request(port, "GET", "/readyz", None)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not become ready in 60 s")


def stop_server(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.log.seek(0)  # type: ignore[attr-defined]
    return proc.log.read().decode(errors="replace")  # type: ignore[attr-defined]


class Soak:
    """The clients, the promoter and the memory sampler, sharing one stop event."""

    def __init__(self, port: int, models: Path, versions: list[str], body: bytes) -> None:
        self.port, self.models, self.versions, self.body = port, models, versions, body
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.seen: dict[str, int] = {}
        self.promotions: list[tuple[float, str, int]] = []
        self.rss: list[tuple[float, dict[int, int]]] = []
        self.idle_reconnects = 0
        self.t0 = time.monotonic()

    def client(self) -> None:
        while not self.stop.is_set():
            t = time.perf_counter()
            try:
                status, raw = request(self.port, "POST", "/v1/annotate", self.body)
            except OSError as exc:
                self._fail(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - t
            if status != 200:
                self._fail(f"HTTP {status}: {raw[:200]!r}")
                continue
            try:
                version = json.loads(raw)["model"]["version"]
            except (ValueError, KeyError, TypeError):
                self._fail(f"no model version in the response: {raw[:200]!r}")
                continue
            with self.lock:
                self.latencies.append(elapsed)
                self.seen[version] = self.seen.get(version, 0) + 1

    def _fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(f"{time.monotonic() - self.t0:.1f} s: {what}")

    def idle(self) -> None:
        """Hold a connection open without sending anything; reconnect when it is dropped."""
        while not self.stop.is_set():
            try:
                with socket.create_connection((HOST, self.port), timeout=1.0) as sock:
                    while not self.stop.is_set():
                        try:
                            if sock.recv(1) == b"":  # the server closed it
                                break
                        except TimeoutError:
                            continue
            except OSError:
                pass
            if not self.stop.is_set():
                with self.lock:
                    self.idle_reconnects += 1
                self.stop.wait(0.5)

    def promoter(self, every: float) -> None:
        i = 0
        while not self.stop.wait(every):
            version = self.versions[i % 2]
            done = framelens("models", "promote", version, "--models", str(self.models))
            with self.lock:
                self.promotions.append((time.monotonic() - self.t0, version, done.returncode))
            if done.returncode != 0:
                self._fail(f"promote {version} failed: {done.stderr.strip()}")
            i += 1

    def sampler(self, server: subprocess.Popen) -> None:
        master = psutil.Process(server.pid)
        while True:
            sample: dict[int, int] = {}
            for worker in master.children(recursive=True):
                try:
                    sample[worker.pid] = worker.memory_info().rss
                except psutil.Error:
                    pass
            self.rss.append((time.monotonic() - self.t0, sample))
            if self.stop.wait(RSS_EVERY):
                return


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def mean_rss(samples: list[tuple[float, dict[int, int]]], lo: float, hi: float) -> float:
    """Mean total worker RSS (MiB) over the samples taken between ``lo`` and ``hi`` seconds."""
    totals = [sum(s.values()) for t, s in samples if lo <= t <= hi and s]
    return statistics.mean(totals) / 2**20 if totals else float("nan")


def report(args: argparse.Namespace, soak: Soak, wall: float, known: set[str]) -> tuple[str, bool]:
    unknown = sorted(set(soak.seen) - known)
    first = mean_rss(soak.rss, 0, 60)
    last = mean_rss(soak.rss, wall - 60, wall)
    drift = last / first - 1 if first == first and first else float("nan")
    pids = [set(s) for _, s in soak.rss if s]
    replaced = len(set().union(*pids) - pids[0]) if pids else 0
    promoted = sum(1 for *_, rc in soak.promotions if rc == 0)
    n = len(soak.latencies)
    met = {
        "failed": not soak.failures,
        "versions": not unknown and bool(soak.seen),
        "rss": abs(drift) <= 0.10,
    }
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    worker = f"{args.workers} sync workers" if args.threads == 1 else f"{args.workers} gthread"
    if args.threads > 1:
        worker += f" workers × {args.threads} threads"
    lines = [
        f"## Soak: load, promotions and idle clients, {now}",
        "",
        f"`python bench/soak.py {' '.join(sys.argv[1:])}` on {os.cpu_count()} cores "
        f"({cpu_model()}), gunicorn {worker}, 127.0.0.1",
        "",
        f"{wall:.0f} s at concurrency {args.concurrency} POSTing /v1/annotate (sample article, "
        f"{len(soak.body)} bytes of JSON), {args.idle} idle connections held open, a promotion "
        f"every {args.promote_every:g} s alternating two models trained on tests/data/tiny.csv",
        "",
        "| requests | failed | req/s | p50 ms | p99 ms | max ms | promotions | versions answered "
        "| unknown versions | worker RSS first min, MiB | last min, MiB | change | "
        "workers replaced | idle reconnects |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {n:,} | {len(soak.failures)} | {n / wall:.1f} | "
        f"{percentile(soak.latencies, 50) * 1000:.1f} | "
        f"{percentile(soak.latencies, 99) * 1000:.1f} | "
        f"{max(soak.latencies, default=float('nan')) * 1000:.1f} | "
        f"{promoted}/{len(soak.promotions)} | "
        + ", ".join(f"{v} ({c:,})" for v, c in sorted(soak.seen.items()))
        + f" | {len(unknown)} | {first:.1f} | {last:.1f} | {drift:+.1%} | {replaced} | "
        f"{soak.idle_reconnects} |",
        "",
        f"- failed requests: {len(soak.failures)} (target 0: "
        f"{'met' if met['failed'] else 'MISSED'})",
        "- every response names a version the registry holds: "
        + ("met" if met["versions"] else f"MISSED ({', '.join(unknown) or 'no response'})"),
        f"- worker RSS, last minute against the first: {drift:+.1%} (target within 10%: "
        f"{'met' if met['rss'] else 'MISSED'})",
    ]
    if soak.failures:
        lines.append("- first failures: " + "; ".join(soak.failures[:3]))
    lines.append("")
    return "\n".join(lines), all(met.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="Seconds of load.")
    parser.add_argument("--concurrency", type=int, default=16, help="Clients posting at once.")
    parser.add_argument("--idle", type=int, default=4, help="Idle connections held open.")
    parser.add_argument("--promote-every", type=float, default=30.0, help="Seconds.")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=1, help="Threads per worker (gthread).")
    parser.add_argument("--article", type=Path, default=SAMPLE, help="The article to send.")
    parser.add_argument("--no-record", action="store_true", help="Do not append to the docs.")
    args = parser.parse_args()
    if args.duration < 60:
        parser.error("--duration must be at least 60 s: RSS compares the first minute")

    body = json.dumps({"text": args.article.read_text(encoding="utf-8")}).encode()
    tmp = Path(tempfile.mkdtemp(prefix="framelens-soak-"))
    models = tmp / "models"
    server = None
    try:
        print(f"training two models in {models} ...", flush=True)
        versions = train_two(models)
        port = free_port()
        server = start_server(models, port, args.workers, args.threads)
        print(f"serving on http://{HOST}:{port}; versions {', '.join(versions)}", flush=True)
        for _ in range(2 * args.workers):  # every worker loads its model before the clock
            request(port, "POST", "/v1/annotate", body)

        soak = Soak(port, models, versions, body)
        threads = [threading.Thread(target=soak.sampler, args=(server,), daemon=True)]
        threads += [threading.Thread(target=soak.idle, daemon=True) for _ in range(args.idle)]
        threads += [threading.Thread(target=soak.client) for _ in range(args.concurrency)]
        threads.append(threading.Thread(target=soak.promoter, args=(args.promote_every,)))
        for t in threads:
            t.start()
        end = soak.t0 + args.duration
        while time.monotonic() < end:
            time.sleep(min(10.0, max(0.0, end - time.monotonic())))
            with soak.lock:
                done, failed = len(soak.latencies), len(soak.failures)
            print(
                f"{time.monotonic() - soak.t0:5.0f} s: {done:,} answered, {failed} failed, "
                f"{len(soak.promotions)} promotions",
                flush=True,
            )
        soak.stop.set()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT + 5)
        wall = time.monotonic() - soak.t0
        known = {p.name for p in (models / "versions").iterdir() if p.is_dir()}
    finally:
        if server is not None:
            log = stop_server(server)
            if "Traceback" in log or "WORKER TIMEOUT" in log:
                print("server log:\n" + log[-3000:], file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    text, ok = report(args, soak, wall, known)
    print()
    print(text)
    if not args.no_record:
        docs = ROOT / "docs" / "benchmarks.md"
        with docs.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
        print(f"appended to {docs}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
