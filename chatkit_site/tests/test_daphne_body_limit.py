"""daphne reads a whole body before the application runs; the limits apply inside daphne too.

A real daphne process serves the project's ASGI stack; the requests below would each make it
store megabytes (the audit's 1 GB POST grew it by 800 MB) without the limit.
"""

from __future__ import annotations

import json
import signal
import socket

import psutil
import pytest
from daphne.testing import DaphneProcess

from core.testing import forget_inherited_connections


def _application():
    from chatkit_site.asgi import build_application

    return build_application()


def _default_sigterm() -> None:
    # The child is forked from the test process, which may have a SIGTERM handler by now
    # (seen after the browser tests); terminate() must end it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    forget_inherited_connections()


@pytest.fixture(scope="module")
def daphne_port():
    process = DaphneProcess("127.0.0.1", _application, setup=_default_sigterm)
    process.start()
    assert process.ready.wait(timeout=60), "daphne did not start"
    yield process.port.value, process.pid
    process.terminate()
    process.join(timeout=10)
    if process.is_alive():  # never let a stuck child hold the suite
        process.kill()
        process.join()


def _exchange(port: int, head: bytes, body_chunks: int, chunked: bool) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        chunk = b"a" * 65536
        try:
            for _ in range(body_chunks):
                data = (hex(len(chunk))[2:].encode() + b"\r\n" + chunk + b"\r\n") if chunked else chunk
                sock.sendall(data)
        except OSError:
            pass  # the server closed the connection once the limit was passed
        answer = b""
        try:
            while part := sock.recv(65536):
                answer += part
        except OSError:
            pass
    return answer


def _rss(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss


def test_a_huge_declared_body_is_refused_at_once_without_being_stored(daphne_port):
    port, pid = daphne_port
    before = _rss(pid)
    head = (
        b"POST /api/chatkit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000\r\n\r\n"
    )

    answer = _exchange(port, head, body_chunks=320, chunked=False)  # tries to send 20 MB

    assert answer.startswith(b"HTTP/1.1 413")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["detail"].startswith("The request body is too large")
    assert _rss(pid) - before < 10 * 1024 * 1024


def test_a_chunked_body_is_cut_off_at_the_limit(daphne_port):
    port, pid = daphne_port
    before = _rss(pid)
    head = (
        b"POST /api/chatkit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer not-even-checked\r\nTransfer-Encoding: chunked\r\n\r\n"
    )

    answer = _exchange(port, head, body_chunks=80, chunked=True)  # 5 MB

    assert answer.startswith(b"HTTP/1.1 413")
    assert _rss(pid) - before < 10 * 1024 * 1024


def test_a_body_within_the_limit_still_reaches_the_application(daphne_port):
    port, _pid = daphne_port
    head = (
        b"POST /api/chatkit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
    )

    answer = _exchange(port, head, body_chunks=0, chunked=False)

    assert answer.startswith(b"HTTP/1.1 401")  # authentication, then the view: not cut off
