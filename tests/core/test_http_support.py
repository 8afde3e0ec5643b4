"""Sans-I/O transport logic: settings, backoff, Retry-After, error mapping, TLS."""

from __future__ import annotations

import ssl
import sys
from email.utils import formatdate
from pathlib import Path

import certifi
import httpx
import pytest
import truststore

from llm_async._core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    ContextWindowExceededError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
)
from llm_async._http.errors import (
    redact,
    request_id,
    request_secrets,
    safe_url,
    status_error,
    transport_error,
)
from llm_async._http.retry import (
    RetryPolicy,
    RetryState,
    backoff_delay,
    is_retryable,
    mark_retryable,
    parse_retry_after,
)
from llm_async._http.settings import CallSettings, resolve_settings
from llm_async._http.tls import ssl_context
from llm_async._io.transport import AsyncTransport
from llm_async.providers.http_model_base import (
    check_headers,
    is_event_stream,
    rebase_url,
)
from llm_sync._io.transport import Transport

# Settings ---------------------------------------------------------------------------


def test_defaults_never_wait_forever() -> None:
    settings = resolve_settings(env={})
    assert settings.connect_timeout == 10.0
    assert settings.timeout == 120.0
    assert settings.total_timeout is None
    assert settings.max_retries == 2


def test_precedence_call_then_model_then_env_then_default() -> None:
    env = {"LLM_TIMEOUT": "30", "LLM_CONNECT_TIMEOUT": "3", "LLM_MAX_RETRIES": "5"}
    settings = resolve_settings(
        {"timeout": 1.5}, {"timeout": 9, "connect_timeout": 4}, env=env
    )
    assert settings.timeout == 1.5  # call
    assert settings.connect_timeout == 4  # model
    assert settings.max_retries == 5  # env
    assert settings.total_timeout is None  # default


def test_none_disables_only_when_given_on_purpose() -> None:
    assert resolve_settings({"timeout": None}, env={}).timeout is None
    assert resolve_settings({}, env={"LLM_TOTAL_TIMEOUT": "none"}).total_timeout is None
    assert resolve_settings({}, env={"LLM_TIMEOUT": " "}).timeout == 120.0


@pytest.mark.parametrize(
    ("name", "value"),
    [("LLM_TIMEOUT", "soon"), ("LLM_TIMEOUT", "0"), ("LLM_MAX_RETRIES", "1.5")],
)
def test_invalid_environment_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        resolve_settings(env={name: value})


@pytest.mark.parametrize(
    "given",
    [{"timeout": 0}, {"timeout": -1}, {"max_retries": -1}, {"max_retries": True}],
)
def test_invalid_values_are_refused(given: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        resolve_settings(given, env={})


# Backoff and Retry-After ------------------------------------------------------------


def test_backoff_is_full_jitter_and_capped() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0)
    assert [backoff_delay(n, policy, lambda: 1.0) for n in range(6)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
    ]
    assert backoff_delay(3, policy, lambda: 0.0) == 0.0
    assert backoff_delay(1000, policy, lambda: 0.5) == 4.0


def test_retry_after_forms() -> None:
    now = 1_700_000_000.0
    date = formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30)
    past = formatdate(now - 30, usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=now) == 0.0
    assert parse_retry_after({"retry-after-ms": "x", "retry-after": "2"}) == 2.0
    for bad in ("soon", "-3", "nan", ""):
        assert parse_retry_after({"retry-after": bad}) is None
    assert parse_retry_after({}) is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def retryable(error: APIStatusError) -> APIStatusError:
    mark_retryable(error, True)
    return error


def test_retry_state_counts_attempts_and_respects_max_retries() -> None:
    state = RetryState(
        CallSettings(max_retries=2), clock=Clock(), random_value=lambda: 1
    )
    error = retryable(ServerError("x", status_code=503))
    waits = []
    for _ in range(4):
        state.begin_attempt()
        waits.append(state.next_wait(error))
    assert waits == [0.5, 1.0, None, None]
    assert state.next_wait(ServerError("not marked")) is None


