"""``llm.utils``' path: ``Fragment``, schema helpers and ``monotonic_ulid``."""

from llm_async._core.fragments import Fragment
from llm_async._core.schemas import multi_schema, schema_dsl
from llm_async._core.ulid import monotonic_ulid

__all__ = ["Fragment", "monotonic_ulid", "multi_schema", "schema_dsl"]
