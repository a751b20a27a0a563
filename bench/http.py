"""Benchmark the HTTP service against in-process annotate() and a bare predict_proba floor.

    python bench/http.py [--models var/models] [--article FILE] [--duration 10] [--rounds 5]

Starts ``framelens serve`` (gunicorn) with the registry's current model and, under the same
gunicorn settings, a floor: a bare Flask endpoint that only runs the trained scikit-learn
``pipeline.predict_proba`` on sentences split beforehand, and beside it, for reference, the same
with ``model.predict_proba`` (framelens' featurizer: the same features, faster), and the service
under gunicorn's sync workers, as it ran before its buffering worker. Then, from this
process on 127.0.0.1, with a ~800-word article:

* latency: in-process ``annotate()``, ``predict_proba`` alone and one request to the service,
  taken in turn (one of each, repeated) so that the shared machine's changing load hits all alike;
* throughput: concurrency 1, 4 and 16 against each server, each level cut into ``--rounds``
  slices that alternate between the servers, for the same reason.

Prints a table and appends it to docs/benchmarks.md (``--no-record`` to skip).

Targets: a request at concurrency 1 within 1.5x of in-process annotate(); throughput at
concurrency 4 at least 80% of the floor's.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Any script run from this folder has it first on sys.path, where this file shadows the standard
# library's http package (nltk, urllib and requests import http.client). Run as a script, move
# the folder to the end before anything imports http. Imported as "http" by a sibling script,
# hand over the standard library's package in this module's place (importlib allows that).
_HERE = Path(__file__).resolve().parent
_AHEAD = [p for p in sys.path if Path(p or ".").resolve() == _HERE]
sys.path[:] = [p for p in sys.path if p not in _AHEAD] + [str(_HERE)]
if __name__ == "http":
    del sys.modules["http"]
    import http as _standard_library_http

    sys.modules["http"] = _standard_library_http
    sys.path[:] = _AHEAD + [p for p in sys.path if p != str(_HERE)]

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import threading
import time
import warnings

from _machine import cpu_model

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "sample_article.txt"
CONCURRENCY = (1, 4, 16)


# The article ------------------------------------------------------------------------------------


def make_article(words: int = 800, seed: int = 7) -> str:
    """An article of about ``words`` words: the sample article's sentences, reshuffled into
    paragraphs of three to five sentences under its headline."""
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    headline, body = lines[0], " ".join(lines[1:])
    sentences = re.split(r"(?<=[.!?])\s+", body)
    rng = random.Random(seed)
    paragraphs, count = [], len(headline.split())
    while count < words:
        paragraph = rng.sample(sentences, k=min(len(sentences), rng.randint(3, 5)))
        paragraphs.append(" ".join(paragraph))
        count += sum(len(s.split()) for s in paragraph)
    return headline + "\n\n" + "\n\n".join(paragraphs) + "\n"


# Servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def floor_app():
    """A bare Flask app: POST /floor with {"sentences": [...]} runs predict_proba, nothing else
    (/reference: the same with framelens' featurizer)."""
    from flask import Flask, jsonify, request

    from classifier import ModelRegistry

    model = ModelRegistry(os.environ["FRAMELENS_MODEL_DIR"]).load()
    app = Flask("floor")

    @app.post("/floor")
    def floor():  # the trained scikit-learn pipeline's own predict_proba
        return jsonify(model.pipeline.predict_proba(request.get_json()["sentences"]).tolist())

    @app.post("/reference")
    def reference():  # the same probabilities, features by framelens' featurizer
        return jsonify(model.predict_proba(request.get_json()["sentences"]).tolist())

    @app.get("/readyz")
    def ready():
        return jsonify(status="ready")

    return app


def start(cmd: list[str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stdout.read().decode()}")
        try:
            status, _ = request(port, "GET", "/readyz", None)
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not become ready in 60 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# Load -------------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def load(port: int, path: str, body: bytes, concurrency: int, duration: float) -> dict:
    """Requests from ``concurrency`` threads for ``duration`` seconds: latencies and wall time."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    end = time.monotonic() + duration

    def client() -> None:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            status, _ = request(port, "POST", path, body)
            elapsed = time.perf_counter() - t0
            with lock:
                (latencies if status == 200 else errors).append(
                    elapsed if status == 200 else status
                )

    start_time = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "errors": len(errors), "wall": time.monotonic() - start_time}


def load_alternately(targets: dict, concurrency: int, duration: float, rounds: int) -> dict:
    """Each target loaded for ``duration`` seconds in all, in ``rounds`` alternating slices, so
    that a change in the machine's load (it is shared) hits every target alike."""
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (port, path, body) in targets.items():
            runs[name].append(load(port, path, body, concurrency, duration / rounds))
    rows = {}
    for name, slices in runs.items():
        latencies = sorted(t for r in slices for t in r["latencies"])
        rows[name] = {
            "concurrency": concurrency,
            "requests": len(latencies),
            "errors": sum(r["errors"] for r in slices),
            "rps": len(latencies) / sum(r["wall"] for r in slices),
            "p50": percentile(latencies, 50) * 1000,
            "p99": percentile(latencies, 99) * 1000,
        }
    return rows


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def paired(model, article: str, sentences: list[str], port: int, body: bytes, seconds: float):
    """Median times of in-process annotate(), predict_proba alone, and one request to the
    service, taken in turn so that a change in the machine's load hits all three alike."""
    from classifier import annotate

    fns = {
        "annotate": lambda: annotate(model, article),
        "predict_proba": lambda: model.predict_proba(sentences),
        "http": lambda: request(port, "POST", "/v1/annotate", body),
    }
    times: dict[str, list[float]] = {name: [] for name in fns}
    end = time.monotonic() + seconds
    while time.monotonic() < end or len(times["annotate"]) < 10:
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


# Report -----------------------------------------------------------------------------------------


def report(args, model, article, n_sentences, local, results) -> str:
    service, floor, reference = results["service"], results["floor"], results["reference"]
    sync = results["sync"]
    c4 = next(r for r in service if r["concurrency"] == 4)
    f4 = next(r for r in floor if r["concurrency"] == 4)
    r4 = next(r for r in reference if r["concurrency"] == 4)
    ratio_latency = local["http"] / local["annotate"]
    ratio_rps = c4["rps"] / f4["rps"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## HTTP service, {now}",
        "",
        f"`python bench/http.py {' '.join(sys.argv[1:])}` on {os.cpu_count()} cores "
        f"({cpu_model()}), gunicorn {args.workers} framelens buffering workers × 1 thread "
        "(requests read whole on the event loop); beside it the same app under sync workers",
        "",
        f"model {model.version}; article of {len(article.split())} words, {n_sentences} "
        f"sentences; each row {args.duration:g} s, in {args.rounds} slices alternating with "
        "the other servers'",
        "",
        f"one at a time, in turn (medians): in-process annotate() {local['annotate']:.1f} ms, "
        f"predict_proba alone {local['predict_proba']:.1f} ms, POST /v1/annotate "
        f"{local['http']:.1f} ms",
        "",
        "| server | concurrency | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name, rows in (
        ("framelens /v1/annotate", service),
        ("(before) framelens /v1/annotate, sync workers", sync),
        ("floor: pipeline.predict_proba", floor),
        ("(reference) model.predict_proba, framelens' featurizer", reference),
    ):
        for r in rows:
            lines.append(
                f"| {name} | {r['concurrency']} | {r['rps']:.1f} | {r['p50']:.1f} | "
                f"{r['p99']:.1f} | {r['errors']} |"
            )
    lines += [
        "",
        f"- request at concurrency 1 / in-process annotate(), medians taken in turn: "
        f"{ratio_latency:.2f}x (target ≤ 1.5x: {'met' if ratio_latency <= 1.5 else 'MISSED'})",
        f"- req/s at concurrency 4 / the floor's: {ratio_rps:.0%} "
        f"(target ≥ 80%: {'met' if ratio_rps >= 0.8 else 'MISSED'}); / the reference's "
        f"(predict_proba with framelens' own features): {c4['rps'] / r4['rps']:.0%}",
        "- req/s, buffering workers / sync workers: "
        + ", ".join(
            f"c={a['concurrency']} {a['rps'] / b['rps']:.0%}"
            for a, b in zip(service, sync, strict=True)
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=str(ROOT / "var" / "models"))
    parser.add_argument("--article", type=Path, help="An article to send [default: generated].")
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per load level.")
    parser.add_argument("--rounds", type=int, default=5, help="Slices each level is cut into.")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-record", action="store_true", help="Do not append to the docs.")
    parser.add_argument("--serve-floor", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-sync", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["FRAMELENS_MODEL_DIR"] = str(Path(args.models).resolve())

    if args.serve_floor:  # the floor's server process
        from service import serve

        serve(port=args.serve_floor, workers=args.workers, app_factory=floor_app, access_log=False)
        return
    if args.serve_sync:  # the service as it ran before the buffering worker: sync workers
        from service import serve

        serve(port=args.serve_sync, workers=args.workers, worker_class="sync", access_log=False)
        return

    from classifier import ModelRegistry

    with warnings.catch_warnings():
        model = ModelRegistry(args.models).load()
    article = args.article.read_text(encoding="utf-8") if args.article else make_article()
    sentences = [s.text for s in model.splitter.split(article)]

    framelens = str(Path(sys.executable).parent / "framelens")
    service_port, floor_port, sync_port = free_port(), free_port(), free_port()
    targets = {
        "service": (service_port, "/v1/annotate", json.dumps({"text": article}).encode()),
        "sync": (sync_port, "/v1/annotate", json.dumps({"text": article}).encode()),
        "floor": (floor_port, "/floor", json.dumps({"sentences": sentences}).encode()),
        "reference": (floor_port, "/reference", json.dumps({"sentences": sentences}).encode()),
    }
    # Both servers run for the whole benchmark (an idle one costs nothing) and are measured
    # alternately at each level, so a change in the machine's load hits both alike.
    procs = []
    try:
        procs.append(
            start(
                [
                    framelens,
                    "serve",
                    "--no-access-log",  # nobody reads the pipe: a full one would stop the server
                    "--workers",
                    str(args.workers),
                    "--models",
                    args.models,
                    "--port",
                    str(service_port),
                ],
                service_port,
            )
        )
        procs.append(
            start(
                [
                    sys.executable,
                    __file__,
                    "--workers",
                    str(args.workers),
                    "--models",
                    args.models,
                    "--serve-floor",
                    str(floor_port),
                ],
                floor_port,
            )
        )
        procs.append(
            start(
                [
                    sys.executable,
                    __file__,
                    "--workers",
                    str(args.workers),
                    "--models",
                    args.models,
                    "--serve-sync",
                    str(sync_port),
                ],
                sync_port,
            )
        )
        for port, path, body in targets.values():
            load(port, path, body, args.workers, 1.0)  # warm every worker up
        local = paired(model, article, sentences, *targets["service"][::2], seconds=args.duration)
        print(
            f"in turn: annotate {local['annotate']:.1f} ms, predict_proba "
            f"{local['predict_proba']:.1f} ms, request {local['http']:.1f} ms",
            flush=True,
        )
        results: dict[str, list[dict]] = {name: [] for name in targets}
        for c in CONCURRENCY:
            rows = load_alternately(targets, c, args.duration, args.rounds)
            for name, row in rows.items():
                print(
                    f"{name} c={c}: {row['rps']:.1f} req/s, p50 {row['p50']:.1f} ms, "
                    f"p99 {row['p99']:.1f} ms, {row['errors']} errors",
                    flush=True,
                )
                results[name].append(row)
    finally:
        for proc in procs:
            stop(proc)

    text = report(args, model, article, len(sentences), local, results)
    print()
    print(text)
    if not args.no_record:
        docs = ROOT / "docs" / "benchmarks.md"
        with docs.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
        print(f"appended to {docs}")


if __name__ == "__main__":
    main()
