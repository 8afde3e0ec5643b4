"""Attachments (minimal version; being extended)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Attachment"]


@dataclass
class Attachment:
    """A file, URL or bytes attached to a prompt."""

    type: str | None = None
    path: str | None = None
    url: str | None = None
    content: bytes | None = None
    _id: str | None = None

    def id(self) -> str:
        """A stable id: sha256 of the content, the file or the URL."""
        if self._id is None:
            if self.content is not None:
                data = self.content
            elif self.path is not None:
                data = Path(self.path).read_bytes()
            else:
                data = json.dumps({"url": self.url}).encode()
            self._id = hashlib.sha256(data).hexdigest()
        return self._id

    def resolve_type(self) -> str | None:
        """The MIME type: given, or sniffed from the bytes."""
        if self.type:
            return self.type
        import puremagic

        data = self.content_bytes()
        try:
            found = puremagic.from_string(data, mime=True)
        except puremagic.PureError:
            return None
        return str(found).replace("audio/wave", "audio/wav") or None

    def content_bytes(self) -> bytes:
        """The bytes: content, file, or downloaded from the URL."""
        if self.content is not None:
            return self.content
        if self.path is not None:
            return Path(self.path).read_bytes()
        import httpx

        response = httpx.get(str(self.url), follow_redirects=True, timeout=30)
        response.raise_for_status()
        return response.content

    def base64_content(self) -> str:
        """The bytes, base64-encoded."""
        return base64.b64encode(self.content_bytes()).decode()
