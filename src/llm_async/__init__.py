"""llm_async: the Python API of ``llm``, async-first.

``llm_sync`` is generated from this package and offers the same API, blocking.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from llm_async._core.builtin_plugins import add_builtin_plugin as _add_builtin_plugin
from llm_async._core.conversion import set_converters as _set_converters

if TYPE_CHECKING:
    from llm_async._builtins.embeddings import register_gguf_embedding
    from llm_async._builtins.local import register_gguf
    from llm_async._builtins.openai import register_openai_compatible
    from llm_async._core import parts as parts
    from llm_async._core.attachments import Attachment
    from llm_async._core.batch_records import BatchResult
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
    from llm_async._core.embeddings import cosine_similarity, decode, encode
    from llm_async._core.embeddings_db import Entry
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
        CollectionDoesNotExist,
        ConfigError,
        ConfigFileWarning,
        ContextWindowExceededError,
        ConversationNotSupported,
        GGUFConfigWarning,
        KeysFileWarning,
        LocalModelError,
        LocalModelWarning,
        MissingVariables,
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
        SSEDecodeError,
        StreamInterruptedError,
        UnknownModelError,
        UnsupportedHookWarning,
    )
    from llm_async._core.fragments import Fragment
    from llm_async._core.hookspecs import hookimpl
    from llm_async._core.logs import logs_db_path
    from llm_async._core.options import Options
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
        get_async_embedding_model,
        get_async_embedding_model_aliases,
        get_async_embedding_models,
        get_async_model,
        get_async_model_aliases,
        get_async_models,
        get_embedding_models_with_aliases,
        get_fragment_loaders,
        get_models_with_aliases,
        get_plugins,
        get_template_loaders,
        get_tools,
        load_plugins,
        register_embedding_model,
        register_model,
        register_plugin,
        remove_alias,
        set_alias,
    )
    from llm_async._core.schemas import parse_structured, schema_dsl
    from llm_async._core.scripted_base import ScriptedReply
    from llm_async._core.templates import Template
    from llm_async._core.tools import (
        ServerSideTool,
        Tool,
        Toolbox,
        ToolCall,
        ToolOutput,
        ToolResult,
    )
    from llm_async._core.usage import Usage
    from llm_async._http.settings import RetryPolicy
    from llm_async.providers.openai.server_tools import CodeInterpreter, WebSearch

    from ._io.attachment_fetch import afetch_attachment
    from ._io.chain import AsyncChainResponse
    from ._io.collection import AsyncCollection
    from ._io.conversation import AsyncConversation
    from ._io.embedding_model import AsyncEmbeddingModel
    from ._io.http_embedding_model import AsyncHTTPEmbeddingModel
    from ._io.http_model import AsyncHTTPModel
    from ._io.local_embedding_model import AsyncLocalEmbeddingModel
    from ._io.local_model import AsyncLocalModel
    from ._io.model import AsyncKeyModel, AsyncModel
    from ._io.response import AsyncResponse
    from ._io.scripted import AsyncEchoModel, AsyncScriptedModel
    from ._io.transport import AsyncTransport

__all__ = [
    "DEFAULT_MODEL",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChainResponse",
    "AsyncCollection",
    "AsyncConversation",
    "AsyncEchoModel",
    "AsyncEmbeddingModel",
    "AsyncHTTPEmbeddingModel",
    "AsyncHTTPModel",
    "AsyncKeyModel",
    "AsyncLocalEmbeddingModel",
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
    "CodeInterpreter",
    "CollectionDoesNotExist",
    "ConfigError",
    "ConfigFileWarning",
    "ContextWindowExceededError",
    "ConversationNotSupported",
    "EmbeddingModelWithAliases",
    "Entry",
    "Fragment",
    "GGUFConfigWarning",
    "KeysFileWarning",
    "LocalModelError",
    "LocalModelWarning",
    "Message",
    "MissingVariables",
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
    "SSEDecodeError",
    "SchemaValidationError",
    "ScriptedReply",
    "ServerError",
    "ServerSideTool",
    "StreamEvent",
    "StreamInterruptedError",
    "Template",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolCallPart",
    "ToolOutput",
    "ToolResult",
    "ToolResultPart",
    "Toolbox",
    "UnknownModelError",
    "UnsupportedHookWarning",
    "Usage",
    "WebSearch",
    "afetch_attachment",
    "assistant",
    "cosine_similarity",
    "decode",
    "encode",
    "get_async_embedding_model",
    "get_async_embedding_model_aliases",
    "get_async_embedding_models",
    "get_async_model",
    "get_async_model_aliases",
    "get_async_models",
    "get_default_embedding_model",
    "get_default_model",
    "get_embedding_models_with_aliases",
    "get_fragment_loaders",
    "get_key",
    "get_models_with_aliases",
    "get_plugins",
    "get_template_loaders",
    "get_tools",
    "hookimpl",
    "load_keys",
    "load_plugins",
    "logs_db_path",
    "parse_structured",
    "parts",
    "register_embedding_model",
    "register_gguf",
    "register_gguf_embedding",
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

# Every public name loads on first use (the module __getattr__ below), so that
# importing the package loads nothing heavy (no pydantic, pluggy or httpx, not
# even sockets) and the command line's --help costs little more than click.
_LAZY_NAMES = {
    "parts": "llm_async._core.parts",
    "Attachment": "llm_async._core.attachments",
    "DEFAULT_MODEL": "llm_async._core.config",
    "get_default_embedding_model": "llm_async._core.config",
    "get_default_model": "llm_async._core.config",
    "get_key": "llm_async._core.config",
    "load_keys": "llm_async._core.config",
    "set_default_embedding_model": "llm_async._core.config",
    "set_default_model": "llm_async._core.config",
    "set_key": "llm_async._core.config",
    "user_dir": "llm_async._core.config",
    "cosine_similarity": "llm_async._core.embeddings",
    "decode": "llm_async._core.embeddings",
    "encode": "llm_async._core.embeddings",
    "APIConnectionError": "llm_async._core.errors",
    "APIError": "llm_async._core.errors",
    "APIStatusError": "llm_async._core.errors",
    "APITimeoutError": "llm_async._core.errors",
    "AttachmentError": "llm_async._core.errors",
    "AuthenticationError": "llm_async._core.errors",
    "BadRequestError": "llm_async._core.errors",
    "BatchError": "llm_async._core.errors",
    "BatchExpiredError": "llm_async._core.errors",
    "BatchFailedError": "llm_async._core.errors",
    "BudgetExceededError": "llm_async._core.errors",
    "CancelToolCall": "llm_async._core.errors",
    "ChainLimitExceeded": "llm_async._core.errors",
    "CollectionDoesNotExist": "llm_async._core.errors",
    "ConfigError": "llm_async._core.errors",
    "ConfigFileWarning": "llm_async._core.errors",
    "ContextWindowExceededError": "llm_async._core.errors",
    "ConversationNotSupported": "llm_async._core.errors",
    "GGUFConfigWarning": "llm_async._core.errors",
    "KeysFileWarning": "llm_async._core.errors",
    "LocalModelError": "llm_async._core.errors",
    "LocalModelWarning": "llm_async._core.errors",
    "MissingVariables": "llm_async._core.errors",
    "ModelError": "llm_async._core.errors",
    "NeedsKeyException": "llm_async._core.errors",
    "NotFoundError": "llm_async._core.errors",
    "OpenAIConfigWarning": "llm_async._core.errors",
    "PauseChain": "llm_async._core.errors",
    "PermissionDeniedError": "llm_async._core.errors",
    "PluginWarning": "llm_async._core.errors",
    "RateLimitError": "llm_async._core.errors",
    "ResponseDecodeError": "llm_async._core.errors",
    "SchemaValidationError": "llm_async._core.errors",
    "ServerError": "llm_async._core.errors",
    "SSEDecodeError": "llm_async._core.errors",
    "StreamInterruptedError": "llm_async._core.errors",
    "UnknownModelError": "llm_async._core.errors",
    "UnsupportedHookWarning": "llm_async._core.errors",
    "Fragment": "llm_async._core.fragments",
    "AttachmentPart": "llm_async._core.parts",
    "Message": "llm_async._core.parts",
    "Part": "llm_async._core.parts",
    "ReasoningPart": "llm_async._core.parts",
    "StreamEvent": "llm_async._core.parts",
    "TextPart": "llm_async._core.parts",
    "ToolCallPart": "llm_async._core.parts",
    "ToolResultPart": "llm_async._core.parts",
    "assistant": "llm_async._core.parts",
    "system": "llm_async._core.parts",
    "tool_message": "llm_async._core.parts",
    "user": "llm_async._core.parts",
    "Prompt": "llm_async._core.prompt",
    "EmbeddingModelWithAliases": "llm_async._core.registry",
    "ModelWithAliases": "llm_async._core.registry",
    "get_async_embedding_model": "llm_async._core.registry",
    "get_async_embedding_model_aliases": "llm_async._core.registry",
    "get_async_embedding_models": "llm_async._core.registry",
    "get_async_model": "llm_async._core.registry",
    "get_async_model_aliases": "llm_async._core.registry",
    "get_async_models": "llm_async._core.registry",
    "get_embedding_models_with_aliases": "llm_async._core.registry",
    "get_fragment_loaders": "llm_async._core.registry",
    "get_models_with_aliases": "llm_async._core.registry",
    "get_plugins": "llm_async._core.registry",
    "get_template_loaders": "llm_async._core.registry",
    "get_tools": "llm_async._core.registry",
    "load_plugins": "llm_async._core.registry",
    "register_embedding_model": "llm_async._core.registry",
    "register_model": "llm_async._core.registry",
    "register_plugin": "llm_async._core.registry",
    "remove_alias": "llm_async._core.registry",
    "set_alias": "llm_async._core.registry",
    "parse_structured": "llm_async._core.schemas",
    "schema_dsl": "llm_async._core.schemas",
    "ServerSideTool": "llm_async._core.tools",
    "Tool": "llm_async._core.tools",
    "Toolbox": "llm_async._core.tools",
    "ToolCall": "llm_async._core.tools",
    "ToolOutput": "llm_async._core.tools",
    "ToolResult": "llm_async._core.tools",
    "Usage": "llm_async._core.usage",
    "afetch_attachment": "._io.attachment_fetch",
    "AsyncChainResponse": "._io.chain",
    "AsyncConversation": "._io.conversation",
    "AsyncKeyModel": "._io.model",
    "AsyncModel": "._io.model",
    "AsyncResponse": "._io.response",
    "AsyncCollection": "._io.collection",
    "AsyncEchoModel": "._io.scripted",
    "AsyncEmbeddingModel": "._io.embedding_model",
    "AsyncHTTPEmbeddingModel": "._io.http_embedding_model",
    "AsyncHTTPModel": "._io.http_model",
    "AsyncLocalEmbeddingModel": "._io.local_embedding_model",
    "AsyncLocalModel": "._io.local_model",
    "AsyncScriptedModel": "._io.scripted",
    "AsyncTransport": "._io.transport",
    "CodeInterpreter": "llm_async.providers.openai.server_tools",
    "Entry": "llm_async._core.embeddings_db",
    "BatchResult": "llm_async._core.batch_records",
    "Options": "llm_async._core.options",
    "RetryPolicy": "llm_async._http.settings",
    "ScriptedReply": "llm_async._core.scripted_base",
    "WebSearch": "llm_async.providers.openai.server_tools",
    "Template": "llm_async._core.templates",
    "hookimpl": "llm_async._core.hookspecs",
    "logs_db_path": "llm_async._core.logs",
    "register_gguf": "llm_async._builtins.local",
    "register_gguf_embedding": "llm_async._builtins.embeddings",
    "register_openai_compatible": "llm_async._builtins.openai",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY_NAMES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(module_name, __name__)
    # A name for a whole module (parts) is that module.
    value = module if module.__name__.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# The built-in models are registered like a plugin's (loaded on first lookup).
_add_builtin_plugin("llm_async.builtin", "llm_async._builtins.plugin")
_set_converters("llm_async._builtins.facades")
