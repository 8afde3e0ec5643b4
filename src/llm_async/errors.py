"""``llm.errors``' path: the library's exceptions (``ModelError``,
``NeedsKeyException``, ``ConversationNotSupported`` and the rest of the tree)."""

from llm_async._core.errors import *  # noqa: F403
from llm_async._core.errors import __all__ as __all__
