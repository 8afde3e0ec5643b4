"""Attachments with I/O: prompt-time checks, URL types, safe downloads."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from llm_async import (
    AsyncScriptedModel,
    Attachment,
    AttachmentError,
    afetch_attachment,
)
from tests.core.media import PDF_BYTES, png_bytes

PUBLIC_IP = "93.184.216.34"


class UrlModel(AsyncScriptedModel):
    """Takes images by URL; anything else must be downloaded."""

    def accepts_url(self, attachment: Attachment) -> bool:
        return str(attachment.resolve_type()).startswith("image/")


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fake resolver: host → address (unknown hosts fail to resolve)."""
    table: dict[str, str] = {}

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[name], port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return table


async def test_unsupported_type_and_missing_file_fail_at_prompt_time(
    tmp_path: Path,
) -> None:
    model = AsyncScriptedModel(["never"])
    with respx.mock() as router:
        with pytest.raises(ValueError, match="does not support attachments of type"):
            model.prompt("x", attachments=[Attachment(content=b"%!PS-Adobe-3.0\n")])
        with pytest.raises(FileNotFoundError, match="Attachment file not found"):
            model.prompt("x", attachments=[Attachment(path=str(tmp_path / "no.png"))])
        with pytest.raises(TypeError, match="takes Attachment objects"):
            model.prompt("x", attachments=["photo.png"])  # type: ignore[list-item]
        plain = AsyncScriptedModel.__new__(AsyncScriptedModel)
        plain.attachment_types = frozenset()
        with pytest.raises(ValueError, match="This model does not support attachments"):
            AsyncScriptedModel.prompt(plain, "x", attachments=[Attachment(url="u")])
        assert not router.calls
    assert model.prompts == []


async def test_url_type_comes_from_head_when_the_response_starts(
    dns: dict[str, str],
) -> None:
    dns["img.example"] = PUBLIC_IP
    model = UrlModel(["a cat"])
    picture = Attachment(url="https://img.example/cat")
    with respx.mock() as router:
        head = router.head(f"https://{PUBLIC_IP}/cat").respond(
            200, headers={"content-type": "image/PNG; charset=utf-8"}
        )
        response = model.prompt("what?", attachments=[picture])
        assert not head.called  # model.prompt() never blocks on the network
        assert await response.text() == "a cat"
    assert head.call_count == 1
    # Pinned to the checked address; the Host header keeps the name.
    assert head.calls.last.request.headers["host"] == "img.example"
    assert picture.resolve_type() == "image/png"
    assert model.prompts[0].attachments[0] is picture


async def test_url_of_unsupported_type_fails_when_started(dns: dict[str, str]) -> None:
    dns["files.example"] = PUBLIC_IP
    model = UrlModel(["never"])
    with respx.mock() as router:
        router.head(f"https://{PUBLIC_IP}/page").respond(
            200, headers={"content-type": "text/html; charset=utf-8"}
        )
        response = model.prompt(
            "x", attachments=[Attachment(url="https://files.example/page")]
        )
        with pytest.raises(ValueError, match="attachments of type 'text/html', only"):
            await response.text()
        # The failure is kept: a second read does not send again.
        with pytest.raises(ValueError, match="text/html"):
            await response.text()
        assert len(router.calls) == 1
    assert model.prompts == []


async def test_urls_the_model_does_not_take_are_downloaded(
    dns: dict[str, str],
) -> None:
    dns["docs.example"] = PUBLIC_IP
    dns["cdn.example"] = PUBLIC_IP
    model = UrlModel(["summary"])
    document = Attachment(url="https://docs.example/paper")
    with respx.mock() as router:
        router.head(f"https://{PUBLIC_IP}/paper").respond(
            200, headers={"content-type": "application/pdf"}
        )
        router.get(f"https://{PUBLIC_IP}/paper").respond(
            302, headers={"location": "https://cdn.example/v2/paper.pdf"}
        )
        final = router.get(f"https://{PUBLIC_IP}/v2/paper.pdf").respond(
            200, content=PDF_BYTES
        )
        assert await model.prompt("x", attachments=[document]).text() == "summary"
    assert final.calls.last.request.headers["host"] == "cdn.example"
    assert document.content_bytes() == PDF_BYTES
    assert document.resolve_type() == "application/pdf"
    assert document.id() == Attachment(url="https://docs.example/paper").id()


async def test_models_without_accepts_url_download_everything(
    dns: dict[str, str],
) -> None:
    dns["img.example"] = PUBLIC_IP
    model = AsyncScriptedModel(["ok"])
    picture = Attachment(url="http://img.example/p")
    with respx.mock() as router:
        get = router.get(f"http://{PUBLIC_IP}/p").respond(
            200, content=png_bytes(), headers={"content-type": "text/plain"}
        )
        assert await model.prompt("x", attachments=[picture]).text() == "ok"
    assert get.call_count == 1
    assert picture.resolve_type() == "image/png"  # magic bytes beat the header
    assert picture.base64_content().startswith("iVBORw0KGgo")


