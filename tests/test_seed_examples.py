"""Every example in the seed documentation runs with ``import llm_sync as llm``.

The fenced examples of seeds 000 and 001 are read from the seed files and run
in order in one namespace (later examples use earlier ones' variables), with
the single change a user makes: ``import llm`` becomes ``import llm_sync as
llm``. Seed 004 is flat text, so its examples are copied below verbatim.
Examples with top-level ``await`` run on an event loop, as in a notebook.

OpenAI is replaced by the synthetic server in ``tests.synthetic_openai_server``: every
request goes through the real provider, transport, response and tool chain.
"""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import llm_sync
from tests.provider_cases import ANTHROPIC
from tests.synthetic_openai_server import CHAT_URL, synthetic_openai

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed(name: str) -> Path:
    """A seed document; skips when the seeds are not beside the checkout.

    The seeds are the reference documentation of ``llm`` that this project
    follows; they are not part of the repository (CI has them at
    ``../shared/seeds``).
    """
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed document {path} not found (not part of the repository)")
    return path


PELICANS_URL = "https://static.simonwillison.net/static/2024/pelicans.jpg"
# Enough of a JPEG for type sniffing.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(
    64
)

# Examples that document an error: a substring of the example → the exception.
EXPECTED_ERRORS: dict[str, type[BaseException]] = {
    'get_model("palm")': llm_sync.UnknownModelError,
    'remove_alias("turbo")': KeyError,
}


def fenced_python(seed: Path) -> list[str]:
    """The ```python blocks of a seed file, in order."""
    return re.findall(r"```python\n(.*?)```", seed.read_text("utf-8"), re.DOTALL)


def as_llm_sync(source: str) -> str:
    """The user's one change: ``import llm`` → ``import llm_sync as llm``."""
    return re.sub(
        r"^(\s*import (?:\w+, )*)llm$", r"\1llm_sync as llm", source, flags=re.M
    )


def run_example(source: str, namespace: dict[str, Any]) -> None:
    """Run one example; top-level ``await`` runs on a fresh event loop."""
    code = compile(
        as_llm_sync(source),
        "<seed example>",
        "exec",
        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
    )
    expected = next(
        (error for text, error in EXPECTED_ERRORS.items() if text in source), None
    )
    if "for model in llm.get_" in source:
        # A listing loop: its ``model`` variable is not the model the examples
        # after it mean (as when reading the page), so keep it to itself.
        namespace = dict(namespace)
    try:
        result = eval(code, namespace)
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    except Exception as exc:
        if expected is None or not isinstance(exc, expected):
            raise AssertionError(f"seed example failed:\n{source}") from exc
    else:
        assert expected is None, f"expected {expected.__name__} from:\n{source}"


