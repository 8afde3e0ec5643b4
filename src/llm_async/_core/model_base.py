"""Sans-I/O helpers shared by the async and sync model classes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llm_async._core.prompt import Prompt, SchemaInput, ToolInput, turn_messages
from llm_async._core.protocols import KeyedModel, PromptModel
from llm_async._core.types import JSONObject

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.options import Options
    from llm_async._core.parts import Message
    from llm_async._core.tools import ToolResult

__all__ = [
    "LazyOptions",
    "build_prompt",
    "check_capabilities",
    "resolve_key",
    "validate_attachments",
]


class LazyOptions:
    """Class attribute resolving to the base ``Options`` on first access.

    Keeps pydantic out of ``import llm_sync``; subclasses that define their own
    nested ``Options`` class are unaffected.
    """

    def __get__(self, instance: object, owner: type | None = None) -> type[Options]:
        from llm_async._core.options import Options

        return Options


def resolve_key(model: KeyedModel, explicit_key: str | None = None) -> str | None:
    """The API key ``model`` should use: ``model.key``, ``key=``, keys.json, env.

    ``None`` when the model needs no key; ``NeedsKeyException`` when it needs one
    and none is found.
    """
    if model.needs_key is None:
        return None
    if model.key is not None:
        return str(model.key)
    from llm_async._core.config import get_key

    found = get_key(explicit_key, model.needs_key, model.key_env_var)
    if found:
        return found
    from llm_async._core.errors import NeedsKeyException

    message = f"No key found - add one using 'llm keys set {model.needs_key}'"
    if model.key_env_var:
        message += f" or set the {model.key_env_var} environment variable"
    raise NeedsKeyException(message)


def validate_attachments(
    model: PromptModel, attachments: Sequence[Attachment] | None
) -> None:
    """Raise ``ValueError`` unless the model accepts every attachment's type.

    No network: a URL without ``type`` is checked when the response starts
    (after a ``HEAD``); a missing file raises ``FileNotFoundError`` now.
    """
    if not attachments:
        return
    from llm_async._core.attachments import check_attachment_type, prompt_time_type

    if not model.attachment_types:
        raise ValueError("This model does not support attachments")
    for attachment in attachments:
        attachment_type = prompt_time_type(attachment)
        if attachment_type is not None:
            check_attachment_type(model, attachment_type)


def build_prompt(
    model: PromptModel,
    prompt: str | None,
    *,
    fragments: Sequence[str] | None,
    attachments: Sequence[Attachment] | None,
    system: str | None,
    system_fragments: Sequence[str] | None,
    messages: Sequence[Message] | None,
    schema: SchemaInput,
    tools: Sequence[ToolInput] | None,
    tool_results: Sequence[ToolResult] | None,
    options: JSONObject | None,
    option_kwargs: JSONObject,
    hide_reasoning: bool,
) -> Prompt:
    """The checked prompt of ``model.prompt()`` / ``model.chain()``.

    Checks the attachments' types (``validate_attachments``), validates the
    options, folds this turn into ``messages=`` when given, and checks that the
    model supports the schema and tools (``check_capabilities``).
    """
    from llm_async._core.options import merge_options, validate_options

    validate_attachments(model, attachments)
    merged = merge_options(options, option_kwargs)
    validated = validate_options(model.Options, merged)
    if messages is not None:
        messages = [
            *messages,
            *turn_messages(
                prompt,
                fragments=fragments or (),
                attachments=attachments or (),
                tool_results=tool_results or (),
            ),
        ]
    built = Prompt(
        prompt,
        model,
        fragments=fragments,
        attachments=attachments,
        system=system,
        system_fragments=system_fragments,
        options=validated,
        schema=schema,
        tools=tools,
        tool_results=tool_results,
        messages=messages,
        hide_reasoning=hide_reasoning,
    )
    check_capabilities(model, built)
    return built


def check_capabilities(model: PromptModel, prompt: Prompt) -> None:
    """Raise ``ValueError`` for a schema or tools the model does not support,
    ``ConversationNotSupported`` for history given to a single-turn model."""
    if prompt.schema is not None and not model.supports_schema:
        raise ValueError(f"{model} does not support schemas")
    if not getattr(model, "supports_conversation", True) and any(
        message.role in ("assistant", "tool") for message in prompt.messages
    ):
        from llm_async._core.errors import ConversationNotSupported

        raise ConversationNotSupported(f"{model} does not support conversations")
    if not prompt.tools:
        return
    server_side = tuple(model.supported_server_side_tools)
    for tool in prompt.tools:
        if getattr(tool, "_is_server_side_tool", False):
            if not any(
                type(tool) is claimed
                if getattr(claimed, "_is_server_side_base", False)
                else isinstance(tool, claimed)
                for claimed in server_side
            ):
                raise ValueError(
                    f"Model '{model.model_id}' does not support server-side tool "
                    f"'{tool.name}'. Run: llm tools -m {model.model_id}"
                )
        elif not model.supports_tools:
            raise ValueError(f"{model} does not support tools")
