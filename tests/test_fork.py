"""A forked child never uses its parent's pooled connections (blocking facade)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import llm_sync

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


class _PortEcho(BaseHTTPRequestHandler):
    """Answers with the client's port: which connection carried the request."""

    protocol_version = "HTTP/1.1"  # keep-alive, so the pool keeps the connection

    def do_GET(self) -> None:
        body = str(self.client_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PortEcho)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork with threads (3.12+)
def test_forked_child_makes_its_own_connections(url: str) -> None:
    transport = llm_sync.Transport()
    parent_client = transport.client()
    parent_port = parent_client.get(url).text
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running pytest's teardown
        status = 1
        try:
            child_client = transport.client()
            port = child_client.get(url).text
            ok = child_client is not parent_client and port != parent_port
            os.write(write_end, f"{ok} {port}".encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    report = os.read(read_end, 100).decode()
    os.close(read_end)
    assert os.waitstatus_to_exitcode(status) == 0
    assert report.startswith("True "), report
    # The parent's pooled connection is untouched: the same one answers again.
    assert transport.client() is parent_client
    assert parent_client.get(url).text == parent_port
    transport.close()
