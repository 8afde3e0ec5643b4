"""llm_async: the Python API of ``llm``, async-first.

``llm_sync`` is generated from this package and offers the same API, blocking.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from llm_async._core import parts as parts
from llm_async._core.attachments import Attachment
from llm_async._core.config import (
    DEFAULT_MODEL,
    get_default_embedding_model,
    get_default_model,
    get_key,
    load_keys,
    set_default_embedding_model,
    set_default_model,
    set_key,
    user_dir,
)
from llm_async._core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AttachmentError,
    AuthenticationError,
    BadRequestError,
    BatchError,
    BatchExpiredError,
    BatchFailedError,
    BudgetExceededError,
    CancelToolCall,
    ChainLimitExceeded,
    ConfigError,
    ContextWindowExceededError,
    GGUFConfigWarning,
    KeysFileWarning,
    LocalModelError,
    LocalModelWarning,
    ModelError,
    NeedsKeyException,
    NotFoundError,
    OpenAIConfigWarning,
    PauseChain,
    PermissionDeniedError,
    PluginWarning,
    RateLimitError,
    ResponseDecodeError,
    SchemaValidationError,
    ServerError,
    StreamInterruptedError,
    UnknownModelError,
)
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    Part,
    ReasoningPart,
    StreamEvent,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    assistant,
    system,
    tool_message,
    user,
)
from llm_async._core.prompt import Prompt
from llm_async._core.registry import (
    EmbeddingModelWithAliases,
    ModelWithAliases,
    get_async_model,
    get_async_model_aliases,
    get_async_models,
    get_embedding_model,
    get_embedding_model_aliases,
    get_embedding_models,
    get_embedding_models_with_aliases,
    get_models_with_aliases,
    get_plugins,
    get_tools,
    load_plugins,
    register_model,
    register_plugin,
    remove_alias,
    set_alias,
)
from llm_async._core.registry import (
    add_builtin_plugin as _add_builtin_plugin,
)
from llm_async._core.schemas import parse_structured, schema_dsl
from llm_async._core.tools import (
    ServerSideTool,
    Tool,
    Toolbox,
    ToolCall,
    ToolOutput,
    ToolResult,
)
from llm_async._core.usage import Usage

from ._io.attachment_fetch import afetch_attachment
from ._io.chain import AsyncChainResponse
from ._io.conversation import AsyncConversation
from ._io.model import AsyncKeyModel, AsyncModel
from ._io.response import AsyncResponse

if TYPE_CHECKING:
    from llm_async._builtins.local import register_gguf
    from llm_async._builtins.openai import register_openai_compatible
    from llm_async._core.batch_records import BatchResult
    from llm_async._core.hookspecs import hookimpl
    from llm_async._core.options import Options
    from llm_async._core.scripted_base import ScriptedReply
    from llm_async._http.retry import RetryPolicy

    from ._io.http_model import AsyncHTTPModel
    from ._io.local_model import AsyncLocalModel
    from ._io.scripted import AsyncEchoModel, AsyncScriptedModel
    from ._io.transport import AsyncTransport

__all__ = [
    "DEFAULT_MODEL",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChainResponse",
    "AsyncConversation",
    "AsyncEchoModel",
    "AsyncHTTPModel",
    "AsyncKeyModel",
    "AsyncLocalModel",
    "AsyncModel",
    "AsyncResponse",
    "AsyncScriptedModel",
    "AsyncTransport",
    "Attachment",
    "AttachmentError",
    "AttachmentPart",
    "AuthenticationError",
    "BadRequestError",
    "BatchError",
    "BatchExpiredError",
    "BatchFailedError",
    "BatchResult",
    "BudgetExceededError",
    "CancelToolCall",
    "ChainLimitExceeded",
    "ConfigError",
    "ContextWindowExceededError",
    "EmbeddingModelWithAliases",
    "GGUFConfigWarning",
    "KeysFileWarning",
    "LocalModelError",
    "LocalModelWarning",
    "Message",
    "ModelError",
    "ModelWithAliases",
    "NeedsKeyException",
    "NotFoundError",
    "OpenAIConfigWarning",
    "Options",
    "Part",
    "PauseChain",
    "PermissionDeniedError",
    "PluginWarning",
    "Prompt",
    "RateLimitError",
    "ReasoningPart",
    "ResponseDecodeError",
    "RetryPolicy",
    "SchemaValidationError",
    "ScriptedReply",
    "ServerError",
    "ServerSideTool",
    "StreamEvent",
    "StreamInterruptedError",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolCallPart",
    "ToolOutput",
    "ToolResult",
    "ToolResultPart",
    "Toolbox",
    "UnknownModelError",
    "Usage",
    "afetch_attachment",
    "assistant",
    "get_async_model",
    "get_async_model_aliases",
    "get_async_models",
    "get_default_embedding_model",
    "get_default_model",
    "get_embedding_model",
    "get_embedding_model_aliases",
    "get_embedding_models",
    "get_embedding_models_with_aliases",
    "get_key",
    "get_models_with_aliases",
    "get_plugins",
    "get_tools",
    "hookimpl",
    "load_keys",
    "load_plugins",
    "parse_structured",
    "parts",
    "register_gguf",
    "register_model",
    "register_openai_compatible",
    "register_plugin",
    "remove_alias",
    "schema_dsl",
    "set_alias",
    "set_default_embedding_model",
    "set_default_model",
    "set_key",
    "system",
    "tool_message",
    "user",
    "user_dir",
]

# Names whose modules import pydantic or pluggy load on first use, so that
# importing the package stays cheap.
_LAZY_NAMES = {
    "AsyncEchoModel": "._io.scripted",
    "AsyncHTTPModel": "._io.http_model",
    "AsyncLocalModel": "._io.local_model",
    "AsyncScriptedModel": "._io.scripted",
    "AsyncTransport": "._io.transport",
    "BatchResult": "llm_async._core.batch_records",
    "Options": "llm_async._core.options",
    "RetryPolicy": "llm_async._http.retry",
    "ScriptedReply": "llm_async._core.scripted_base",
    "hookimpl": "llm_async._core.hookspecs",
    "register_gguf": "llm_async._builtins.local",
    "register_openai_compatible": "llm_async._builtins.openai",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY_NAMES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# The built-in models are registered like a plugin's (loaded on first lookup).
_add_builtin_plugin("llm_async.builtin", "llm_async._builtins.plugin")