async def test_at_most_three_redirects(dns: dict[str, str]) -> None:
    dns["r.example"] = PUBLIC_IP
    attachment = Attachment(url="https://r.example/0")
    with respx.mock() as router:
        for hop in range(4):
            router.get(f"https://{PUBLIC_IP}/{hop}").respond(
                301, headers={"location": f"/{hop + 1}"}
            )
        with pytest.raises(AttachmentError, match="Too many redirects"):
            await afetch_attachment(attachment)
        assert len(router.calls) == 4
    three = Attachment(url="https://r.example/1")
    with respx.mock() as router:
        for hop in range(1, 4):
            router.get(f"https://{PUBLIC_IP}/{hop}").respond(
                301, headers={"location": f"/{hop + 1}"}
            )
        router.get(f"https://{PUBLIC_IP}/4").respond(200, content=b"fine")
        assert await afetch_attachment(three) == b"fine"


async def test_private_addresses_are_refused(
    dns: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dns["evil.example"] = "127.0.0.1"
    dns["public.example"] = PUBLIC_IP
    dns["local.example"] = "10.0.0.5"
    with respx.mock() as router:
        with pytest.raises(AttachmentError, match=r"loopback address \(127\.0\.0\.1\)"):
            await afetch_attachment(Attachment(url="https://evil.example/x"))
        router.get(f"https://{PUBLIC_IP}/go").respond(
            302, headers={"location": "http://169.254.169.254/latest/meta-data"}
        )
        with pytest.raises(AttachmentError, match="link-local") as caught:
            await afetch_attachment(Attachment(url="https://public.example/go"))
        assert "allow_private=True" in str(caught.value)
        assert len(router.calls) == 1
        allowed = router.get("http://local.example/a").respond(200, content=b"ok")
        fetched = Attachment(url="http://local.example/a", allow_private=True)
        assert await afetch_attachment(fetched) == b"ok"
        monkeypatch.setenv("LLM_ATTACHMENTS_ALLOW_PRIVATE", "1")
        assert await afetch_attachment(Attachment(url="http://local.example/a"))
        assert allowed.call_count == 2


async def test_other_schemes_and_bad_urls_are_refused(dns: dict[str, str]) -> None:
    with respx.mock() as router:
        for url in ("file:///etc/passwd", "ftp://x.example/a", "data:,hi"):
            with pytest.raises(AttachmentError, match="Only http and https"):
                await afetch_attachment(Attachment(url=url))
        with pytest.raises(AttachmentError, match="Could not resolve"):
            await afetch_attachment(Attachment(url="https://unknown.example/a"))
        assert not router.calls


async def test_ip_literals_are_checked_without_dns(dns: dict[str, str]) -> None:
    cases = {
        "http://127.0.0.1/x": "loopback",
        "http://[::1]/x": "loopback",
        "http://169.254.169.254/latest/meta-data": "link-local",
        "http://192.168.1.1/": "private",
        "http://[::ffff:10.0.0.1]/": "private",
    }
    with respx.mock() as router:
        for url, reason in cases.items():
            with pytest.raises(AttachmentError, match=reason):
                await afetch_attachment(Attachment(url=url))
        assert not router.calls
        router.get(f"http://{PUBLIC_IP}/ok").respond(200, content=b"public")
        assert await afetch_attachment(Attachment(url=f"http://{PUBLIC_IP}/ok")) == (
            b"public"
        )


async def test_size_cap(dns: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    dns["big.example"] = PUBLIC_IP

    def stream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter_chunks())

    async def iter_chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1000

    with respx.mock() as router:
        router.get(f"https://{PUBLIC_IP}/declared").respond(
            200, headers={"content-length": "5000"}, content=b"x" * 5000
        )
        router.get(f"https://{PUBLIC_IP}/streamed").mock(side_effect=stream)
        small = Attachment(url="https://big.example/declared", max_bytes=100)
        with pytest.raises(AttachmentError, match="larger than 100 bytes") as caught:
            await afetch_attachment(small)
        assert "max_bytes=N" in str(caught.value)
        assert "LLM_ATTACHMENT_MAX_BYTES" in str(caught.value)
        monkeypatch.setenv("LLM_ATTACHMENT_MAX_BYTES", "2500")
        with pytest.raises(AttachmentError, match="larger than 2500 bytes"):
            await afetch_attachment(Attachment(url="https://big.example/streamed"))


async def test_http_errors_are_clear_and_hide_the_query(dns: dict[str, str]) -> None:
    dns["s3.example"] = PUBLIC_IP
    with respx.mock() as router:
        router.get(url__startswith=f"https://{PUBLIC_IP}/obj").respond(403)
        with pytest.raises(AttachmentError) as caught:
            await afetch_attachment(
                Attachment(url="https://s3.example/obj?X-Amz-Signature=secret")
            )
    assert str(caught.value) == ("Downloading https://s3.example/obj failed: HTTP 403")


async def test_local_attachments_need_no_network(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    path.write_bytes(png_bytes())
    with respx.mock() as router:
        assert await afetch_attachment(Attachment(path=str(path))) == png_bytes()
        response = AsyncScriptedModel(["ok"]).prompt(
            "x", attachments=[Attachment(path=str(path))]
        )
        assert await response.text() == "ok"
        assert not router.calls
