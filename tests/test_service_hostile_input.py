"""Hostile requests get a 4xx in the one error shape, never a 500 or a traceback: lone
surrogates, deep nesting, huge numbers, odd charsets, chunked bodies over the limit or broken."""

from __future__ import annotations

import json
import logging
import socket

import pytest

from service import create_app


@pytest.fixture
def limited_client(registry):
    app = create_app(
        {"MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0, "MAX_CONTENT_LENGTH": 4096}
    )
    return app.test_client()


JSON = "application/json"
# fmt: off
HOSTILE = [
    # (path, raw body, content type, status, code, words the message must hold)
    ("/v1/annotate", b'{"text":"Kyiv \\ud800 said so."}', JSON, 400, "invalid_json", "surrogate"),
    ("/v1/annotate", b'{"text":"a.","\\ud800":1}', JSON, 400, "invalid_json", "surrogate"),
    ("/v1/annotate", b'{"text":"a.","model":"\\ud800"}', JSON, 400, "invalid_json", "surrogate"),
    ("/v1/annotate/batch", b'{"articles":[{"id":"\\ud800","text":"Kyiv said."}]}', JSON, 400,
     "invalid_json", "surrogate"),
    ("/v1/annotate", b"The army said +2AA- it.", "text/plain; charset=utf-7", 415,
     "unsupported_media_type", "charset 'utf-7' is not accepted"),
    ("/v1/annotate", b"The army said \\ud800 it.", "text/plain; charset=unicode_escape", 415,
     "unsupported_media_type", "send UTF-8"),
    ("/v1/annotate", b'{"text":' + b"[" * 1100 + b"]" * 1100 + b"}", JSON, 400, "invalid_json",
     "depth"),
    ("/v1/annotate/batch", b'{"articles":' + b"[" * 1100 + b"]" * 1100 + b"}", JSON, 400,
     "invalid_json", "depth"),
    ("/v1/annotate", b'{"text": ' + b"1" * 5000 + b"}", JSON, 400, "invalid_json",
     "not valid JSON"),
    ("/v1/annotate", b'{"text": null}', JSON, 400, "invalid_request",
     "'text' must be a string, got null"),
]
# fmt: on


@pytest.mark.parametrize(
    ("path", "raw", "content_type", "status", "code", "words"),
    HOSTILE,
    ids=[f"{h[3]}-{i}" for i, h in enumerate(HOSTILE)],
)
def test_hostile_bodies_get_a_4xx_in_the_error_shape(
    client, caplog, path, raw, content_type, status, code, words
):
    with caplog.at_level(logging.ERROR):
        response = client.post(path, data=raw, content_type=content_type)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"]["code"] == code
    assert words in body["error"]["message"]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_an_echoed_surrogate_cannot_break_the_error_response(client):
    # A text/plain body in UTF-16 may carry a lone surrogate no JSON encoder can write.
    raw = "Kyiv said so.".encode("utf-16-le") + b"\x00\xd8"
    response = client.post("/v1/annotate", data=raw, content_type="text/plain; charset=utf-16le")
    assert response.status_code == 400
    assert "utf-16le" in response.get_json()["error"]["message"]


def _raw_exchange(address: tuple[str, int], request: bytes) -> tuple[int, dict]:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def _chunked(body: bytes, size: int = 65536) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


HEAD = (
    b"POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
)


@pytest.mark.slow
def test_a_chunked_body_over_the_limit_is_refused_not_cut(live_server):
    body = ("Kyiv said the first thing. " * 100_000).encode()  # 2.7 MB > 2 MiB
    status, answer = _raw_exchange(live_server, HEAD + _chunked(body))
    assert status == 413
    assert answer["error"]["code"] == "too_large"


@pytest.mark.slow
def test_a_chunked_body_under_the_limit_is_annotated_whole(live_server):
    status, answer = _raw_exchange(live_server, HEAD + _chunked(b"Kyiv said so. Mali agreed.", 5))
    assert status == 200
    assert [s["text"] for s in answer["sentences"]] == ["Kyiv said so.", "Mali agreed."]


@pytest.mark.slow
def test_a_malformed_chunk_size_is_a_400(live_server):
    status, answer = _raw_exchange(live_server, HEAD + b"zz\r\nabc\r\n0\r\n\r\n")
    assert status == 400
    assert answer["error"]["code"] == "invalid_request"
    assert "could not be read" in answer["error"]["message"]
