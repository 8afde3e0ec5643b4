"""Moving finished work from the async API to the blocking one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llm_async._io.conversation import AsyncConversation
    from llm_async._io.response import AsyncResponse
    from llm_sync._io.conversation import Conversation
    from llm_sync._io.response import Response

__all__ = ["sync_twin", "to_sync_conversation", "to_sync_response"]


def sync_twin(model: object) -> Any:
    """The blocking model registered under ``model``'s id, else ``model``."""
    from llm_async._core.errors import UnknownModelError
    from llm_async._core.registry import get_model

    model_id = getattr(model, "model_id", None)
    if not model_id:
        return model
    try:
        return get_model(model_id)
    except UnknownModelError:
        return model


def to_sync_conversation(
    conversation: AsyncConversation | Conversation,
) -> Conversation:
    """A blocking ``Conversation`` with the id, name, tools, limits and hooks of
    ``conversation`` and no responses (``llm``'s ``to_sync_conversation``)."""
    from llm_sync import Conversation

    return Conversation(
        sync_twin(conversation.model),
        conversation.id,
        conversation.name,
        None,
        conversation.tools,
        conversation.chain_limit,
        before_call=conversation.before_call,
        after_call=conversation.after_call,
    )


def to_sync_response(response: AsyncResponse | Response) -> Response:
    """A finished blocking ``Response`` with the state of the finished
    ``response``: prompt, id, events, output, usage, timing and provider JSON."""
    import copy

    from llm_sync import Response

    converted = Response(
        response.prompt,
        sync_twin(response.model),
        response.stream,
        conversation=(
            to_sync_conversation(response.conversation)
            if response.conversation is not None
            else None
        ),
    )
    converted.id = response.id
    converted._state = copy.deepcopy(response._state)
    converted.attachments = list(response.attachments)
    converted.set_usage(
        input=response.input_tokens,
        output=response.output_tokens,
        details=response.token_details,
    )
    converted.response_json = response.response_json
    converted.resolved_model = response.resolved_model
    converted._start = response._start
    converted._end = response._end
    converted._start_utcnow = response._start_utcnow
    converted._done = True
    return converted