def test_retry_after_beyond_budget_or_deadline_gives_up() -> None:
    clock = Clock()
    policy = RetryPolicy(budget=10)
    state = RetryState(CallSettings(retry=policy), clock=clock)
    state.begin_attempt()
    assert state.next_wait(retryable(RateLimitError("x", retry_after=9))) == 9
    assert state.next_wait(retryable(RateLimitError("x", retry_after=11))) is None
    deadline = RetryState(CallSettings(total_timeout=5), clock=clock)
    deadline.begin_attempt()
    assert deadline.next_wait(retryable(RateLimitError("x", retry_after=6))) is None
    clock.now += 4.5
    assert deadline.remaining() == pytest.approx(0.5)
    assert deadline.timeouts()["read"] == pytest.approx(0.5)
    assert deadline.timeouts()["connect"] == pytest.approx(0.5)
    clock.now += 1
    assert deadline.expired()


# Status mapping ------------------------------------------------------------------


def openai_body(message: str, code: str | None = None) -> bytes:
    import json

    return json.dumps({"error": {"message": message, "code": code}}).encode()


@pytest.mark.parametrize(
    ("status", "cls", "retried"),
    [
        (400, BadRequestError, False),
        (401, AuthenticationError, False),
        (403, PermissionDeniedError, False),
        (404, NotFoundError, False),
        (408, APIStatusError, True),
        (409, APIStatusError, True),
        (413, BadRequestError, False),
        (422, BadRequestError, False),
        (429, RateLimitError, True),
        (500, ServerError, True),
        (502, ServerError, True),
        (503, ServerError, True),
        (504, ServerError, True),
        (529, ServerError, True),
        (501, ServerError, False),
    ],
)
def test_status_classes_and_retryability(
    status: int, cls: type[APIStatusError], retried: bool
) -> None:
    error = status_error(
        status, headers={}, content=openai_body("boom"), settings=CallSettings()
    )
    assert type(error) is cls
    assert error.status_code == status
    assert error.message == "boom"
    assert is_retryable(error) is retried


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 8192 tokens. However, you requested "
        "9000 tokens. Please reduce the length of the messages.",
        "prompt is too long: 208310 tokens > 200000 maximum",
        "The input token count (1048577) exceeds the maximum number of tokens "
        "allowed (1048576).",
        "the request exceeds the available context size, try increasing it",
    ],
)
def test_context_window_messages(message: str) -> None:
    error = status_error(400, headers={}, content=openai_body(message))
    assert isinstance(error, ContextWindowExceededError)
    assert not is_retryable(error)


def test_context_window_code() -> None:
    content = openai_body("too long", code="context_length_exceeded")
    assert isinstance(
        status_error(400, headers={}, content=content), ContextWindowExceededError
    )
    plain = status_error(400, headers={}, content=openai_body("Unsupported value"))
    assert type(plain) is BadRequestError


def test_retry_hints_and_request_ids() -> None:
    error = status_error(
        503,
        headers={"retry-after": "3", "request-id": "req_1"},
        content=b"{}",
        settings=CallSettings(),
    )
    assert error.retry_after == 3
    assert error.request_id == "req_1"
    body = (
        b'{"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED",'
        b' "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",'
        b' "retryDelay": "34.5s"}]}}'
    )
    gemini = status_error(429, headers={}, content=body)
    assert isinstance(gemini, RateLimitError)
    assert gemini.retry_after == 34.5
    anthropic = status_error(
        404, headers={}, content=b'{"error": {"message": "m"}, "request_id": "req_2"}'
    )
    assert anthropic.request_id == "req_2"
    assert request_id({"x-request-id": "a", "request-id": "b"}) == "a"


def test_provider_message_and_fallbacks() -> None:
    def provider(status: int, body: object) -> tuple[str, str | None]:
        return "from provider", "some_code"

    def broken(status: int, body: object) -> tuple[str, str | None]:
        raise KeyError("error")

    content = openai_body("generic")
    assert status_error(
        400, headers={}, content=content, error_message=provider
    ).message == ("from provider")
    error = status_error(400, headers={}, content=content, error_message=broken)
    assert error.message == "generic"
    html = status_error(502, headers={}, content=b"<h1>Bad  gateway</h1>\n")
    assert html.message == "HTTP 502 error: <h1>Bad gateway</h1>"
    huge = status_error(500, headers={}, content=b"x" * 100_000)
    assert len(huge.message) < 1100


