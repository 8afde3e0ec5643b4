"""The Gemini model catalogue, with the ids and aliases of ``llm-gemini``.

Each model's id is ``gemini/<name>`` and its alias the bare name
(``gemini-2.5-flash``), so aliases and ``default_model.txt`` written for the
plugin keep working. The key is ``keys.json["gemini"]``, else
``$GEMINI_API_KEY``, else ``$LLM_GEMINI_KEY`` (the plugin's variable).
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_async._core.types import JSONObject
from llm_async.providers.gemini.options import gemini_options_class
from llm_async.providers.gemini.provider import DEFAULT_BASE_URL, GeminiProvider

__all__ = [
    "ATTACHMENT_TYPES",
    "KEY_ENV_VARS",
    "GeminiSpec",
    "builtin_specs",
]

#: Environment variables searched for the key, in order (after ``keys.json``).
KEY_ENV_VARS = ("GEMINI_API_KEY", "LLM_GEMINI_KEY")

#: What Gemini models accept as attachments (``video/youtube``: a YouTube URL).
ATTACHMENT_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "text/html",
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/heic",
        "image/heif",
        "audio/wav",
        "audio/mp3",
        "audio/mpeg",
        "audio/aiff",
        "audio/aac",
        "audio/ogg",
        "application/ogg",
        "audio/flac",
        "video/mp4",
        "video/mpeg",
        "video/mov",
        "video/avi",
        "video/x-flv",
        "video/mpg",
        "video/webm",
        "video/wmv",
        "video/3gpp",
        "video/quicktime",
        "video/youtube",
    }
)

_LEVELS_MINIMAL = ("minimal", "low", "medium", "high")
_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class GeminiSpec:
    """What is needed to build one Gemini model (sync and async)."""

    name: str
    thinking_budget: bool = False
    thinking_levels: tuple[str, ...] = ()
    base_url: str = DEFAULT_BASE_URL

    @property
    def model_id(self) -> str:
        """``gemini/<name>``, as the ``llm-gemini`` plugin names it."""
        return f"gemini/{self.name}"

    @property
    def aliases(self) -> tuple[str, ...]:
        """The bare model name."""
        return (self.name,)

    def provider(self) -> GeminiProvider:
        """The sans-I/O provider for this model."""
        return GeminiProvider(
            self.name,
            options=gemini_options_class(
                thinking_budget=self.thinking_budget,
                thinking_levels=self.thinking_levels,
            ),
            thinking=self.thinking_budget or bool(self.thinking_levels),
            base_url=self.base_url,
        )

    def model_kwargs(self) -> JSONObject:
        """Keyword arguments of ``HTTPModel``/``AsyncHTTPModel`` (provider aside)."""
        return {
            "needs_key": "gemini",
            "key_env_var": KEY_ENV_VARS[0],
            "can_stream": True,
            "supports_tools": True,
            "supports_schema": True,
            "attachment_types": ATTACHMENT_TYPES,
        }


def builtin_specs() -> list[GeminiSpec]:
    """The Gemini models registered by default (as ``llm-gemini`` 0.33 does)."""
    return [
        GeminiSpec("gemini-2.5-flash", thinking_budget=True),
        GeminiSpec("gemini-flash-latest", thinking_budget=True),
        GeminiSpec("gemini-flash-lite-latest", thinking_budget=True),
        GeminiSpec("gemini-3-flash-preview", thinking_levels=_LEVELS_MINIMAL),
        GeminiSpec("gemini-3.1-pro-preview", thinking_levels=_LEVELS),
        GeminiSpec("gemini-3.1-pro-preview-customtools", thinking_levels=_LEVELS),
        GeminiSpec("gemini-3.1-flash-lite-preview", thinking_levels=_LEVELS_MINIMAL),
        GeminiSpec("gemma-4-26b-a4b-it"),
        GeminiSpec("gemma-4-31b-it"),
        GeminiSpec("gemini-3.1-flash-lite", thinking_levels=_LEVELS_MINIMAL),
        GeminiSpec("gemini-3.5-flash", thinking_levels=_LEVELS_MINIMAL),
        GeminiSpec("gemini-3.6-flash", thinking_levels=_LEVELS_MINIMAL),
        GeminiSpec("gemini-3.5-flash-lite", thinking_levels=_LEVELS_MINIMAL),
        GeminiSpec("gemini-3.7-flash", thinking_levels=_LEVELS),
    ]
