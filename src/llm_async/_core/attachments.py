"""Attachments: files, URLs or bytes sent along with a prompt (sans-I/O part).

The type of a file or of bytes is detected from their magic bytes (with
``puremagic``). A URL's type comes from a ``HEAD`` request made when the response
starts (never in ``model.prompt()``), with MIME parameters stripped.

When the library itself downloads a URL (for a provider that does not take URLs
for that type), it follows at most ``MAX_REDIRECTS`` redirects, reads at most
``max_bytes`` (default ``DEFAULT_MAX_BYTES``; per attachment with
``Attachment(..., max_bytes=N)`` or for the process with the environment
variable ``LLM_ATTACHMENT_MAX_BYTES``), accepts only ``http``/``https`` and
refuses hosts that resolve to private, loopback, link-local, CGNAT, multicast
or reserved addresses, on the first request and on every redirect. The
connection goes to the address that was checked (no second DNS lookup). Allow
private addresses with ``Attachment(url=..., allow_private=True)`` or the
environment variable ``LLM_ATTACHMENTS_ALLOW_PRIVATE=1`` (local development).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llm_async._core.errors import AttachmentError
from llm_async._core.types import JSONMapping, JSONObject

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_REDIRECTS",
    "Attachment",
    "AttachmentError",
    "async_getaddrinfo",
    "attachments_in",
    "check_attachment_type",
    "known_type",
    "max_bytes_for",
    "normalize_mime",
    "private_allowed",
    "prompt_time_type",
    "sniff_type",
    "sync_getaddrinfo",
    "unsafe_address",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 3
MAX_BYTES_ENV = "LLM_ATTACHMENT_MAX_BYTES"
ALLOW_PRIVATE_ENV = "LLM_ATTACHMENTS_ALLOW_PRIVATE"


def normalize_mime(value: str | None) -> str | None:
    """A bare, lower-case MIME type: ``"Image/JPEG; charset=utf-8"`` → ``"image/jpeg"``.

    ``audio/wave`` and ``audio/x-wav`` become ``audio/wav``.
    """
    if not value:
        return None
    mime = value.split(";", 1)[0].strip().lower()
    if mime in ("audio/wave", "audio/x-wav"):
        mime = "audio/wav"
    return mime or None


def sniff_type(data: bytes | None = None, path: str | None = None) -> str | None:
    """The MIME type of ``data`` or of the file at ``path`` from its magic bytes."""
    import puremagic

    try:
        if path is not None:
            found = puremagic.from_file(path, mime=True)
        else:
            found = puremagic.from_string(data or b"", mime=True)
    except (puremagic.PureError, ValueError):
        return None
    return normalize_mime(str(found))


@dataclass
class Attachment:
    """A file (``path``), a URL (``url``) or bytes (``content``) for a prompt.

    ``type`` is the MIME type; leave it out to detect it. Bytes come from
    ``content``, else the file, else the downloaded URL. ``allow_private`` and
    ``max_bytes`` govern downloads (see the module docs); they are not part of
    equality or of ``to_dict()``.
    """

    type: str | None = None
    path: str | None = None
    url: str | None = None
    content: bytes | None = None
    _id: str | None = field(default=None, compare=False, repr=False)
    allow_private: bool = field(default=False, compare=False, kw_only=True)
    max_bytes: int | None = field(default=None, compare=False, kw_only=True)
    _resolved_type: str | None = field(
        default=None, init=False, compare=False, repr=False
    )
    _fetched: bytes | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.path, os.PathLike):
            self.path = os.fspath(self.path)
        if isinstance(self.content, (bytearray, memoryview)):
            self.content = bytes(self.content)
        for name, kind in (("type", str), ("path", str), ("url", str)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise TypeError(
                    f"Attachment {name}= must be a string, not {type(value).__name__}"
                )
        if self.content is not None and not isinstance(self.content, bytes):
            raise TypeError(
                f"Attachment content= must be bytes, not {type(self.content).__name__}"
            )
        if self.path is None and self.url is None and self.content is None:
            raise ValueError("An Attachment needs path=, url= or content=")
        if self.max_bytes is not None and (
            not isinstance(self.max_bytes, int) or self.max_bytes <= 0
        ):
            raise ValueError("Attachment max_bytes= must be a positive integer")

    def id(self) -> str:
        """A stable id: sha256 of the content, of the file's bytes, or of the URL."""
        if self._id is None:
            import hashlib

            digest = hashlib.sha256()
            if self.content is not None:
                digest.update(self.content)
            elif self.path is not None:
                with open(self.path, "rb") as file:
                    for block in iter(lambda: file.read(1 << 20), b""):
                        digest.update(block)
            else:
                digest.update(json.dumps({"url": self.url}).encode("utf-8"))
            self._id = digest.hexdigest()
        return self._id

    def resolve_type(self) -> str | None:
        """The MIME type, parameters stripped: given, detected or resolved.

        Files and bytes are sniffed (``None`` if unrecognised). A URL's type is
        known once the response has resolved it (or downloaded the URL); before
        that this raises ``AttachmentError`` rather than block on the network.
        """
        if self.type:
            return normalize_mime(self.type)
        if self._resolved_type:
            return self._resolved_type
        if self.content is not None:
            return sniff_type(self.content)
        if self.path is not None:
            if not os.path.isfile(self.path):
                raise FileNotFoundError(f"Attachment file not found: {self.path}")
            return sniff_type(path=self.path)
        if self._fetched is not None:
            return sniff_type(self._fetched)
        raise AttachmentError(
            f"The type of the attachment {self.url} is not known yet: pass "
            "type=..., or let the response look it up (it does so when it starts)"
        )

    def content_bytes(self) -> bytes:
        """The bytes: ``content``, the file, or the already downloaded URL.

        Never touches the network: a URL not downloaded yet raises
        ``AttachmentError`` (download it with ``fetch_attachment()``).
        """
        if self.content is not None:
            return self.content
        if self.path is not None:
            try:
                with open(self.path, "rb") as file:
                    return file.read()
            except FileNotFoundError:
                raise FileNotFoundError(
                    f"Attachment file not found: {self.path}"
                ) from None
        if self._fetched is not None:
            return self._fetched
        raise AttachmentError(
            f"The attachment {self.url} has not been downloaded: call "
            "fetch_attachment(attachment) (async: await afetch_attachment(...)) "
            "first, or send it to a model (which "
            "downloads what its provider cannot take by URL)"
        )

    def base64_content(self) -> str:
        """``content_bytes()``, base64-encoded."""
        import base64

        return base64.b64encode(self.content_bytes()).decode("ascii")

    def to_dict(self) -> JSONObject:
        """``{"type"?, "path"?, "url"?, "content"? (base64)}``: set fields only."""
        out: JSONObject = {}
        for name in ("type", "path", "url"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.content is not None:
            import base64

            out["content"] = base64.b64encode(self.content).decode("ascii")
        return out

    @classmethod
    def from_dict(cls, data: JSONMapping) -> Attachment:
        """The attachment described by ``data`` (``content`` is base64)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"An attachment must be a dict, not {type(data).__name__}")
        values: JSONObject = {}
        for key in ("type", "path", "url", "content"):
            value = data.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                raise ValueError(f"Attachment {key!r} must be a string")
            values[key] = value
        if "content" in values:
            import base64

            try:
                values["content"] = base64.b64decode(values["content"], validate=True)
            except ValueError:  # binascii.Error is a ValueError
                raise ValueError("Attachment 'content' is not valid base64") from None
        if not values.keys() & {"path", "url", "content"}:
            raise ValueError("An attachment dict needs 'path', 'url' or 'content'")
        return cls(**values)

    def __repr__(self) -> str:
        try:
            ident = self.id()
        except OSError:
            ident = "?"
        pieces = [f"<Attachment: {ident}"]
        for name in ("type", "path", "url"):
            value = getattr(self, name)
            if value is not None:
                pieces.append(f"{name}={json.dumps(value)}")
        if self.content is not None:
            pieces.append(f"content={len(self.content)} bytes")
        return " ".join(pieces) + ">"


def prompt_time_type(attachment: Attachment) -> str | None:
    """The type as far as it is known without the network (for ``model.prompt``).

    ``None`` for a URL whose type the response will look up. Raises for a
    non-attachment, a missing file or bytes of unrecognised type.
    """
    if not isinstance(attachment, Attachment):
        raise TypeError(
            f"attachments= takes Attachment objects, not {attachment!r}; "
            "use Attachment(path=...), Attachment(url=...) or Attachment(content=...)"
        )
    if attachment.type or attachment._resolved_type:
        return attachment.resolve_type()
    if attachment.content is None and attachment.path is None:
        return None if attachment._fetched is None else attachment.resolve_type()
    found = attachment.resolve_type()
    if found is None:
        raise ValueError(
            f"Could not detect the type of {attachment!r}; pass type='...'"
        )
    return found


def known_type(attachment: Attachment) -> str:
    """The MIME type a request sends for ``attachment``; ``ValueError`` if unknown."""
    mime: str | None = attachment.resolve_type()
    if mime is None:
        raise ValueError("Cannot send an attachment whose type is unknown")
    return mime


def attachments_in(prompt: Any) -> list[Attachment]:
    """Every attachment a prompt sends: its messages' and its tool results'."""
    if getattr(prompt, "_messages", None) is None:
        found = list(prompt.attachments)
        for result in prompt.tool_results:
            found.extend(result.attachments)
        return found
    found = []
    for message in prompt.messages:
        for part in message.parts:
            attachment = getattr(part, "attachment", None)
            if attachment is not None:
                found.append(attachment)
            found.extend(getattr(part, "attachments", ()))
    return found


def check_attachment_type(model: Any, attachment_type: str | None) -> None:
    """Raise ``ValueError`` unless ``model.attachment_types`` includes the type."""
    accepted = model.attachment_types
    if not accepted:
        raise ValueError("This model does not support attachments")
    if attachment_type not in accepted:
        raise ValueError(
            f"This model does not support attachments of type "
            f"'{attachment_type}', only {', '.join(sorted(accepted))}"
        )


def private_allowed(attachment: Attachment) -> bool:
    """Whether downloads of this attachment may reach private addresses."""
    if attachment.allow_private:
        return True
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in (
        "1",
        "true",
        "yes",
        "on",
    )


def max_bytes_for(attachment: Attachment) -> int:
    """The download cap for this attachment (argument, env var, default)."""
    if attachment.max_bytes is not None:
        return attachment.max_bytes
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise AttachmentError(
            f"{MAX_BYTES_ENV} must be a positive number of bytes, not {raw!r}"
        )
    return value


def unsafe_address(address: str) -> str | None:
    """Why ``address`` must not be fetched by default (``None``: it is public)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    )
    for reason, failed in checks:
        if failed:
            return reason
    return None


def _addresses(infos: Sequence[Any]) -> list[str]:
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found


def _ip_literal(host: str) -> str | None:
    """``host`` itself if it is an IP address (no DNS lookup is needed)."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


async def async_getaddrinfo(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, without blocking the event loop."""
    import socket

    import anyio

    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _addresses(infos)


def sync_getaddrinfo(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to."""
    import socket

    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
