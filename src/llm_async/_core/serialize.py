"""``Response.to_dict()`` / ``from_dict()``: the JSON wire format (sans-I/O).

Shape (keys marked ``?`` only when set)::

    {
      "model": "<model id>",
      "prompt": {"messages": [MessageDict...], "options"?: {...}, "system"?: "..."},
      "messages": [MessageDict...],          # the assistant output
      "id"?: "<response id>",
      "usage"?: {"input"?: n, "output"?: n, "details"?: {...}},
      "datetime_utc"?: "<ISO start time>",
      "resolved_model"?: "<model the provider reported>"
    }

``prompt.messages`` is the whole input chain, so a rehydrated response can
``reply()`` with the full history. Tools, schema, fragments (already folded into
the messages), ``stream``, the key and the conversation are not stored.
``resolved_model`` and the restored ``datetime_utc`` go beyond upstream ``llm``,
which neither reads them back nor writes ``resolved_model``.

``conversation.to_dict()`` (not in upstream ``llm``) wraps its finished turns::

    {
      "id": "<conversation id>",
      "name"?: "...",
      "model": "<model id>",
      "responses": [ResponseDict...],        # each with the same "model"
      "chain_limit": n | null
    }

Tools and hooks are code: ``from_dict()`` takes them again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, TypeVar

from llm_async._core.chain_base import DEFAULT_CHAIN_LIMIT, check_chain_limit
from llm_async._core.parts import Message
from llm_async._core.prompt import Prompt
from llm_async._core.protocols import NamedModel
from llm_async._core.types import JSONMapping, JSONObject, JSONValue

if TYPE_CHECKING:
    import pydantic
    from typing_extensions import NotRequired

    from llm_async._core.response_base import ResponseBase

__all__ = [
    "AttachmentDict",
    "ConversationDict",
    "MessageDict",
    "PromptDict",
    "ResponseDict",
    "UsageDict",
    "conversation_from_dict",
    "conversation_to_dict",
    "options_dict",
    "response_from_dict",
    "response_to_dict",
]

R = TypeVar("R", bound="ResponseBase")
C = TypeVar("C")
T = TypeVar("T")


class AttachmentDict(TypedDict, total=False):
    """An attachment: ``content`` is base64."""

    type: str
    path: str
    url: str
    content: str


class MessageDict(TypedDict):
    """A message: role, parts (each a dict with ``type``), provider metadata."""

    role: str
    parts: list[JSONObject]
    provider_metadata: NotRequired[JSONObject]


class PromptDict(TypedDict):
    """The input of a response: the message chain, options and raw system."""

    messages: list[MessageDict]
    options: NotRequired[JSONObject]
    system: NotRequired[str]


class UsageDict(TypedDict, total=False):
    """Token usage."""

    input: int
    output: int
    details: JSONObject


class ResponseDict(TypedDict):
    """A whole response, as written by ``to_dict()``."""

    model: str
    prompt: PromptDict
    messages: list[MessageDict]
    id: NotRequired[str]
    usage: NotRequired[UsageDict]
    datetime_utc: NotRequired[str]
    resolved_model: NotRequired[str]


class ConversationDict(TypedDict):
    """A conversation's finished turns and settings, as written by ``to_dict()``."""

    id: str
    model: str
    responses: list[ResponseDict]
    chain_limit: int | None
    name: NotRequired[str]


def options_dict(options: JSONMapping | pydantic.BaseModel) -> JSONObject:
    """A prompt's options as JSON-ready values, ``None`` values left out."""
    if isinstance(options, Mapping):
        return {k: v for k, v in options.items() if v is not None}
    dumped: JSONObject = options.model_dump(mode="json", exclude_none=True)
    return dumped


def response_to_dict(response: ResponseBase) -> ResponseDict:
    """The ``ResponseDict`` of a finished response."""
    prompt = response.prompt
    prompt_dict: PromptDict = {
        "messages": [m.to_dict() for m in prompt.messages]  # type: ignore[misc]
    }
    options = options_dict(prompt.options)
    if options:
        prompt_dict["options"] = options
    if prompt._system:
        prompt_dict["system"] = prompt._system
    out: ResponseDict = {
        "model": response.model.model_id,
        "prompt": prompt_dict,
        "messages": [m.to_dict() for m in response._state.messages()],  # type: ignore[misc]
        "id": response.id,
    }
    if response._done and (
        response.input_tokens is not None or response.output_tokens is not None
    ):
        usage: UsageDict = {}
        if response.input_tokens is not None:
            usage["input"] = response.input_tokens
        if response.output_tokens is not None:
            usage["output"] = response.output_tokens
        if response.token_details is not None:
            usage["details"] = response.token_details
        out["usage"] = usage
    if response._done and response._start_utcnow is not None:
        out["datetime_utc"] = response._start_utcnow.isoformat()
    if response.resolved_model:
        out["resolved_model"] = response.resolved_model
    return out


def _require(
    data: JSONMapping, key: str, kind: type[T], where: str, what: str = "response"
) -> T:
    value = data.get(key)
    if not isinstance(value, kind):
        raise ValueError(
            f"Invalid {what} dict: {where}{key!r} must be a {kind.__name__}"
        )
    return value