def test_keys_are_redacted_from_messages() -> None:
    key = "sk-secret-123456"
    request = httpx.Request(
        "POST",
        "https://host.example/v1/x?key=goog-secret-9&alt=sse",
        headers={"authorization": f"Bearer {key}", "x-portkey-api-key": "pk-abcdef"},
    )
    secrets = request_secrets(request)
    assert {key, "goog-secret-9", "pk-abcdef"} <= set(secrets)
    error = status_error(
        401,
        headers={},
        content=openai_body(f"bad key {key} / goog-secret-9"),
        secrets=secrets,
    )
    assert error.message == "bad key *** / ***"
    assert redact("a pk-abcdef b", secrets) == "a *** b"
    assert safe_url(request.url) == "https://host.example/v1/x"


# Transport exceptions ------------------------------------------------------------


def map_exc(exc: BaseException, **kwargs: object) -> object:
    return transport_error(
        exc,
        url="http://127.0.0.1:9/v1/x?key=secret",
        settings=CallSettings(total_timeout=5),
        deadline_passed=bool(kwargs.get("deadline", False)),
    )


@pytest.mark.parametrize(
    ("exc", "cls", "retried"),
    [
        (httpx.ConnectTimeout("t"), APITimeoutError, True),
        (httpx.ReadTimeout("t"), APITimeoutError, False),
        (httpx.WriteTimeout("t"), APITimeoutError, False),
        (httpx.PoolTimeout("t"), APITimeoutError, False),
        (httpx.ConnectError("refused"), APIConnectionError, True),
        (httpx.ReadError("reset"), APIConnectionError, True),
        (httpx.RemoteProtocolError("closed"), APIConnectionError, True),
        (
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"),
            APIConnectionError,
            False,
        ),
        (httpx.DecodingError("gzip"), ResponseDecodeError, False),
        (httpx.UnsupportedProtocol("ftp"), APIConnectionError, False),
        (TimeoutError(), APITimeoutError, False),
    ],
)
def test_transport_exceptions(exc: BaseException, cls: type, retried: bool) -> None:
    error = map_exc(exc)
    assert type(error) is cls
    assert is_retryable(error) is retried  # type: ignore[arg-type]
    assert "secret" not in str(error)


def test_timeouts_name_the_setting_to_change() -> None:
    assert "LLM_TIMEOUT" in str(map_exc(httpx.ReadTimeout("t")))
    assert "LLM_CONNECT_TIMEOUT" in str(map_exc(httpx.ConnectTimeout("t")))
    assert "total deadline of 5 s" in str(
        map_exc(httpx.ReadTimeout("t"), deadline=True)
    )
    assert "total deadline" in str(map_exc(TimeoutError()))
    assert map_exc(ValueError("not ours")) is None


# TLS trust ------------------------------------------------------------------------


def one_certificate(tmp_path: Path) -> Path:
    bundle = Path(certifi.where()).read_text()
    end = "-----END CERTIFICATE-----"
    first = bundle[
        bundle.index("-----BEGIN CERTIFICATE-----") : bundle.index(end) + len(end)
    ]
    path = tmp_path / "ca.pem"
    path.write_text(first + "\n")
    return path


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_ca_bundle_from_the_environment(tmp_path: Path, variable: str) -> None:
    path = str(one_certificate(tmp_path))
    context = ssl_context(env={variable: path})
    assert isinstance(context, ssl.SSLContext)
    assert len(context.get_ca_certs()) == 1
    ignored = ssl_context(env={variable: path}, trust_env=False)
    assert isinstance(ignored, ssl.SSLContext)
    assert len(ignored.get_ca_certs()) > 1


