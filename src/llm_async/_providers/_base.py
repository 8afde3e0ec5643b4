"""Deprecated alias of ``llm_async.providers`` (kept for one release).

Import ``HTTPProvider``, ``ResponseSink`` and ``StreamParser`` from
``llm_async.providers`` instead.
"""

from __future__ import annotations

import warnings

from llm_async.providers.base import HTTPProvider, ResponseSink, StreamParser

__all__ = ["HTTPProvider", "ResponseSink", "StreamParser"]

warnings.warn(
    "llm_async._providers._base is deprecated and will be removed in the next "
    "release; import HTTPProvider, ResponseSink and StreamParser from "
    "llm_async.providers instead.",
    DeprecationWarning,
    stacklevel=2,
)
