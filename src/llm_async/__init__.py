"""llm_async: the Python API of ``llm``, async-first.

``llm_sync`` is generated from this package and offers the same API, blocking.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from llm_async import _parts as parts
from llm_async._attachments import Attachment, AttachmentError
from llm_async._config import (
    DEFAULT_MODEL,
    KeysFileWarning,
    get_default_embedding_model,
    get_default_model,
    get_key,
    load_keys,
    set_default_embedding_model,
    set_default_model,
    set_key,
    user_dir,
)
from llm_async._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CancelToolCall,
    ChainLimitExceeded,
    ConfigError,
    ContextWindowExceededError,
    LocalModelWarning,
    ModelError,
    NeedsKeyException,
    NotFoundError,
    PauseChain,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    SchemaValidationError,
    ServerError,
    StreamInterruptedError,
    UnknownModelError,
)
from llm_async._parts import (
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
from llm_async._prompt import Prompt
from llm_async._registry import (
    EmbeddingModelWithAliases,
    ModelWithAliases,
    PluginWarning,
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
from llm_async._schemas import parse_structured, schema_dsl
from llm_async._tools import (
    ServerSideTool,
    Tool,
    Toolbox,
    ToolCall,
    ToolOutput,
    ToolResult,
)
from llm_async._usage import Usage

from ._attachment_fetch import afetch_attachment
from ._chain import AsyncChainResponse
from ._conversation import AsyncConversation
from ._model import AsyncKeyModel, AsyncModel
from ._response import AsyncResponse

if TYPE_CHECKING:
    from llm_async._hookspecs import hookimpl
    from llm_async._http_support import RetryPolicy
    from llm_async._local import LocalModelError
    from llm_async._local_config import register_gguf
    from llm_async._openai_models import register_openai_compatible
    from llm_async._options import Options
    from llm_async._scripted_support import ScriptedReply

    from ._http_model import AsyncHTTPModel
    from ._local_model import AsyncLocalModel
    from ._scripted import AsyncEchoModel, AsyncScriptedModel
    from ._transport import AsyncTransport

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
    "CancelToolCall",
    "ChainLimitExceeded",
    "ConfigError",
    "ContextWindowExceededError",
    "EmbeddingModelWithAliases",
    "KeysFileWarning",
    "LocalModelError",
    "LocalModelWarning",
    "Message",
    "ModelError",
    "ModelWithAliases",
    "NeedsKeyException",
    "NotFoundError",
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
    "AsyncEchoModel": "._scripted",
    "AsyncHTTPModel": "._http_model",
    "AsyncLocalModel": "._local_model",
    "LocalModelError": "llm_async._local",
    "AsyncScriptedModel": "._scripted",
    "AsyncTransport": "._transport",
    "Options": "llm_async._options",
    "RetryPolicy": "llm_async._http_support",
    "ScriptedReply": "llm_async._scripted_support",
    "hookimpl": "llm_async._hookspecs",
    "register_gguf": "llm_async._local_config",
    "register_openai_compatible": "llm_async._openai_models",
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
