"""The one exception tree of the library.

::

    Exception
    ├── ModelError                       anything that went wrong running a model
    │   ├── NeedsKeyException            no API key could be found
    │   ├── ConfigError (+ValueError)    a config file in the user directory is unusable
    │   ├── APIError                     the provider answered, or the transport failed
    │   │   ├── APIStatusError           an HTTP error status (status_code, request_id)
    │   │   │   ├── BadRequestError          400, 413, 422
    │   │   │   │   └── ContextWindowExceededError
    │   │   │   ├── AuthenticationError      401
    │   │   │   ├── PermissionDeniedError    403
    │   │   │   ├── NotFoundError            404
    │   │   │   ├── RateLimitError           429 (retry_after)
    │   │   │   └── ServerError              5xx, 529
    │   │   ├── APITimeoutError          connect, idle-read or total deadline exceeded
    │   │   ├── APIConnectionError       the connection could not be made or was lost
    │   │   ├── ResponseDecodeError      the server's bytes could not be understood
    │   │   │   └── SSEDecodeError (+ValueError)  the event stream is malformed
    │   │   └── StreamInterruptedError   a stream failed after text reached the caller
    │   ├── AttachmentError (+ValueError)     an attachment could not be read or fetched
    │   ├── LocalModelError              a local model could not load or run
    │   ├── ChainLimitExceeded (+ValueError)  a tool chain ran more rounds than allowed
    │   └── SchemaValidationError (+ValueError)  structured output did not validate
    ├── ConversationNotSupported (ValueError)  a single-turn model got history
    │   ├── SchemaValidationError (+ValueError)  structured output did not validate
    │   ├── BatchError                   a provider batch job could not finish
    │   │   ├── BatchExpiredError        it expired before every request ran
    │   │   └── BatchFailedError         the provider failed or cancelled it
    │   └── BudgetExceededError          a batch's request or token budget ran out
    ├── UnknownModelError (KeyError)     no model with that id or alias
    ├── MissingVariables                 a template lacked a variable's value
    ├── CollectionDoesNotExist (LookupError)  no such collection, or no such id in it
    ├── CancelToolCall                   control flow: before_call skips a call
    └── PauseChain                       control flow: raised in a tool to pause a chain

    UserWarning
    ├── PluginWarning                    a plugin could not be loaded; it was skipped
    │   └── UnsupportedHookWarning       a plugin implements a hook we never call
    ├── KeysFileWarning                  keys.json is readable by other users
    ├── ConfigFileWarning                an unreadable config file was moved aside
    ├── OpenAIConfigWarning              an extra-openai-models.yaml entry was skipped
    ├── GGUFConfigWarning                a gguf-models.yaml entry was skipped
    └── LocalModelWarning                llama.cpp was built in a way known to crash

HTTP errors are mapped onto this tree at the transport boundary; the original
exception is kept as ``__cause__``. No message ever contains an API key. Every
``ModelError`` pickles with its attributes (batch results cross processes).
"""

from __future__ import annotations

from typing import Any

from llm_async._core.types import JSONObject, JSONValue

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AttachmentError",
    "AuthenticationError",
    "BadRequestError",
    "BatchError",
    "BatchExpiredError",
    "BatchFailedError",
    "BudgetExceededError",
    "CancelToolCall",
    "ChainLimitExceeded",
    "CollectionDoesNotExist",
    "ConfigError",
    "ConfigFileWarning",
    "ContextWindowExceededError",
    "ConversationNotSupported",
    "GGUFConfigWarning",
    "KeysFileWarning",
    "LocalModelError",
    "LocalModelWarning",
    "MissingVariables",
    "ModelError",
    "NeedsKeyException",
    "NotFoundError",
    "OpenAIConfigWarning",
    "PauseChain",
    "PermissionDeniedError",
    "PluginWarning",
    "RateLimitError",
    "ResponseDecodeError",
    "SSEDecodeError",
    "SchemaValidationError",
    "ServerError",
    "StreamInterruptedError",
    "UnknownModelError",
    "UnsupportedHookWarning",
]


class ModelError(Exception):
    """Base class for errors raised while running a model."""

    def __reduce__(self) -> tuple[object, ...]:
        # Subclasses take keyword-only arguments, which the default pickling
        # (``cls(*args)``) would drop or miss: restore args and attributes.
        return (_restore_error, (type(self), self.args, dict(self.__dict__)))


def _restore_error(
    cls: type[BaseException], args: tuple[object, ...], state: JSONObject
) -> BaseException:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class NeedsKeyException(ModelError):
    """No API key was found for a model that needs one."""


class ConfigError(ModelError, ValueError):
    """A configuration file in the user directory could not be used."""


class ConversationNotSupported(ValueError):
    """A model with ``supports_conversation = False`` was given assistant or
    tool messages (a conversation, ``reply()`` or ``messages=``)."""


class UnknownModelError(KeyError):
    """No registered model matches the requested id or alias.

    A ``KeyError``, so ``str(exc)`` is quoted; ``exc.args[0]`` is the message.
    """


