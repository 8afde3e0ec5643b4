"""Connection assignment for httpcore's pools in linear time (both facades).

httpcore 1.0's ``_assign_requests_to_connections`` runs whenever a request is
added to the pool or a response is closed. It is quadratic in the number of
connections (every idle connection counts all connections again), and it hands
an idle connection to every request queued until the first one starts using it:
with 100 kept-alive connections and 200 concurrent streams, half the streams
bounce between busy connections (``ConnectionNotAvailable``) instead of opening
their own, and a burst took 2.2 s instead of 0.3 s. ``speed_up_pool`` swaps in
the version below: the same rules (drop closed connections, close expired ones
and idle ones beyond ``max_keepalive_connections``, reuse an available
connection, else open one below ``max_connections``, else replace an idle one),
in one pass, never giving a connection to two requests at once, and checking
an idle connection for expiry only when it is about to be reused.

Only the exact httpcore 1.x pool classes without HTTP/2 are upgraded (not
proxies or custom transports); anything else keeps httpcore's own code.
httpcore 1.0.9, the newest release (also what httpx 0.29 uses), still has the
quadratic version, so the patch stays until a release fixes it.

The patch only assigns connections: it never reads a body, and it does not make
a task hold the event loop. A stream read to its end in one step of the loop
comes from below it: httpcore (through anyio) yields once per socket read, and
one read can hold a whole short stream. HTTP models therefore yield to the loop
every few chunks themselves (``CHUNKS_PER_TURN`` in ``_io/http_model.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import httpcore

__all__ = ["speed_up_pool"]


class _Connection(Protocol):
    """What the assignment asks of an httpcore connection (either facade)."""

    def is_closed(self) -> bool: ...
    def is_idle(self) -> bool: ...
    def is_available(self) -> bool: ...
    def has_expired(self) -> bool: ...
    def can_handle_request(self, origin: httpcore.Origin) -> bool: ...


C = TypeVar("C", bound=_Connection)


class _PoolRequest(Protocol[C]):
    """httpcore's queued request, waiting for a connection."""

    @property
    def connection(self) -> C | None: ...
    @property
    def request(self) -> httpcore.Request: ...
    def is_queued(self) -> bool: ...
    def assign_to_connection(self, connection: C | None) -> None: ...


class _Pool(Protocol[C]):
    """The private state of an httpcore 1.x connection pool that we replace."""

    _connections: list[C]
    _max_keepalive_connections: int
    _max_connections: int

    @property
    def _requests(self) -> Sequence[_PoolRequest[C]]: ...
    def create_connection(self, origin: httpcore.Origin) -> C: ...


def _assign_requests_to_connections(self: _Pool[C]) -> list[C]:
    closing: list[C] = []
    claimed = {id(r.connection) for r in self._requests if r.connection is not None}
    idle_left = self._max_keepalive_connections
    kept: list[C] = []
    connection: C | None  # each kept one, then each request's
    for connection in self._connections:
        if connection.is_closed():
            continue
        if connection.is_idle() and id(connection) not in claimed:
            if idle_left <= 0:
                closing.append(connection)
                continue
            idle_left -= 1
        kept.append(connection)
    self._connections[:] = kept

    queued = [request for request in self._requests if request.is_queued()]
    if not queued:
        return closing
    available = [c for c in kept if c.is_available() and id(c) not in claimed]
    for pool_request in queued:
        connection = _take(self, available, pool_request.request.url.origin, closing)
        if connection is None:
            if len(self._connections) >= self._max_connections:
                idle = next(
                    (
                        c
                        for c in self._connections
                        if c.is_idle() and id(c) not in claimed
                    ),
                    None,
                )
                if idle is None:
                    continue  # the request waits for a connection
                self._connections.remove(idle)
                closing.append(idle)
            connection = self.create_connection(pool_request.request.url.origin)
            self._connections.append(connection)
        claimed.add(id(connection))
        pool_request.assign_to_connection(connection)
    return closing


def _take(
    self: _Pool[C], available: list[C], origin: httpcore.Origin, closing: list[C]
) -> C | None:
    """Remove and return the first available connection to ``origin``, if any.

    Only this one is checked for expiry (keep-alive timeout, or closed by the
    server: a system call per connection, which httpcore makes for every idle
    connection at every assignment); expired ones are closed on the way.
    """
    index = 0
    while index < len(available):
        connection = available[index]
        if not connection.can_handle_request(origin):
            index += 1
            continue
        del available[index]  # HTTP/1.1: one request at a time
        if not connection.has_expired():
            return connection
        self._connections.remove(connection)
        closing.append(connection)
    return None


class _AsyncConnectionPool(httpcore.AsyncConnectionPool):
    _assign_requests_to_connections = _assign_requests_to_connections


class _ConnectionPool(httpcore.ConnectionPool):
    _assign_requests_to_connections = _assign_requests_to_connections


_UPGRADES = {
    httpcore.AsyncConnectionPool: _AsyncConnectionPool,
    httpcore.ConnectionPool: _ConnectionPool,
}


def speed_up_pool(transport: object) -> None:
    """Give an ``httpx`` HTTP transport's pool the linear-time assignment."""
    pool = getattr(transport, "_pool", None)
    upgrade = _UPGRADES.get(type(pool))
    if (
        upgrade is not None
        and httpcore.__version__.startswith("1.")
        and not getattr(pool, "_http2", True)
        and hasattr(pool, "_requests")
        and hasattr(pool, "_connections")
    ):
        pool.__class__ = upgrade
