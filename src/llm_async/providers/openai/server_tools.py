"""OpenAI's hosted tools for Responses API models: web search, code interpreter.

Pass an instance in ``tools=``; OpenAI runs it. Its calls and results arrive as
``server_executed`` tool-call and tool-result parts (and events), never as
tool calls for the chain to run::

    model.prompt("What happened today?", tools=[WebSearch()])
"""

from __future__ import annotations

from typing import Literal

from llm_async._core.tools import ServerSideTool
from llm_async._core.types import JSONObject

__all__ = ["CodeInterpreter", "WebSearch"]


def _add_include(body: JSONObject, value: str) -> None:
    include = body.setdefault("include", [])
    if value not in include:
        include.append(value)


def _domains(name: str, domains: list[str] | None) -> list[str] | None:
    if domains is None:
        return None
    if not isinstance(domains, list):
        raise TypeError(f"{name} must be a list")
    if len(domains) > 100:
        raise ValueError(f"{name} cannot contain more than 100 domains")
    for domain in domains:
        if not isinstance(domain, str) or not domain:
            raise TypeError(f"{name} entries must be non-empty strings")
        if domain.lower().startswith(("http://", "https://")):
            raise ValueError(f"{name} entries must omit the URL scheme")
    return list(domains)


def _one_of(name: str, value: object, allowed: tuple[str, ...], words: str) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{name} must be {words}")


class WebSearch(ServerSideTool):
    """Search the web with OpenAI's hosted search tool.

    ``allowed_domains``/``blocked_domains`` filter the sites (no URL scheme),
    ``user_location`` is an approximate location dict, ``search_context_size``
    is low, medium or high. ``include_sources`` keeps every consulted URL and
    ``include_results`` the raw results in the answer's JSON and tool results.
    """

    name = "web_search"

    def __init__(
        self,
        allowed_domains: list[str] | None = None,
        blocked_domains: list[str] | None = None,
        user_location: JSONObject | None = None,
        search_context_size: Literal["low", "medium", "high"] | None = None,
        external_web_access: bool | None = None,
        return_token_budget: Literal["default", "unlimited"] | None = None,
        search_content_types: list[Literal["text", "image"]] | None = None,
        image_settings: JSONObject | None = None,
        include_sources: bool = False,
        include_results: bool = False,
    ) -> None:
        super().__init__()
        self.allowed_domains = _domains("allowed_domains", allowed_domains)
        self.blocked_domains = _domains("blocked_domains", blocked_domains)
        _one_of(
            "search_context_size",
            search_context_size,
            ("low", "medium", "high"),
            "one of: low, medium or high",
        )
        _one_of(
            "return_token_budget",
            return_token_budget,
            ("default", "unlimited"),
            "default or unlimited",
        )
        if external_web_access is not None and not isinstance(
            external_web_access, bool
        ):
            raise TypeError("external_web_access must be a boolean")
        if search_content_types is not None:
            if not isinstance(search_content_types, list):
                raise TypeError("search_content_types must be a list")
            if set(search_content_types) - {"text", "image"}:
                raise ValueError("search_content_types must contain text and/or image")
        if user_location is not None:
            if not isinstance(user_location, dict):
                raise TypeError("user_location must be a dictionary")
            user_location = {"type": "approximate", **user_location}
            if user_location["type"] != "approximate":
                raise ValueError("user_location type must be approximate")
        if image_settings is not None:
            if not isinstance(image_settings, dict):
                raise TypeError("image_settings must be a dictionary")
            max_results = image_settings.get("max_results")
            if max_results is not None and (
                isinstance(max_results, bool)
                or not isinstance(max_results, int)
                or max_results < 1
            ):
                raise ValueError(
                    "image_settings max_results must be a positive integer"
                )
            caption = image_settings.get("caption")
            if caption is not None and not isinstance(caption, bool):
                raise TypeError("image_settings caption must be a boolean")
            image_settings = dict(image_settings)
        for flag, value in (
            ("include_sources", include_sources),
            ("include_results", include_results),
        ):
            if not isinstance(value, bool):
                raise TypeError(f"{flag} must be a boolean")
        self.user_location = user_location
        self.search_context_size = search_context_size
        self.external_web_access = external_web_access
        self.return_token_budget = return_token_budget
        self.search_content_types = (
            list(search_content_types) if search_content_types is not None else None
        )
        self.image_settings = image_settings
        self.include_sources = include_sources
        self.include_results = include_results

    def tool_spec(self, model: object) -> JSONObject:
        """``{"type": "web_search", "filters"?, ...}`` with the settings given."""
        spec: JSONObject = {"type": "web_search"}
        filters = {
            key: list(value)
            for key, value in (
                ("allowed_domains", self.allowed_domains),
                ("blocked_domains", self.blocked_domains),
            )
            if value is not None
        }
        if filters:
            spec["filters"] = filters
        for key in (
            "user_location",
            "search_context_size",
            "external_web_access",
            "return_token_budget",
            "search_content_types",
            "image_settings",
        ):
            value = getattr(self, key)
            if value is not None:
                spec[key] = value.copy() if isinstance(value, (dict, list)) else value
        return spec

    def prepare_request(self, model: object, kwargs: JSONObject) -> None:
        """Ask for the sources and/or raw results when wanted."""
        if self.include_sources:
            _add_include(kwargs, "web_search_call.action.sources")
        if self.include_results:
            _add_include(kwargs, "web_search_call.results")


class CodeInterpreter(ServerSideTool):
    """Run Python in an OpenAI-managed container.

    Without ``container`` OpenAI makes (or reuses) an automatic one, sized by
    ``memory_limit`` (1g, 4g, 16g or 64g) with ``file_ids`` in it; or pass an
    existing container id (``cntr_...``). The code and its logs come back as
    the tool call's arguments and result.
    """

    name = "code_interpreter"

    def __init__(
        self,
        container: str | None = None,
        memory_limit: Literal["1g", "4g", "16g", "64g"] | None = None,
        file_ids: list[str] | None = None,
    ) -> None:
        super().__init__()
        if container is not None and not isinstance(container, str):
            raise TypeError("container must be a string container ID")
        _one_of(
            "memory_limit",
            memory_limit,
            ("1g", "4g", "16g", "64g"),
            "one of: 1g, 4g, 16g or 64g",
        )
        if container is not None and (memory_limit is not None or file_ids is not None):
            raise ValueError(
                "container cannot be combined with memory_limit or file_ids"
            )
        self.container = container
        self.memory_limit = memory_limit
        self.file_ids = list(file_ids) if file_ids is not None else None

    def tool_spec(self, model: object) -> JSONObject:
        """The ``code_interpreter`` spec: the container id, or an automatic one."""
        if self.container is not None:
            return {"type": "code_interpreter", "container": self.container}
        container: JSONObject = {"type": "auto"}
        if self.memory_limit is not None:
            container["memory_limit"] = self.memory_limit
        if self.file_ids is not None:
            container["file_ids"] = list(self.file_ids)
        return {"type": "code_interpreter", "container": container}

    def prepare_request(self, model: object, kwargs: JSONObject) -> None:
        """Ask for the code's outputs (logs, files) in the answer."""
        _add_include(kwargs, "code_interpreter_call.outputs")