@pytest.fixture
def openai(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> respx.MockRouter:
    """The synthetic OpenAI server, a key in the environment, pelican.jpg here."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-environment")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pelican.jpg").write_bytes(JPEG)
    with respx.mock(assert_all_called=False) as router:
        router.post(CHAT_URL).mock(side_effect=synthetic_openai)
        # Claude is built in: the seed's Claude example reaches Anthropic.
        router.post(ANTHROPIC.url).mock(
            side_effect=lambda request: ANTHROPIC.text(
                ["Synthetic Claude answer"], b'"stream":true' in request.content
            )
        )
        image = {"content-type": "image/jpeg"}
        router.head(PELICANS_URL).mock(return_value=httpx.Response(200, headers=image))
        router.get(PELICANS_URL).mock(
            return_value=httpx.Response(200, content=JPEG, headers=image)
        )
        yield router


def sent_bodies(router: respx.MockRouter) -> list[str]:
    return [call.request.content.decode() for call in router.calls]


def test_seed_000_python_api(
    openai: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {}
    blocks = fenced_python(seed("000_85eda1c3d89cde62.txt"))
    assert len(blocks) > 15
    for block in blocks:
        run_example(block, namespace)
    out = capsys.readouterr().out
    assert "Synthetic answer: Five surprising names for a pet pelican" in out
    assert "Synthetic Claude answer" in out  # llm.get_model("claude-3.5-sonnet")
    claude = next(c.request for c in openai.calls if c.request.url == ANTHROPIC.url)
    assert claude.headers["x-api-key"] == "YOUR_API_KEY_HERE"
    assert "Synthetic answer: Names for otters" in out
    assert "Synthetic answer: Now do skunks" in out
    assert "Usage(input=11, output=7, details={})" in out
    assert "image/jpeg" in out  # print(model.attachment_types)
    assert "gpt-4o-mini" in out  # the model listings
    # The first example's key went in the header; nothing else leaked it.
    first = openai.calls[0].request
    assert first.headers["authorization"] == "Bearer sk-..."
    bodies = sent_bodies(openai)
    assert any('"temperature": 0.2' in b or '"temperature":0.2' in b for b in bodies)
    # The conversation sent its history: the skunks request names pelicans.
    skunks = next(body for body in bodies if "Now do skunks" in body)
    assert "Five fun facts about pelicans" in skunks
    assert llm_sync.get_default_model() == "claude-3.5-sonnet"


def test_seed_001_python_api(
    openai: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {}
    for block in fenced_python(seed("001_1d6e925264cd9e02.txt")):
        run_example(block, namespace)
    out = capsys.readouterr().out
    assert "Synthetic answer: Five diabolical names for a pet goat" in out
    assert "Synthetic answer: Now do skunks" in out
    assert all(
        call.request.headers["authorization"] == "Bearer YOUR_API_KEY_HERE"
        for call in openai.calls
    )
    assert json_models(openai) == {"gpt-3.5-turbo"}


def json_models(router: respx.MockRouter) -> set[str]:
    import json

    return {json.loads(call.request.content)["model"] for call in router.calls}


# Seed 004, copied verbatim. ``True`` after an example: it only defines
# ``run()``, which the test then calls.
SEED_004: list[tuple[str, bool]] = [
    (
        """\
import llm

model = llm.get_async_model("gpt-4o-mini")
""",
        False,
    ),
    (
        """\
import asyncio, llm

async def run():
    model = llm.get_async_model("gpt-4o-mini")
    text = await model.prompt(
        "Five surprising names for a pet pelican"
    ).text()
    print(text)

asyncio.run(run())
""",
        False,
    ),
    (
        """\
import asyncio, llm

async def run():
    model = llm.get_async_model("gpt-4o-mini")
    response = model.prompt("Name three rivers")
    text = await response.text()
    print(text)
    print(await response.usage())

asyncio.run(run())
""",
        False,
    ),
    (
        """\
import asyncio, llm

async def run():
    model = llm.get_async_model("gpt-4o-mini")
    response = model.prompt("Explain quantum computing.")
    async for event in response.astream_events():
        if event.type == "reasoning":
            print(f"[thinking] {event.chunk}", end="", flush=True)
        elif event.type == "text":
            print(event.chunk, end="", flush=True)
        elif event.type == "tool_call_name":
            print(f"\\n[calling tool: {event.chunk}]")

asyncio.run(run())
""",
        False,
    ),
    (
        """\
response = model.prompt("What's 2+2?")
for message in await response.messages():
    for part in message.parts:
        print(type(part).__name__, part.to_dict())
""",
        False,
    ),
    (
        """\
import asyncio, llm

async def hello(name: str) -> str:
    "Say hello to name"
    return "Hello there " + name

# Works in a sync context too — LLM wraps it in asyncio.run() automatically
model = llm.get_model("gpt-4.1-mini")
chain_response = model.chain("Say hello to Percival", tools=[hello])
print(chain_response.text())
""",
        False,
    ),
    (
        """\
import asyncio, llm

def upper(string: str) -> str:
    "Converts string to uppercase"
    return string.upper()

async def run():
    model = llm.get_async_model("gpt-4.1")
    chain = model.chain(
        "Convert panda to uppercase then pelican to uppercase",
        tools=[upper],
        after_call=print,
    )
    print(await chain.text())

asyncio.run(run())
""",
        False,
    ),
    (
        """\
async def run():
    model = llm.get_async_model("gpt-4.1")
    async for chunk in model.chain(
        "Convert panda to uppercase then pelican to uppercase",
        tools=[upper],
    ):
        print(chunk, end="", flush=True)
""",
        True,
    ),
    (
        """\
import asyncio, llm

def upper(text: str) -> str:
    "Convert text to uppercase"
    return text.upper()

async def run():
    model = llm.get_async_model("gpt-4.1")
    response = model.prompt("Convert panda to upper", tools=[upper])
    await response.text()                         # drain the stream first
    follow_up = await response.reply()            # auto-executes tool calls
    print(await follow_up.text())

asyncio.run(run())
""",
        False,
    ),
    (
        """\
follow_up = await response.reply(
    tool_results=[llm.ToolResult(name="upper", output="PANDA", tool_call_id="...")]
)
""",
        False,
    ),
    (
        """\
import asyncio, llm
from typing import Optional

async def before_call(tool: Optional[llm.Tool], tool_call: llm.ToolCall):
    print(f"[async] about to call {tool_call.name}")

async def after_call(tool: llm.Tool, tool_call: llm.ToolCall, result: llm.ToolResult):
    print(f"[async] {tool_call.name} → {result.output!r}")

async def run():
    model = llm.get_async_model("gpt-4.1-mini")
    chain = model.chain(
        "Convert panda to uppercase",
        tools=[upper],
        before_call=before_call,
        after_call=after_call,
    )
    print(await chain.text())
""",
        True,
    ),
    (
        """\
import asyncio, llm

async def run():
    model = llm.get_async_model("gpt-4o-mini")
    conversation = model.conversation()

    r1 = await conversation.prompt("Five fun facts about pelicans").text()
    print(r1)

    r2 = await conversation.prompt("Now do skunks").text()
    print(r2)

asyncio.run(run())
""",
        False,
    ),
    (
        """\
import asyncio, llm

async def search_web(query: str) -> str:
    "Search the web for information"
    # Replace with a real async HTTP call in production
    await asyncio.sleep(0.01)
    return f"Results for: {query}"

async def run():
    model = llm.get_async_model("gpt-4.1-mini")
    conversation = model.conversation(tools=[search_web])

    result1 = await conversation.chain("Find recent news about pelicans").text()
    print(result1)

    result2 = await conversation.chain("What about flamingos?").text()
    print(result2)

asyncio.run(run())
""",
        False,
    ),
    (
        """\
import asyncio, llm

async def run():
    model = llm.get_async_model("gpt-4o-mini")
    response = model.prompt("a short poem about a brick")

    async def done(response):
        print("Usage:", await response.usage())

    await response.on_done(done)   # registers the callback
    print(await response.text())  # drives the stream; callback fires at end

asyncio.run(run())
""",
        False,
    ),
    (
        """\
import asyncio, json, llm

async def run():
    model = llm.get_async_model("gpt-4o-mini")
    response = model.prompt("What's 2+2?")
    await response  # must await before serializing

    payload = json.dumps(response.to_dict())

    # Later — rehydrate and continue
    rebuilt = llm.AsyncResponse.from_dict(json.loads(payload))
    followup = await rebuilt.reply("Add 3 to that")
    print(await followup.text())

asyncio.run(run())
""",
        False,
    ),
    (
        """\
import llm

for model in llm.get_async_models():
    print(model.model_id)
""",
        False,
    ),
    (
        """\
import asyncio
import llm

def celsius_to_fahrenheit(celsius: float) -> float:
    \"\"\"Convert a temperature from Celsius to Fahrenheit.\"\"\"
    return celsius * 9 / 5 + 32

async def run():
    model = llm.get_async_model("gpt-4.1-mini")
    conversation = model.conversation(tools=[celsius_to_fahrenheit])

    # Turn 1: let the model decide to call the tool
    print("=== Turn 1 ===")
    async for chunk in conversation.chain("What is 100°C in Fahrenheit?"):
        print(chunk, end="", flush=True)
    print()

    # Turn 2: follow-up — model still has context
    print("\\n=== Turn 2 ===")
    r2 = await conversation.chain("And -40°C?").text()
    print(r2)

    # Show token usage for each turn
    print("\\n=== Usage ===")
    for i, response in enumerate(conversation.responses, 1):
        usage = await response.usage()
        print(f"Turn {i}: input={usage.input}, output={usage.output}")

asyncio.run(run())
""",
        False,
    ),
]


def test_seed_004_async_api(
    openai: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {}
    for source, call_run in SEED_004:
        run_example(source, namespace)
        if call_run:
            asyncio.run(namespace["run"]())
    out = capsys.readouterr().out
    assert "Synthetic answer: Name three rivers" in out
    assert "Usage(input=11, output=7, details={})" in out
    assert "TextPart {'type': 'text', 'text': \"Synthetic answer: What's 2+2?\"}" in out
    # Tools ran, in both facades, and their output reached the model.
    assert "Synthetic answer after tool: Hello there panda" in out
    assert "Synthetic answer after tool: PANDA" in out
    assert "[async] about to call upper" in out
    assert "[async] upper → 'PANDA'" in out
    assert "Synthetic answer after tool: Results for: panda" in out
    assert "Synthetic answer after tool: 212.0" in out
    # after_call=print got the tool, the call and the result.
    assert "ToolResult(name='upper', output='PANDA'" in out
    # The rehydrated response's reply carried the whole history.
    bodies = sent_bodies(openai)
    add_three = next(body for body in bodies if "Add 3 to that" in body)
    assert "What's 2+2?" in add_three
    assert "Synthetic answer: What" in add_three
    # Four chain turns: tool call + answer, twice.
    assert "Turn 4: input=11, output=7" in out
