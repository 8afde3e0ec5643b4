"""The Claude models: the ids, aliases and capabilities of ``llm-anthropic``.

Model ids are ``anthropic/<Claude id>`` and the aliases are the plugin's
(``claude-sonnet-4.5``...), so a user's aliases and ``default_model.txt`` keep
working. ``max_tokens`` is each model's default output limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_async._core.types import JSONObject
from llm_async.providers.anthropic.messages import AnthropicProvider
from llm_async.providers.anthropic.options import ClaudeOptions, options_class

__all__ = ["IMAGE_TYPES", "PDF_TYPE", "ClaudeSpec", "builtin_specs"]

#: Image types every Claude model reads.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
#: PDFs, read by the models with ``pdf=True``.
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class ClaudeSpec:
    """What is needed to build one Claude model (sync and async)."""

    claude_id: str
    aliases: tuple[str, ...] = ()
    max_tokens: int = 4096
    pdf: bool = False
    thinking: bool = False
    effort: bool = False
    adaptive: bool = False
    web_search: bool = False
    structured_outputs: bool = False

    @property
    def model_id(self) -> str:
        """The registered id: ``anthropic/`` and the Claude id."""
        return f"anthropic/{self.claude_id}"

    def options(self) -> type[ClaudeOptions]:
        """The ``Options`` class of this model."""
        return options_class(thinking=self.thinking, effort=self.effort)

    def provider(self, base_url: str | None = None) -> AnthropicProvider:
        """The sans-I/O provider for this model."""
        return AnthropicProvider(self, base_url=base_url)

    def model_kwargs(self) -> JSONObject:
        """Keyword arguments of ``HTTPModel``/``AsyncHTTPModel`` (provider aside)."""
        types = set(IMAGE_TYPES)
        if self.pdf:
            types.add(PDF_TYPE)
        return {
            "needs_key": "anthropic",
            "key_env_var": "ANTHROPIC_API_KEY",
            "can_stream": True,
            "supports_tools": True,
            "supports_schema": True,
            "attachment_types": types,
        }


def builtin_specs() -> list[ClaudeSpec]:
    """The Claude models registered by default, oldest first."""
    pdf: JSONObject = {"pdf": True}
    think: JSONObject = {"pdf": True, "thinking": True}
    newest: JSONObject = {
        "pdf": True,
        "thinking": True,
        "effort": True,
        "adaptive": True,
        "web_search": True,
        "structured_outputs": True,
        "max_tokens": 128000,
    }
    return [
        ClaudeSpec("claude-3-opus-20240229"),
        ClaudeSpec("claude-3-opus-latest", ("claude-3-opus",)),
        ClaudeSpec("claude-3-sonnet-20240229", ("claude-3-sonnet",)),
        ClaudeSpec("claude-3-haiku-20240307", ("claude-3-haiku",)),
        ClaudeSpec("claude-3-5-sonnet-20240620", max_tokens=8192, **pdf),
        ClaudeSpec(
            "claude-3-5-sonnet-20241022", max_tokens=8192, web_search=True, **pdf
        ),
        ClaudeSpec(
            "claude-3-5-sonnet-latest",
            ("claude-3.5-sonnet", "claude-3.5-sonnet-latest"),
            max_tokens=8192,
            web_search=True,
            **pdf,
        ),
        ClaudeSpec(
            "claude-3-5-haiku-latest",
            ("claude-3.5-haiku",),
            max_tokens=8192,
            web_search=True,
        ),
        ClaudeSpec(
            "claude-3-7-sonnet-20250219", max_tokens=8192, web_search=True, **think
        ),
        ClaudeSpec(
            "claude-3-7-sonnet-latest",
            ("claude-3.7-sonnet", "claude-3.7-sonnet-latest"),
            max_tokens=8192,
            web_search=True,
            **think,
        ),
        ClaudeSpec(
            "claude-opus-4-0",
            ("claude-4-opus",),
            max_tokens=32000,
            web_search=True,
            **think,
        ),
        ClaudeSpec(
            "claude-sonnet-4-0",
            ("claude-4-sonnet",),
            max_tokens=64000,
            web_search=True,
            **think,
        ),
        ClaudeSpec(
            "claude-opus-4-1-20250805",
            ("claude-opus-4.1",),
            max_tokens=32000,
            web_search=True,
            structured_outputs=True,
            **think,
        ),
        ClaudeSpec(
            "claude-sonnet-4-5",
            ("claude-sonnet-4.5",),
            max_tokens=64000,
            structured_outputs=True,
            **think,
        ),
        ClaudeSpec(
            "claude-haiku-4-5-20251001",
            ("claude-haiku-4.5",),
            max_tokens=64000,
            **think,
        ),
        ClaudeSpec(
            "claude-opus-4-5-20251101",
            ("claude-opus-4.5",),
            max_tokens=64000,
            effort=True,
            web_search=True,
            **think,
        ),
        ClaudeSpec("claude-opus-4-6", ("claude-opus-4.6",), **newest),
        ClaudeSpec("claude-sonnet-4-6", ("claude-sonnet-4.6",), **newest),
        ClaudeSpec("claude-opus-4-7", ("claude-opus-4.7",), **newest),
        ClaudeSpec("claude-opus-4-8", ("claude-opus-4.8",), **newest),
        ClaudeSpec("claude-fable-5", ("claude-fable-5",), **newest),
        ClaudeSpec(
            "claude-sonnet-5",
            ("claude-sonnet-5",),
            max_tokens=64000,
            structured_outputs=True,
            **think,
        ),
    ]
