"""``llm.models``' path: the model, response and conversation classes and the
types they use. ``llm_sync.models`` has the blocking classes as well."""

from llm_async._core.attachments import Attachment
from llm_async._core.errors import CancelToolCall, PauseChain
from llm_async._core.options import Options
from llm_async._core.prompt import Prompt
from llm_async._core.registry import EmbeddingModelWithAliases, ModelWithAliases
from llm_async._core.tools import (
    ServerSideTool,
    Tool,
    Toolbox,
    ToolCall,
    ToolOutput,
    ToolResult,
)
from llm_async._core.usage import Usage

from ._io.chain import AsyncChainResponse
from ._io.conversation import AsyncConversation
from ._io.model import AsyncKeyModel, AsyncModel
from ._io.response import AsyncResponse

__all__ = [
    "AsyncChainResponse",
    "AsyncConversation",
    "AsyncKeyModel",
    "AsyncModel",
    "AsyncResponse",
    "Attachment",
    "CancelToolCall",
    "EmbeddingModelWithAliases",
    "ModelWithAliases",
    "Options",
    "PauseChain",
    "Prompt",
    "ServerSideTool",
    "Tool",
    "ToolCall",
    "ToolOutput",
    "ToolResult",
    "Toolbox",
    "Usage",
]
