# Generated from tests/_async/test_conversations.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Conversations: history is sent on each turn; responses are recorded."""

from __future__ import annotations

import json

import llm_sync as llm
from llm_sync import ScriptedModel


def test_conversation_sends_history() -> None:
    conversation = llm.get_model("echo").conversation()
    first = conversation.prompt("Five fun facts about pelicans", system="Be terse")
    first.text()
    second = conversation.prompt("Now do skunks")
    payload = json.loads(second.text())
    assert payload["previous"] == ["Five fun facts about pelicans"]
    roles = [m.role for m in second.prompt.messages]
    assert roles == ["system", "user", "assistant", "user"]
    assert conversation.responses == [first, second]


def test_unconsumed_response_is_not_recorded() -> None:
    model = ScriptedModel(["a", "b"])
    conversation = model.conversation()
    conversation.prompt("one")
    assert conversation.responses == []


def test_third_turn_carries_full_chain() -> None:
    model = ScriptedModel(["A1", "A2", "A3"])
    conversation = model.conversation()
    for text in ("q1", "q2", "q3"):
        conversation.prompt(text).text()
    last = model.prompts[-1]
    texts = [m.parts[0].text for m in last.messages]
    assert texts == ["q1", "A1", "q2", "A2", "q3"]


def test_conversation_repr_counts_responses() -> None:
    conversation = ScriptedModel(["a"]).conversation()
    conversation.prompt("x").text()
    assert repr(conversation).endswith(" - 1 response>")