def test_explicit_verify_wins(tmp_path: Path) -> None:
    path = str(one_certificate(tmp_path))
    assert ssl_context(False) is False
    custom = ssl.create_default_context()
    assert ssl_context(custom, env={"SSL_CERT_FILE": path}) is custom
    explicit = ssl_context(path, env={"SSL_CERT_FILE": "/nonexistent"})
    assert isinstance(explicit, ssl.SSLContext)
    assert len(explicit.get_ca_certs()) == 1


def test_truststore_when_asked() -> None:
    context = ssl_context("truststore", env={"SSL_CERT_FILE": "/nonexistent"})
    assert isinstance(context, truststore.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    for transport in (
        AsyncTransport(verify="truststore"),
        Transport(verify="truststore"),
    ):
        assert isinstance(transport._ssl_context(), truststore.SSLContext)


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_truststore_from_the_environment(tmp_path: Path, value: str) -> None:
    path = str(one_certificate(tmp_path))
    # Wins over the generic variables, which other tools may have set.
    env = {"LLM_TRUSTSTORE": value, "SSL_CERT_FILE": path, "SSL_CERT_DIR": path}
    assert isinstance(ssl_context(env=env), truststore.SSLContext)
    # An explicit verify and trust_env=False still win over the environment.
    explicit = ssl_context(path, env=env)
    assert not isinstance(explicit, truststore.SSLContext)
    assert len(explicit.get_ca_certs()) == 1
    ignored = ssl_context(env=env, trust_env=False)
    assert not isinstance(ignored, truststore.SSLContext)
    assert ssl_context(False, env=env) is False


def test_truststore_for_the_default_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_TRUSTSTORE", "1")
    for transport in (AsyncTransport(), Transport()):
        assert isinstance(transport._ssl_context(), truststore.SSLContext)
    assert not isinstance(
        AsyncTransport(trust_env=False)._ssl_context(), truststore.SSLContext
    )


@pytest.mark.parametrize("value", ["", "0", "false", "No", "off"])
def test_default_trust_is_unchanged(value: str) -> None:
    context = ssl_context(env={"LLM_TRUSTSTORE": value})
    assert isinstance(context, ssl.SSLContext)
    assert not isinstance(context, truststore.SSLContext)
    assert context is ssl_context(env={})
    assert len(context.get_ca_certs()) > 1  # certifi


def test_invalid_truststore_variable() -> None:
    with pytest.raises(ConfigError, match="LLM_TRUSTSTORE must be 1 or 0"):
        ssl_context(env={"LLM_TRUSTSTORE": "maybe"})


def test_truststore_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "truststore", None)  # import raises ImportError
    install = "pip install 'llm-async[truststore]'"
    with pytest.raises(ConfigError, match=r"truststore package.*not installed") as e:
        ssl_context("truststore")
    assert install in str(e.value)
    with pytest.raises(ConfigError, match="LLM_TRUSTSTORE=1"):
        ssl_context(env={"LLM_TRUSTSTORE": "1"})
    with pytest.raises(ConfigError, match=r"llm-async\[truststore\]"):
        Transport(verify="truststore")._ssl_context()
    # Not asked for: not needed.
    assert ssl_context(env={}) is not False


# HTTPModel helpers -----------------------------------------------------------------


def test_rebase_url() -> None:
    url = httpx.URL("https://api.example.com/v1/chat/completions?alt=sse")
    moved = rebase_url(url, "https://gw.corp/openai/v1/", "https://api.example.com/v1")
    assert str(moved) == "https://gw.corp/openai/v1/chat/completions?alt=sse"
    prefixed = rebase_url(url, "http://127.0.0.1:8080/proxy", None)
    assert str(prefixed) == "http://127.0.0.1:8080/proxy/v1/chat/completions?alt=sse"


def test_check_headers_and_content_types() -> None:
    assert check_headers({"x-a": "1"}) == {"x-a": "1"}
    with pytest.raises(ValueError):
        check_headers({"x-a\r\n": "1"})
    assert is_event_stream({"content-type": "text/event-stream; charset=utf-8"})
    assert not is_event_stream({"content-type": "application/json"})
    assert is_event_stream({})
