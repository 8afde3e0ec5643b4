"""Attachments without the network: types, ids, repr, dicts, address checks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from llm_async import Attachment, AttachmentError
from llm_async._core.attachments import (
    DEFAULT_MAX_BYTES,
    check_attachment_type,
    max_bytes_for,
    normalize_mime,
    prompt_time_type,
    unsafe_address,
)

from .media import JPEG_BYTES, PDF_BYTES, png_bytes, wav_bytes


def test_types_are_sniffed_from_magic_bytes(tmp_path: Path) -> None:
    assert Attachment(content=png_bytes()).resolve_type() == "image/png"
    assert Attachment(content=JPEG_BYTES).resolve_type() == "image/jpeg"
    assert Attachment(content=PDF_BYTES).resolve_type() == "application/pdf"
    assert Attachment(content=wav_bytes()).resolve_type() == "audio/wav"
    assert Attachment(content=b"just text").resolve_type() is None
    path = tmp_path / "no-extension"
    path.write_bytes(png_bytes())
    assert Attachment(path=str(path)).resolve_type() == "image/png"
    assert Attachment(path=path).path == str(path)  # type: ignore[arg-type]


def test_given_type_wins_and_is_normalised() -> None:
    attachment = Attachment(type="Image/JPEG; charset=utf-8", content=png_bytes())
    assert attachment.resolve_type() == "image/jpeg"
    assert normalize_mime("audio/wave") == "audio/wav"
    assert normalize_mime("text/html; charset=utf-8") == "text/html"
    assert normalize_mime("") is None


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.png")
    with pytest.raises(FileNotFoundError, match="Attachment file not found"):
        Attachment(path=missing).resolve_type()
    with pytest.raises(FileNotFoundError, match=r"gone\.png"):
        Attachment(path=missing).content_bytes()
    with pytest.raises(FileNotFoundError):
        prompt_time_type(Attachment(path=missing))


def test_unfetched_url_never_touches_the_network() -> None:
    attachment = Attachment(url="https://example.com/cat")
    with pytest.raises(AttachmentError, match="not known yet"):
        attachment.resolve_type()
    with pytest.raises(AttachmentError, match="has not been downloaded"):
        attachment.base64_content()
    assert prompt_time_type(attachment) is None
    typed = Attachment(type="image/png", url="https://example.com/cat")
    assert prompt_time_type(typed) == "image/png"


def test_prompt_time_checks() -> None:
    with pytest.raises(TypeError, match="takes Attachment objects"):
        prompt_time_type("photo.png")
    with pytest.raises(ValueError, match="Could not detect the type"):
        prompt_time_type(Attachment(content=b"plain"))

    class Model:
        attachment_types = frozenset({"image/png", "image/jpeg"})

    check_attachment_type(Model(), "image/png")
    with pytest.raises(ValueError) as caught:
        check_attachment_type(Model(), "application/pdf")
    assert str(caught.value) == (
        "This model does not support attachments of type 'application/pdf', "
        "only image/jpeg, image/png"
    )


def test_constructor_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="needs path=, url= or content="):
        Attachment(type="image/png")
    with pytest.raises(TypeError, match="content= must be bytes"):
        Attachment(content="text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="url= must be a string"):
        Attachment(url=b"https://x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_bytes"):
        Attachment(url="https://x", max_bytes=0)
    assert Attachment(content=bytearray(b"ab")).content == b"ab"


def test_ids(tmp_path: Path) -> None:
    data = png_bytes()
    assert Attachment(content=data).id() == hashlib.sha256(data).hexdigest()
    path = tmp_path / "a.png"
    path.write_bytes(data)
    assert Attachment(path=str(path)).id() == hashlib.sha256(data).hexdigest()
    url = "https://example.com/a.png"
    expected = hashlib.sha256(json.dumps({"url": url}).encode()).hexdigest()
    assert Attachment(url=url).id() == expected
    one, two = Attachment(content=data), Attachment(content=data)
    one.id()
    assert one == two  # the cached id is not part of equality


def test_repr_is_short() -> None:
    big = Attachment(type="image/png", content=b"\x00" * 5_000_000)
    text = repr(big)
    assert len(text) < 200
    assert "content=5000000 bytes" in text
    assert 'type="image/png"' in text
    missing = repr(Attachment(path="/nonexistent/file.png"))
    assert missing.startswith("<Attachment: ? ")


def test_dicts() -> None:
    attachment = Attachment(type="image/png", url="https://x/a.png", content=b"\x01")
    assert attachment.to_dict() == {
        "type": "image/png",
        "url": "https://x/a.png",
        "content": "AQ==",
    }
    assert Attachment.from_dict(attachment.to_dict()) == attachment
    with pytest.raises(ValueError, match="needs 'path', 'url' or 'content'"):
        Attachment.from_dict({"type": "image/png"})
    with pytest.raises(ValueError, match="'url' must be a string"):
        Attachment.from_dict({"url": 3})


def test_max_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert max_bytes_for(Attachment(url="https://x")) == DEFAULT_MAX_BYTES
    assert max_bytes_for(Attachment(url="https://x", max_bytes=10)) == 10
    monkeypatch.setenv("LLM_ATTACHMENT_MAX_BYTES", "1234")
    assert max_bytes_for(Attachment(url="https://x")) == 1234
    monkeypatch.setenv("LLM_ATTACHMENT_MAX_BYTES", "lots")
    with pytest.raises(AttachmentError, match="LLM_ATTACHMENT_MAX_BYTES"):
        max_bytes_for(Attachment(url="https://x"))


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("100.64.0.1", "not globally routable"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("240.0.0.1", "private"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_unsafe_addresses(address: str, reason: str | None) -> None:
    assert unsafe_address(address) == reason
