"""The connection guard (toolkit/web/guard.py) on real sockets, with uvicorn serving a small
application in this process under limits short enough to watch: an answer the client never
takes is dropped once nothing of it moves (issue 18, item 2's other half: the server's memory,
not only its descriptors). ``dv serve`` itself is tested in test_serve_under_attack.py; an
answer there is smaller than what the loopback's socket buffers take, so it cannot stall."""

from __future__ import annotations

import socket
import threading
import time

import pytest

uvicorn = pytest.importorskip("uvicorn")

from toolkit.web.guard import ConnectionLimits, guarded_protocol  # noqa: E402

BIG = 64 * 1024 * 1024  # far more than the two ends' socket buffers hold


async def big_answer(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(BIG).encode())]})
    await send({"type": "http.response.body", "body": b"\0" * BIG})


@pytest.fixture
def server():
    limits = ConnectionLimits(header_timeout=1.0, body_timeout=1.0, write_timeout=2.0)
    config = uvicorn.Config(
        big_answer, host="127.0.0.1", port=0, http=guarded_protocol(limits, b"busy"), log_level="error"
    )
    the_server = uvicorn.Server(config)
    thread = threading.Thread(target=the_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not the_server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = the_server.servers[0].sockets[0].getsockname()[1]
    yield port
    the_server.should_exit = True
    thread.join(20)


def test_an_answer_the_client_never_takes_is_dropped(server):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", server))
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    time.sleep(6)  # takes nothing for three times the write timeout
    received = 0
    s.settimeout(10)
    try:
        while chunk := s.recv(1 << 20):
            received += len(chunk)
    except TimeoutError:
        pytest.fail("the server still holds the answer")
    except ConnectionResetError:
        pass  # aborted: what it still held is dropped
    finally:
        s.close()
    assert received < BIG // 2, received


def test_an_answer_taken_slowly_but_steadily_is_not_dropped(server):
    s = socket.socket()
    s.connect(("127.0.0.1", server))
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    s.settimeout(10)
    received, start = 0, time.monotonic()
    while received < BIG:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        received += len(chunk)
        if time.monotonic() - start < 5:  # the first seconds slowly: a pause under the timeout each time
            time.sleep(0.5)
    s.close()
    assert received >= BIG  # the head and every byte of the body
