"""The provider contract: what a plugin implements to add an HTTP API.

A provider is sans-I/O. It builds the request (``build_request``), makes a
``StreamParser`` that turns the server's bytes or server-sent events into
``StreamEvent`` values, and maps error bodies; ``HTTPModel`` and
``AsyncHTTPModel`` do the I/O, so one provider serves both facades. See
``docs/architecture.md`` for how to add one. The built-in adapters live in the
sub-packages (``openai``, ``llama_cpp``).
"""

from __future__ import annotations

from llm_async._core.parts import StreamEvent
from llm_async._http.sse import ServerSentEvent
from llm_async.providers.base import (
    EmbeddingProvider,
    HTTPProvider,
    ResponseSink,
    StreamParser,
)

__all__ = [
    "EmbeddingProvider",
    "HTTPProvider",
    "ResponseSink",
    "ServerSentEvent",
    "StreamEvent",
    "StreamParser",
]
