# Generated from src/llm_async/errors.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""``llm.errors``' path: the library's exceptions (``ModelError``,
``NeedsKeyException``, ``ConversationNotSupported`` and the rest of the tree)."""

from llm_async._core.errors import *
from llm_async._core.errors import __all__ as __all__
