"""Deprecated: the provider contract moved to ``llm_async.providers``."""
