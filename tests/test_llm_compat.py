"""Code written for llm runs unchanged on either facade (``import X as llm``)."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import pytest

from llm_async._core import registry as _registry

FACADES = ["llm_sync", "llm_async"]


@pytest.mark.parametrize("facade", FACADES)
def test_llm_module_paths_exist(facade: str) -> None:
    models = importlib.import_module(f"{facade}.models")
    utils = importlib.import_module(f"{facade}.utils")
    errors = importlib.import_module(f"{facade}.errors")
    hookspecs = importlib.import_module(f"{facade}.hookspecs")
    assert models.AsyncResponse.__name__ == "AsyncResponse"
    assert errors.NeedsKeyException.__mro__[1] is errors.ModelError
    assert issubclass(errors.ConversationNotSupported, ValueError)
    assert utils.multi_schema({"type": "object"})["required"] == ["items"]
    assert utils.Fragment("x", "src").source == "src"
    assert hookspecs.hookimpl.project_name == "llm"


def test_sync_models_module_has_both_facades() -> None:
    from llm_sync.models import (
        AsyncConversation,
        ChainResponse,
        Conversation,
        KeyModel,
        Model,
        Response,
    )

    assert Response.__module__ == "llm_sync._io.response"
    assert Conversation.__name__ == "Conversation"
    assert {ChainResponse.__name__, KeyModel.__name__, Model.__name__} == {
        "ChainResponse",
        "KeyModel",
        "Model",
    }
    assert AsyncConversation.__module__ == "llm_async._io.conversation"


def test_llm_style_snippets_blocking() -> None:
    import llm_sync as llm
    from llm_sync.models import Conversation, Response

    model = llm.get_model("echo")
    conversation = Conversation(model, "01abc", "named")
    assert (conversation.id, conversation.name) == ("01abc", "named")
    first = conversation.prompt("one")
    first.text()
    carried = Conversation(model, responses=[first])
    second = carried.prompt("two").text()
    assert '"previous": [\n    "one"\n  ]' in second
    fake = Response.fake(model, "q", system="s", response="canned")
    assert fake.text() == "canned"
    assert model.supports_conversation is True
    assert set(llm.get_tools()) >= {"llm_version", "llm_time"}
    assert llm.get_tools()["llm_time"].implementation()["utc_time"].endswith("UTC")
    assert isinstance(llm.Template(name="t", prompt="Hi $input").evaluate("x"), tuple)


async def test_llm_style_snippets_async() -> None:
    import llm_async as llm
    from llm_async.models import AsyncConversation, AsyncResponse

    model = llm.get_async_model("echo")
    conversation = AsyncConversation(model, "01xyz")
    response = conversation.prompt("hello")
    synced = await response.to_sync_response()
    assert synced.text() == await response.text()
    assert type(synced).__name__ == "Response"
    assert synced.id == response.id
    sync_conversation = conversation.to_sync_conversation()
    assert type(sync_conversation).__name__ == "Conversation"
    assert (sync_conversation.id, sync_conversation.responses) == ("01xyz", [])
    fake = AsyncResponse.fake(model, "q", system="s", response="canned")
    assert await fake.text() == "canned"


def test_single_turn_model_refuses_history() -> None:
    import llm_sync as llm

    class OneShot(llm.EchoModel):
        model_id = "one-shot"
        supports_conversation = False

    model = OneShot()
    model.prompt("fine").text()
    conversation = model.conversation()
    conversation.prompt("first").text()
    with pytest.raises(llm.ConversationNotSupported, match="does not support"):
        conversation.prompt("second")


def test_template_and_fragment_loaders_and_unsupported_hook_warning() -> None:
    import llm_sync as llm

    class Plugin:
        @llm.hookimpl
        def register_template_loaders(self, register: Any) -> None:
            register("demo", lambda key: llm.Template(name=key, prompt="$input!"))

        @llm.hookimpl
        def register_fragment_loaders(self, register: Any) -> None:
            register("demo", lambda key: llm.Fragment(key * 2, source="demo"))

        @llm.hookimpl
        def register_commands(self, cli: Any) -> None:
            raise AssertionError("never called")

    try:
        with pytest.warns(llm.UnsupportedHookWarning, match="register_commands"):
            llm.register_plugin(Plugin(), name="demo-plugin")
        template = llm.get_template_loaders()["demo"]("greet")
        assert template.evaluate("hi") == ("hi!", None)
        assert llm.get_fragment_loaders()["demo"]("ab") == "abab"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            llm.register_plugin(type("Other", (), {})(), name="other")
    finally:
        _registry._reset()
