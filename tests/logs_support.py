"""The sans-I/O logs.db helpers, importable from both generated test trees."""

from llm_async._core.logs import connect, message_hash

__all__ = ["connect", "message_hash"]
