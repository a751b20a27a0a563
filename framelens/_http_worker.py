"""A gunicorn worker that reads each request whole before a thread sees it.

gunicorn's sync worker gives one process to one client socket: two clients that connect and
then send nothing, or send a body a byte at a time, stop a two-worker service. Its ``gthread``
worker still hands a connection to a thread as soon as the headers start, and the thread then
blocks reading the body. ``BufferingWorker`` keeps every connection on the worker's event loop
until the request is complete: the head, then the body its ``Content-Length`` or chunked
encoding announces. Only then does a thread parse it, from memory, and run the app. Idle and
slow clients cost a few kilobytes each and are closed once ``request_timeout`` seconds pass
without a whole request; the threads stay free for clients that have sent one.
"""

from __future__ import annotations

import errno
import selectors
import time
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

# Above this, stop waiting and let gunicorn's parser and the app answer (431, 413, 400).
MAX_HEAD_BYTES = 64 * 1024
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class _Pending:
    """A connection whose request is still arriving."""

    __slots__ = ("buf", "deadline", "sent_continue")

    def __init__(self, deadline: float) -> None:
        self.buf = bytearray()
        self.deadline = deadline
        self.sent_continue = False


def request_complete(buf: bytes | bytearray, max_body: int) -> bool | None:
    """Whether ``buf`` holds a whole HTTP/1.x request (or enough to refuse it).

    Returns True when the request can be handed over: complete, or malformed or too large,
    in which case gunicorn's parser or the app gives the error. False: wait for more bytes.
    None: the head is complete and asks for ``100 Continue`` before its body is sent.
    """
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return len(buf) > MAX_HEAD_BYTES
    length, chunked, expect = None, False, False
    for line in bytes(buf[:end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            if not value.isdigit():
                return True
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = chunked or b"chunked" in value
        elif name == b"expect":
            expect = value == b"100-continue"
    body = memoryview(buf)[end + 4 :]
    if chunked:
        done = _chunked_complete(bytes(body), max_body)
    elif length is None:
        return True
    else:
        done = length > max_body or len(body) >= length
    if not done and expect and not body:
        return None
    return done


def _chunked_complete(body: bytes, max_body: int) -> bool:
    if len(body) > max_body:
        return True
    pos = 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            return len(body) - pos > 1024  # a size line that never ends: the parser refuses it
        size_text = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return True  # a malformed size: the parser answers 400
        if size < 0:
            return True
        if size == 0:
            return body.find(b"\r\n\r\n", eol) >= 0  # the last chunk, then trailers and a blank
        pos = eol + 2 + size + 2
        if pos > len(body):
            return False


def _drop_expect(buf: bytearray) -> bytearray:
    """The request without its ``Expect`` header: the interim 100 was sent already."""
    end = buf.find(b"\r\n\r\n")
    lines = bytes(buf[:end]).split(b"\r\n")
    kept = [lines[0]] + [
        ln for ln in lines[1:] if ln.partition(b":")[0].strip().lower() != b"expect"
    ]
    return bytearray(b"\r\n".join(kept)) + buf[end:]


class BufferingWorker(ThreadWorker):
    """gunicorn's ``gthread`` worker, with requests read whole on the event loop."""

    #: Seconds a client has to send one whole request before its connection is closed.
    request_timeout: float = 30.0
    #: The largest body worth waiting for; above it the app answers 413 without reading more.
    max_body: int = 2 * 1024 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[TConn, _Pending] = {}  # in order of arrival, so of deadline

    def accept(self, listener: Any) -> None:
        if self.cfg.is_ssl:
            return super().accept(listener)
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return None
            raise
        self.nr_conns += 1
        self._wait_for_request(TConn(self.cfg, client, address, listener.getsockname()))
        return None

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        # A kept-alive connection starts its next request: buffer that one too.
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._wait_for_request(conn)

    def _wait_for_request(self, conn: TConn) -> None:
        conn.sock.setblocking(False)
        self._pending[conn] = _Pending(time.monotonic() + self.request_timeout)
        self.poller.register(conn.sock, selectors.EVENT_READ, lambda _sock: self._read(conn))

    def _read(self, conn: TConn) -> None:
        pending = self._pending.get(conn)
        if pending is None:
            return
        try:
            data = conn.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away before sending a whole request
            self._close_pending(conn)
            return
        pending.buf += data
        ready = request_complete(pending.buf, self.max_body)
        if ready is None and not pending.sent_continue:
            pending.sent_continue = True
            pending.buf = _drop_expect(pending.buf)
            try:
                conn.sock.send(_CONTINUE)
            except OSError:
                self._close_pending(conn)
            return
        if not ready:
            return
        self.poller.unregister(conn.sock)
        del self._pending[conn]
        conn.init()  # the parser, reading from the socket only after what is buffered
        conn.parser.unreader.unread(bytes(pending.buf))
        conn.data_ready = True
        self.enqueue_req(conn)

    def _close_pending(self, conn: TConn) -> None:
        self._pending.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (OSError, KeyError, ValueError):
            pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, pending in list(self._pending.items()):
            if pending.deadline > now and self.alive:  # a stopping worker waits for no one
                break
            self._close_pending(conn)

    def murder_keepalived(self, force: bool = False) -> None:
        super().murder_keepalived(force)
        if force:
            for conn in list(self._pending):
                self._close_pending(conn)
