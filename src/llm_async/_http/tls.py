"""TLS trust: CA bundles from the environment, or the OS certificate store."""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Mapping
from typing import Final

from llm_async._core.errors import ConfigError

__all__ = [
    "TRUSTSTORE",
    "TRUSTSTORE_ENV",
    "ssl_context",
]


#: ``verify`` value, and environment variable, that select the operating system's
#: certificate store (through the optional ``truststore`` package).
TRUSTSTORE: Final = "truststore"
TRUSTSTORE_ENV: Final = "LLM_TRUSTSTORE"


def ssl_context(
    verify: ssl.SSLContext | str | bool | None = None,
    *,
    trust_env: bool = True,
    env: Mapping[str, str] | None = None,
) -> ssl.SSLContext | bool:
    """The TLS trust to use: an explicit setting, the environment, then certifi.

    ``verify`` may be an ``ssl.SSLContext``, a CA bundle path, ``"truststore"``
    (the operating system's certificate store, through the ``truststore``
    package), ``False`` (no verification) or ``None``/``True`` (the default
    trust). With ``trust_env``, the default trust is the operating system's store
    if ``LLM_TRUSTSTORE`` is true, else ``SSL_CERT_FILE``, then
    ``REQUESTS_CA_BUNDLE``, then ``SSL_CERT_DIR``; otherwise the certifi bundle.
    """
    if isinstance(verify, ssl.SSLContext) or verify is False:
        return verify
    if verify == TRUSTSTORE:
        return _truststore_context()
    if isinstance(verify, str):
        return _context(verify, None)
    environment = os.environ if env is None else env
    if trust_env:
        if _env_flag(environment, TRUSTSTORE_ENV):
            return _truststore_context()
        for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            path = environment.get(name)
            if path:
                if os.path.isdir(path):
                    return _context(None, path)
                return _context(path, None)
        directory = environment.get("SSL_CERT_DIR")
        if directory:
            return _context(None, directory)
    import certifi

    return _context(certifi.where(), None)


def _env_flag(environment: Mapping[str, str], name: str) -> bool:
    """A boolean environment variable: ``1``/``true``/``yes``/``on`` or not set."""
    value = environment.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0 (true/false, yes/no, on/off): {value!r}")


def _truststore_context() -> ssl.SSLContext:
    """A context verifying with the operating system's certificate store."""
    try:
        import truststore
    except ImportError as exc:
        raise ConfigError(
            "Using the operating system's certificate store (verify='truststore' "
            f"or {TRUSTSTORE_ENV}=1) needs the truststore package, which is not "
            "installed. Install it with: pip install 'llm-async[truststore]'"
        ) from exc
    context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return context


@functools.lru_cache(maxsize=8)
def _context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """A verifying context for one CA bundle, shared: loading one takes a while."""
    return ssl.create_default_context(cafile=cafile, capath=capath)
