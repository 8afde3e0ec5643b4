# Generated from src/llm_async/_io/attachment_fetch.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Looking up URL attachment types and downloading URL attachments (I/O).

Runs when a response starts, before the model's ``execute()``: a URL without a
``type`` gets one from a ``HEAD`` request, and a URL the model's provider does
not take (``model.accepts_url(attachment)``; without that method, none) is
downloaded so that ``content_bytes()``/``base64_content()`` work. Downloads
follow the safety rules described in ``llm_async._core.attachments``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from llm_async._core.attachments import (
    MAX_BYTES_ENV,
    MAX_REDIRECTS,
    Attachment,
    AttachmentError,
    attachments_in,
    check_attachment_type,
    max_bytes_for,
    normalize_mime,
    private_allowed,
    sniff_type,
    sync_getaddrinfo,
    unsafe_address,
)

if TYPE_CHECKING:
    import httpx

    from llm_async._core.prompt import Prompt

__all__ = ["fetch_attachment", "sync_prepare_attachments"]

#: Seconds allowed for a whole download, redirects included.
TOTAL_SECONDS = 120.0


def _client() -> httpx.Client:
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False
    )


def _safe(url: httpx.URL | str | None) -> str:
    from llm_async._http.errors import safe_url

    try:
        return safe_url(str(url))
    except Exception:
        return "<invalid URL>"


def _build(
    client: httpx.Client, method: str, url: httpx.URL, allow: bool
) -> httpx.Request:
    """A request for ``url``, sent to an address checked to be public."""
    if url.scheme not in ("http", "https"):
        raise AttachmentError(
            f"Only http and https URLs can be downloaded, not {url.scheme!r} "
            f"({_safe(url)})"
        )
    if allow:
        return client.build_request(method, url)
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = sync_getaddrinfo(host, port)
    except OSError as exc:
        raise AttachmentError(f"Could not resolve {host!r} ({exc})") from exc
    if not addresses:
        raise AttachmentError(f"Could not resolve {host!r}")
    for address in addresses:
        reason = unsafe_address(address)
        if reason is not None:
            raise AttachmentError(
                f"Refusing to download {_safe(url)}: {host} resolves to a {reason} "
                f"address ({address}). Pass Attachment(..., allow_private=True) or "
                "set LLM_ATTACHMENTS_ALLOW_PRIVATE=1 to allow it"
            )
    # Connect to the address just checked; TLS still verifies the host name.
    extensions = {"sni_hostname": host} if url.scheme == "https" else {}
    return client.build_request(
        method,
        url.copy_with(host=addresses[0]),
        headers={"host": url.netloc.decode("ascii")},
        extensions=extensions,
    )


def _open(client: httpx.Client, method: str, attachment: Attachment) -> httpx.Response:
    """The streamed response for ``attachment.url`` after at most 3 redirects."""
    import httpx

    try:
        url = httpx.URL(str(attachment.url))
    except Exception as exc:
        raise AttachmentError(f"Invalid attachment URL: {exc}") from None
    allow = private_allowed(attachment)
    for _hop in range(MAX_REDIRECTS + 1):
        request = _build(client, method, url, allow)
        try:
            response = client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise AttachmentError(
                f"Could not download {_safe(url)} ({type(exc).__name__}: {exc})"
            ) from exc
        location = response.headers.get("location")
        if not (response.is_redirect and location):
            return response
        response.close()
        try:
            url = url.join(location)
        except Exception:
            raise AttachmentError(
                f"{_safe(url)} redirected to an invalid URL"
            ) from None
    raise AttachmentError(
        f"Too many redirects downloading {_safe(attachment.url)} "
        f"(at most {MAX_REDIRECTS} are followed)"
    )


def _status_error(response: httpx.Response, attachment: Attachment) -> AttachmentError:
    return AttachmentError(
        f"Downloading {_safe(attachment.url)} failed: HTTP {response.status_code}"
    )


def _download(client: httpx.Client, attachment: Attachment) -> None:
    """Download ``attachment.url`` into the attachment (capped, time-limited)."""
    import httpx

    limit = max_bytes_for(attachment)
    too_large = AttachmentError(
        f"The attachment {_safe(attachment.url)} is larger than {limit} bytes; "
        f"raise the limit with Attachment(..., max_bytes=N) or {MAX_BYTES_ENV}"
    )
    deadline = time.monotonic() + TOTAL_SECONDS
    response = _open(client, "GET", attachment)
    chunks: list[bytes] = []
    try:
        if response.status_code >= 400:
            raise _status_error(response, attachment)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise too_large
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise too_large
            if time.monotonic() > deadline:
                raise AttachmentError(
                    f"Downloading {_safe(attachment.url)} took over {TOTAL_SECONDS:g} s"
                )
            chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise AttachmentError(
            f"Could not download {_safe(attachment.url)} ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        response.close()
    data = b"".join(chunks)
    attachment._fetched = data
    if not (attachment.type or attachment._resolved_type):
        attachment._resolved_type = sniff_type(data) or normalize_mime(
            response.headers.get("content-type")
        )


def _head(client: httpx.Client, attachment: Attachment) -> None:
    """Set the attachment's type from a HEAD request (else download it)."""
    response = _open(client, "HEAD", attachment)
    response.close()
    found = normalize_mime(response.headers.get("content-type"))
    if response.status_code < 400 and found and found != "application/octet-stream":
        attachment._resolved_type = found
        return
    _download(client, attachment)


def fetch_attachment(attachment: Attachment) -> bytes:
    """The attachment's bytes, downloading a URL once (with the safety rules)."""
    if (
        attachment.url is None
        or attachment.content is not None
        or attachment.path is not None
        or attachment._fetched is not None
    ):
        return attachment.content_bytes()
    with _client() as client:
        _download(client, attachment)
    return attachment.content_bytes()


def sync_prepare_attachments(model: object, prompt: Prompt) -> None:
    """Resolve URL types and download URLs the model's provider will not take.

    The types ``model.prompt()`` could not check (this turn's URL attachments)
    are checked against ``model.attachment_types`` as soon as they are known:
    after the ``HEAD`` request, so a URL of an unsupported type is never
    downloaded (for a model without ``accepts_url``, after the download).
    """
    attachments = attachments_in(prompt)
    if not attachments:
        return
    remote = [
        a
        for a in attachments
        if a.url is not None
        and a.content is None
        and a.path is None
        and a._fetched is None
    ]
    if not remote:
        return
    # This turn's attachments of unknown type: checked once their type is known,
    # before anything is downloaded for them.
    unchecked = {id(a) for a in prompt.attachments if not a.type}
    accepts_url = getattr(model, "accepts_url", None)
    with _client() as client:
        for attachment in remote:
            if accepts_url is not None:
                if not (attachment.type or attachment._resolved_type):
                    _head(client, attachment)
                if id(attachment) in unchecked:
                    check_attachment_type(model, attachment.resolve_type())
                    unchecked.discard(id(attachment))
                if accepts_url(attachment):
                    continue
            if attachment._fetched is None:
                _download(client, attachment)
            if id(attachment) in unchecked:
                check_attachment_type(model, attachment.resolve_type())
                unchecked.discard(id(attachment))
