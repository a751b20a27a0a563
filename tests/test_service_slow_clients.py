"""Idle and slow clients cannot stop `framelens serve`: requests are read whole before a worker
thread runs the app, so /healthz and /v1/annotate keep answering while such clients hang on."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest

from framelens._http_worker import request_complete

pytestmark = pytest.mark.slow

IDLE, SLOW = 32, 32


def _open(address: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(address, timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _timed(address, method: str, path: str, body: bytes | None = None) -> tuple[int, float]:
    start = time.monotonic()
    conn = http.client.HTTPConnection(*address, timeout=1)
    try:
        headers = {"Content-Type": "application/json"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - start
    finally:
        conn.close()


def test_idle_and_slow_clients_do_not_stop_the_service(live_server):
    body = json.dumps({"text": "Kyiv said so. The army denied it."}).encode()
    held: list[socket.socket] = []
    stop = threading.Event()

    def trickle(sock: socket.socket) -> None:
        # Announce a body, then send it one byte every 200 ms: it never completes in the test.
        sock.sendall(
            b"POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
        while not stop.wait(0.2):
            try:
                sock.sendall(b" ")
            except OSError:
                return

    trickles = []
    try:
        held += [_open(live_server) for _ in range(IDLE)]  # connect, send nothing
        for _ in range(SLOW):
            sock = _open(live_server)
            held.append(sock)
            trickles.append(threading.Thread(target=trickle, args=(sock,), daemon=True))
            trickles[-1].start()
        time.sleep(1.0)  # every bad client is connected and stuck
        answers = []
        for _ in range(5):
            answers.append(_timed(live_server, "GET", "/healthz"))
            answers.append(_timed(live_server, "POST", "/v1/annotate", body))
            time.sleep(0.3)
    finally:
        stop.set()
        for sock in held:
            sock.close()
        for t in trickles:
            t.join(timeout=5)
    assert [status for status, _ in answers] == [200] * 10
    assert max(seconds for _, seconds in answers) < 1.0


@pytest.mark.parametrize(
    ("raw", "complete"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n", False),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc", False),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n", True),  # over the limit: a 413
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", True),  # malformed: a 400
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", False),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", True),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", None),
    ],
)
def test_a_request_is_handed_to_the_app_only_when_whole_or_refusable(raw, complete):
    assert request_complete(raw, max_body=1024 * 1024) is complete