class CollectionDoesNotExist(LookupError):
    """No embedding collection by that name, or no stored item with that id.

    Also reachable as ``Collection.DoesNotExist`` (as in ``llm``).
    """


class APIError(ModelError):
    """A request to a model provider failed.

    ``status_code`` and ``request_id`` are ``None`` when no HTTP response arrived.
    ``code`` is the provider's error code (``"context_length_exceeded"``), if any.
    """

    code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        body: JSONValue = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        parts = [self.message]
        if self.status_code is not None:
            parts.append(f"(status {self.status_code})")
        if self.request_id:
            parts.append(f"[request id {self.request_id}]")
        return " ".join(parts)


class APIStatusError(APIError):
    """The provider answered with an HTTP error status.

    ``retry_after`` is the wait in seconds the server asked for, if it named one.
    """

    retry_after: float | None = None


class BadRequestError(APIStatusError):
    """The provider rejected the request as invalid (400, 413, 422)."""


class ContextWindowExceededError(BadRequestError):
    """The prompt and history are longer than the model's context window."""


class AuthenticationError(APIStatusError):
    """The API key was missing, invalid or revoked (401)."""


class PermissionDeniedError(APIStatusError):
    """The key is valid but may not use this resource (403)."""


class NotFoundError(APIStatusError):
    """The model or endpoint does not exist (404)."""


class RateLimitError(APIStatusError):
    """Too many requests (429); ``retry_after`` is the server's wait in seconds."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 429,
        request_id: str | None = None,
        body: JSONValue = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, request_id=request_id, body=body
        )
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """The provider failed (5xx, or Anthropic's 529 overloaded)."""


class APITimeoutError(APIError):
    """Connecting, waiting for the next chunk, or the total deadline timed out."""


class APIConnectionError(APIError):
    """The connection could not be established or was lost."""


class ResponseDecodeError(APIError):
    """The provider sent bytes that could not be decoded."""


class SSEDecodeError(ResponseDecodeError, ValueError):
    """The event stream could not be decoded (for instance, a line is too long)."""


class StreamInterruptedError(APIError):
    """A streamed response failed after some of it had reached the caller.

    It is never retried, since that would repeat text; ``partial_text`` holds what
    was received before the failure.
    """

    def __init__(
        self,
        message: str,
        *,
        partial_text: str = "",
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id)
        self.partial_text = partial_text


class ChainLimitExceeded(ModelError, ValueError):
    """A tool chain needed more model calls than its ``chain_limit`` allows."""


class SchemaValidationError(ModelError, ValueError):
    """A structured-output response did not match its schema (raw text: ``text``)."""

    def __init__(self, message: str, *, text: str) -> None:
        super().__init__(message)
        self.text = text


class MissingVariables(Exception):
    """A template's ``evaluate()`` or ``interpolate()`` lacked a variable's value.

    Also ``Template.MissingVariables``, as in ``llm``.
    """


class BatchError(ModelError):
    """A provider batch job (OpenAI's or Anthropic's batch API) did not finish.

    ``batch_id`` is the provider's id of the job and ``status`` its last status.
    """

    def __init__(
        self, message: str, *, batch_id: str | None = None, status: str | None = None
    ) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.status = status


class BatchExpiredError(BatchError):
    """The batch job expired (its completion window passed) before it finished."""


class BatchFailedError(BatchError):
    """The provider failed, rejected or cancelled the batch job."""


class BudgetExceededError(ModelError):
    """A batch's request or token budget was used up before this item was sent."""


class CancelToolCall(Exception):
    """Raise in a ``before_call`` hook to skip a tool call; the model is told why."""


class PauseChain(Exception):
    """Raise in a tool to pause a chain; ``tool_call`` and ``tool_results`` are set."""

    tool_call: Any = None
    tool_results: list[Any]

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.tool_results = []


class LocalModelWarning(UserWarning):
    """The installed llama.cpp was built in a way known to crash on some hosts."""


class AttachmentError(ModelError, ValueError):
    """An attachment could not be read, typed or downloaded."""


class LocalModelError(ModelError):
    """A local model could not run: a missing package, file or a load failure."""


# Warnings ---------------------------------------------------------------------


class PluginWarning(UserWarning):
    """A plugin could not be loaded or failed to register; it was skipped."""


class KeysFileWarning(UserWarning):
    """``keys.json`` can be read or written by other users (mode wider than 0600)."""


class ConfigFileWarning(UserWarning):
    """An unreadable config file (``aliases.json``) was moved aside and restarted.

    The message names the file and where its old contents were kept.
    """


class OpenAIConfigWarning(UserWarning):
    """``extra-openai-models.yaml`` (or one of its entries) could not be used."""


class GGUFConfigWarning(UserWarning):
    """An entry of ``gguf-models.yaml`` (or the whole file) was unusable."""


class UnsupportedHookWarning(PluginWarning):
    """A plugin implements an ``llm`` hook this library never calls (named in
    the message); the rest of the plugin works. Warned once per plugin and hook."""
