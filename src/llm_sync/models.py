# Generated from src/llm_async/models.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
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
from llm_async.models import (
    AsyncChainResponse,
    AsyncConversation,
    AsyncKeyModel,
    AsyncModel,
    AsyncResponse,
)

from ._io.chain import ChainResponse
from ._io.conversation import Conversation
from ._io.model import KeyModel, Model
from ._io.response import Response

__all__ = [
    "AsyncChainResponse",
    "AsyncConversation",
    "AsyncKeyModel",
    "AsyncModel",
    "AsyncResponse",
    "Attachment",
    "CancelToolCall",
    "ChainResponse",
    "Conversation",
    "EmbeddingModelWithAliases",
    "KeyModel",
    "Model",
    "ModelWithAliases",
    "Options",
    "PauseChain",
    "Prompt",
    "Response",
    "ServerSideTool",
    "Tool",
    "ToolCall",
    "ToolOutput",
    "ToolResult",
    "Toolbox",
    "Usage",
]
