"""Embedding models served over HTTP: the provider builds and parses, I/O is here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from llm_async._http.errors import request_id
from llm_async._http.settings import UNSET, Unset
from llm_async.providers.http_model_base import (
    check_headers,
    decode_json,
    given_settings,
    retarget,
)

from .embedding_model import AsyncEmbeddingModel
from .transport import AsyncTransport, AsyncTransportUser

if TYPE_CHECKING:
    from llm_async.providers.base import EmbeddingProvider

__all__ = ["AsyncHTTPEmbeddingModel"]


class AsyncHTTPEmbeddingModel(AsyncEmbeddingModel, AsyncTransportUser):
    """An embedding model described by a sans-I/O ``EmbeddingProvider``.

    Requests go through the transport (pooled connections, timeouts, retries
    and typed errors, as for chat models): ``timeout``, ``connect_timeout``,
    ``total_timeout`` and ``max_retries`` apply to each batch's request.
    ``base_url`` moves requests to another server; ``headers`` are added to
    every request. Without ``transport`` the shared one is used.
    """

    def __init__(
        self,
        model_id: str,
        provider: EmbeddingProvider,
        *,
        needs_key: str | None = None,
        key_env_var: str | None = None,
        batch_size: int | None = None,
        dimensions: int | None = None,
        concurrency: int = 4,
        supports_binary: bool = False,
        base_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | Unset | None = UNSET,
        connect_timeout: float | Unset | None = UNSET,
        total_timeout: float | Unset | None = UNSET,
        max_retries: int | Unset = UNSET,
        transport: AsyncTransport | None = None,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int):
            raise ValueError(f"concurrency must be an integer, not {concurrency!r}")
        if concurrency < 1:
            raise ValueError(f"concurrency must be 1 or more, not {concurrency}")
        self.model_id = model_id
        self.provider = provider
        self.needs_key = needs_key
        self.key_env_var = key_env_var
        self.batch_size = batch_size
        self.dimensions = dimensions
        self.concurrency = concurrency
        self.supports_binary = supports_binary
        self.base_url = base_url
        self.headers = check_headers(headers)
        self.transport_settings = given_settings(
            timeout=timeout,
            connect_timeout=connect_timeout,
            total_timeout=total_timeout,
            max_retries=max_retries,
        )
        self._transport = transport

    async def embed_batch(
        self, items: Sequence[str | bytes], *, key: str | None = None
    ) -> list[list[float]]:
        """Send one request for ``items`` and return their vectors."""
        provider = self.provider
        request = retarget(
            provider.build_request(items, key=key),
            provider,
            self.base_url,
            self.headers,
        )
        transport = self.transport
        response = await transport.send(
            request,
            settings=transport.settings(None, self.transport_settings),
            error_message=provider.error_message,
        )
        data = decode_json(
            response.content,
            request_id=request_id(response.headers),
            status=response.status_code,
        )
        return provider.parse_response(data, len(items))
