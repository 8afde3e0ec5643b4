"""TLS trust: a server with a private CA works once the CA is configured, and
fails with a clear, typed error when it is not (corporate proxies, Zscaler...)."""

from __future__ import annotations

import json
import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import trustme

import llm_sync
from tests.openai_support import ChatSpec


class _Completion(BaseHTTPRequestHandler):
    """Answers any POST with a non-streamed chat completion."""

    protocol_version = "HTTP/1.1"
    client_ports: ClassVar[list[int]] = []  # the connection of each request

    def do_POST(self) -> None:
        self.client_ports.append(self.client_address[1])
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps(
            {
                "id": "tls",
                "object": "chat.completion",
                "model": "tls-model",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "over TLS"},
                        "finish_reason": "stop",
                    }
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_url(ca: trustme.CA) -> Iterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    _Completion.client_ports = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Completion)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def model(https_url: str) -> Iterator[Callable[[], llm_sync.HTTPModel]]:
    """Makes an OpenAI-compatible model with a fresh transport: a transport reads
    the environment's CA settings once, when its first client is made."""
    spec = ChatSpec("private-ca", base_url=https_url, needs_key=None)
    transports: list[llm_sync.Transport] = []

    def make() -> llm_sync.HTTPModel:
        transports.append(llm_sync.Transport())
        kwargs = spec.model_kwargs()
        return llm_sync.HTTPModel(
            spec.model_id, spec.provider(), transport=transports[-1], **kwargs
        )

    yield make
    for transport in transports:
        transport.close()


def without_ca_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CA setting from the machine's environment (CI images often set them)."""
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_private_ca_from_the_environment(
    variable: str,
    ca: trustme.CA,
    model: Callable[[], llm_sync.HTTPModel],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    without_ca_settings(monkeypatch)
    monkeypatch.setenv(variable, str(bundle))
    private = model()
    assert private.prompt("hi", stream=False).text() == "over TLS"
    # Later calls reuse the client and its TLS context: none is built again.
    built: list[object] = []
    real = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        built.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    for _ in range(3):
        assert private.prompt("hi", stream=False).text() == "over TLS"
    assert built == []
    assert len(_Completion.client_ports) == 4
    assert len(set(_Completion.client_ports)) == 1  # one pooled TLS connection


def test_unknown_ca_is_a_clear_connection_error(
    model: Callable[[], llm_sync.HTTPModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    without_ca_settings(monkeypatch)
    with pytest.raises(llm_sync.APIConnectionError) as info:
        model().prompt("hi", stream=False, max_retries=0).text()
    message = str(info.value)
    assert "certificate" in message.lower(), message
    assert "SSL_CERT_FILE" in message, message


@pytest.mark.skipif(
    sys.platform != "linux",
    reason="on Linux, truststore's system store is OpenSSL's default locations, "
    "which honour SSL_CERT_FILE; elsewhere the private CA cannot be added offline",
)
def test_operating_system_store_through_truststore(
    ca: trustme.CA,
    model: Callable[[], llm_sync.HTTPModel],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_ca_settings(monkeypatch)
    monkeypatch.setenv("LLM_TRUSTSTORE", "1")
    # The private CA is not in the system store: refused, with the usual error.
    with pytest.raises(llm_sync.APIConnectionError, match="LLM_TRUSTSTORE"):
        model().prompt("hi", stream=False, max_retries=0).text()
    # "Installed" in the system store (OpenSSL's default file): trusted, through a
    # truststore context.
    bundle = tmp_path / "system-store.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    trusted = model()
    assert trusted.prompt("hi", stream=False).text() == "over TLS"
    assert type(trusted.transport._ssl_context()).__module__.startswith("truststore")