def _optional(
    data: JSONMapping, key: str, kind: type, what: str = "response"
) -> JSONValue:
    value = data.get(key)
    if value is not None and (
        not isinstance(value, kind) or (kind is int and isinstance(value, bool))
    ):
        raise ValueError(f"Invalid {what} dict: {key!r} must be a {kind.__name__}")
    return value


def response_from_dict(
    cls: type[R],
    data: JSONMapping,
    *,
    model: Any = None,
    lookup: Callable[[str], object],
) -> R:
    """A finished response of class ``cls`` rebuilt from ``data``.

    The model is ``model`` if given, else ``lookup(data["model"])`` (which raises
    ``UnknownModelError`` for an unknown id). Malformed data raises
    ``ValueError``.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"A response dict must be a dict, not {type(data).__name__}")
    model_id = _require(data, "model", str, "")
    prompt_data = _require(data, "prompt", dict, "")
    input_messages = _require(prompt_data, "messages", list, "prompt.")
    output_messages = _require(data, "messages", list, "")
    options = _optional(prompt_data, "options", dict) or {}
    system = _optional(prompt_data, "system", str)
    response_id = _optional(data, "id", str)
    usage = _optional(data, "usage", dict)
    started = _optional(data, "datetime_utc", str)
    resolved = _optional(data, "resolved_model", str)
    if model is None:
        model = lookup(model_id)
    prompt = Prompt(
        None,
        model,
        messages=[Message.from_dict(m) for m in input_messages],
        system=system,
        options=model.Options(**options),
    )
    response = cls(prompt, model, True)
    if response_id is not None:
        response.id = response_id
    response._state.restore([Message.from_dict(m) for m in output_messages])
    if usage:
        response.set_usage(
            input=_optional(usage, "input", int),
            output=_optional(usage, "output", int),
            details=_optional(usage, "details", dict),
        )
    if started:
        try:
            response._start_utcnow = datetime.datetime.fromisoformat(started)
        except ValueError:
            raise ValueError(
                f"Invalid response dict: 'datetime_utc' is not an ISO date: {started!r}"
            ) from None
    if resolved:
        response.set_resolved_model(resolved)
    response._done = True
    return response


class _SavedResponse(Protocol):
    def to_dict(self) -> ResponseDict: ...


class _SavedConversation(Protocol):
    """What ``conversation_to_dict`` reads from a conversation of either facade."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def model(self) -> NamedModel: ...
    @property
    def chain_limit(self) -> int | None: ...
    @property
    def responses(self) -> Sequence[_SavedResponse]: ...


def conversation_to_dict(conversation: _SavedConversation) -> ConversationDict:
    """The ``ConversationDict`` of ``conversation``'s recorded (finished) turns."""
    out: ConversationDict = {
        "id": conversation.id,
        "model": conversation.model.model_id,
        "responses": [response.to_dict() for response in conversation.responses],
        "chain_limit": conversation.chain_limit,
    }
    if conversation.name is not None:
        out["name"] = conversation.name
    return out


def conversation_from_dict(
    cls: Callable[..., C],
    response_cls: type[ResponseBase],
    data: JSONMapping,
    *,
    model: object = None,
    lookup: Callable[[str], object],
    **settings: object,
) -> C:
    """A conversation ``cls(model, ..., **settings)`` rebuilt from ``data``.

    Everything is checked, and the model found (``model``, else
    ``lookup(data["model"])``), before anything is built; each response is
    rebuilt with ``response_cls.from_dict`` rules and belongs to the new
    conversation. Malformed data raises ``ValueError`` naming the bad field.
    """
    what = "conversation"
    if not isinstance(data, Mapping):
        raise ValueError(
            f"A conversation dict must be a dict, not {type(data).__name__}"
        )
    conversation_id = _require(data, "id", str, "", what)
    if not conversation_id:
        raise ValueError("Invalid conversation dict: 'id' must not be empty")
    name = _optional(data, "name", str, what)
    model_id = _require(data, "model", str, "", what)
    items = _require(data, "responses", list, "", what)
    try:
        chain_limit = check_chain_limit(data.get("chain_limit", DEFAULT_CHAIN_LIMIT))
    except ValueError as exc:
        raise ValueError(f"Invalid conversation dict: {exc}") from None
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ValueError(
                f"Invalid conversation dict: responses[{index}] must be a dict, "
                f"not {type(item).__name__}"
            )
        if item.get("model") != model_id:
            raise ValueError(
                f"Invalid conversation dict: responses[{index}]['model'] is "
                f"{item.get('model')!r}, not the conversation's {model_id!r}"
            )
    if model is None:
        model = lookup(model_id)
    responses = []
    for index, item in enumerate(items):
        try:
            responses.append(
                response_from_dict(response_cls, item, model=model, lookup=lookup)
            )
        except ValueError as exc:
            raise ValueError(
                f"Invalid conversation dict: responses[{index}]: {exc}"
            ) from exc
    conversation: Any = cls(
        model, id=conversation_id, name=name, chain_limit=chain_limit, **settings
    )
    for response in responses:
        response.conversation = conversation
        response.before_call = conversation.before_call
        response.after_call = conversation.after_call
    conversation.responses = responses
    return conversation  # type: ignore[no-any-return]
