"""The portal's guard against slow and greedy clients, below the web application.

An ASGI application sees a request only once its head has arrived, and uvicorn keeps a
connection that sends half a head for ever (its keep-alive timeout is cancelled by the first
byte, and ``limit_concurrency`` only answers requests that have a head). 1,100 such
connections exhausted the server's file descriptors (issue 18). So the guard is uvicorn's own
HTTP protocol with four rules added, per connection:

- a request head must arrive whole within ``header_timeout`` seconds of the connection opening
  or of the previous response (a byte now and then does not extend it);
- a request body that stops coming for ``body_timeout`` seconds ends the connection (the
  application sees the client leave: an abandoned upload); a body the application is not
  reading yet (uvicorn paused the socket) is not the client's delay;
- a request body that keeps coming a byte now and then ends the connection too: after
  ``rate_grace`` seconds it must have come at ``min_rate`` bytes a second on average (a clerk on
  the slowest mobile line sends ten times that);
- an answer the client does not take (a download it never reads: the bytes wait in the
  server's memory) ends the connection at once (abort, not close, which would wait for them)
  when nothing of it has moved for ``write_timeout`` seconds; while an answer is still going
  out, the next request head is not awaited;
- at most ``per_address`` connections from one address (not counting the trusted proxies,
  whose clients are many) and ``total`` in all: a connection over either limit is answered
  ``503`` with a short text and closed at once, so it holds no descriptor.

It runs in the event loop, with one timer per connection. The event loop accepts up to
``backlog`` connections at a time before any of them is looked at (asyncio's accept loop), so
the listening socket's backlog is kept small (:data:`BACKLOG`) and counted in the descriptor
budget: a burst never takes the descriptors the accepted ones need, and asyncio never meets
"Too many open files" (which stops it accepting for a second).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["BACKLOG", "ConnectionLimits", "guarded_protocol", "descriptor_budget", "is_trusted"]

BACKLOG = 64  # connections accepted in one turn of the event loop (and the listen() queue)


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float = 20.0
    body_timeout: float = 20.0
    rate_grace: float = 30.0
    min_rate: float = 512.0  # bytes a second, on average over the body so far
    write_timeout: float = 30.0
    per_address: int = 64
    total: int = 1000
    trusted: tuple[str, ...] = ()  # proxies (addresses or networks): no per-address limit


def descriptor_budget(wanted: int, reserve: int = 64) -> int:
    """The connections the process can hold without running out of file descriptors: each
    may hold up to two more (an upload's spooled body and its temporary in the store), two
    turns of the accept loop (``2 * BACKLOG``) may be open before they are looked at, and
    ``reserve`` are kept for the database, the workers' pipes and the log. The soft limit is
    raised to the hard one first (a Linux service starts with 1,024)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: no such limit on sockets
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, target), hard))
            soft = max(soft, target)
        except (ValueError, OSError):
            pass
    return max(1, min(wanted, (soft - reserve - 2 * BACKLOG) // 3))


def is_trusted(address: str | None, trusted: tuple[str, ...]) -> bool:
    if not address or not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in trusted)


class _Report:
    """The log's account of refused and timed-out connections: one line for what happened in
    the ten seconds after the first, then at most one a minute (a flood would otherwise write
    one per connection)."""

    def __init__(self, say: Callable[[str, dict[str, Any]], None]) -> None:
        self.say = say
        self.counts: Counter[str] = Counter()
        self.addresses: Counter[str] = Counter()
        self.quiet_until = 0.0
        self.pending = False

    def note(self, loop: asyncio.AbstractEventLoop, what: str, address: str) -> None:
        self.counts[what] += 1
        self.addresses[address] += 1
        if not self.pending:
            self.pending = True
            loop.call_at(max(loop.time() + 10.0, self.quiet_until), self.flush, loop)

    def flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self.pending = False
        self.quiet_until = loop.time() + 60.0
        if self.addresses:
            top, _ = self.addresses.most_common(1)[0]
            self.say("serve.guarded", {"limited": self.counts["limit"], "slow": self.counts["slow"], "address": top})
        self.counts.clear()
        self.addresses.clear()


def guarded_protocol(
    limits: ConnectionLimits, busy_page: bytes, say: Callable[[str, dict[str, Any]], None] | None = None
) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class (h11, or httptools when installed) with the guard's rules;
    ``busy_page``: the text of the 503 answer; ``say(key, params)``: a log line (catalogue key)."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    base: Any = AutoHTTPProtocol
    per_address: Counter[str] = Counter()
    report = _Report(say or (lambda key, params: logging.getLogger("uvicorn.error").warning("%s %s", key, params)))
    busy = (
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 30\r\n"
        b"Connection: close\r\nContent-Length: " + str(len(busy_page)).encode() + b"\r\n\r\n" + busy_page
    )

    class Guarded(base):
        _address: str = ""
        _timer: asyncio.TimerHandle | None = None
        _body_since: float | None = None  # when the body being read began to come
        _body_bytes = 0
        _pending = 0  # the answer's bytes waiting to go out when last looked at
        _pending_since = 0.0  # since when that count has not changed

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._address = self.client[0] if self.client else ""
            per_address[self._address] += 1
            now = self.loop.time()
            self._idle_since = self._last_data = now
            over_address = per_address[self._address] > limits.per_address and not is_trusted(
                self._address, limits.trusted
            )
            if over_address or len(self.connections) > limits.total:
                report.note(self.loop, "limit", self._address)
                transport.write(busy)
                transport.close()
                return
            self._arm(limits.header_timeout)

        def connection_lost(self, exc: Exception | None) -> None:
            per_address[self._address] -= 1
            if per_address[self._address] <= 0:
                del per_address[self._address]
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            self._last_data = self.loop.time()
            super().data_received(data)
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete and cycle.more_body:
                if self._body_since is None:
                    self._body_since = self._last_data
                self._body_bytes += len(data)

        def on_response_complete(self) -> None:
            self._idle_since = self.loop.time()  # the next request's head is timed from here
            self._body_since, self._body_bytes = None, 0
            super().on_response_complete()

        def _arm(self, delay: float) -> None:
            self._timer = self.loop.call_later(max(0.05, delay), self._check)

        def _check(self) -> None:
            self._timer = None
            if self.transport.is_closing():
                return
            now = self.loop.time()
            cycle = self.cycle
            pending = self.transport.get_write_buffer_size()
            if pending != self._pending:  # the client took some, or the application wrote more
                self._pending, self._pending_since = pending, now
            if pending:  # an answer still going out: the client's to take
                left = self._pending_since + limits.write_timeout - now
                if left <= 0:
                    report.note(self.loop, "slow", self._address)
                    self.transport.abort()
                    return
                self._idle_since = now  # the next head is awaited once the answer is out
                self._arm(min(left, 5.0))
                return
            if cycle is None or cycle.response_complete:  # waiting for a request head
                left = self._idle_since + limits.header_timeout - now
            elif cycle.more_body and not self.flow.read_paused:  # reading its body
                left = self._last_data + limits.body_timeout - now
                since = self._body_since if self._body_since is not None else now
                if now - since >= limits.rate_grace and self._body_bytes < limits.min_rate * (now - since):
                    left = 0
                else:
                    left = min(
                        left, max(1.0, since + limits.rate_grace - now) if now - since < limits.rate_grace else 5.0
                    )
            else:  # the application is at work, or answering: its own business
                left = limits.body_timeout
                self._last_data = now
                if self._body_since is not None:  # a pause of the application's is not the client's
                    self._body_since, self._body_bytes = now, 0
            if left <= 0:
                report.note(self.loop, "slow", self._address)
                self.transport.close()
                return
            self._arm(left)

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{base.__name__}"
    return Guarded
