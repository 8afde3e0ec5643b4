"""Run a batch of prompts over Ray: each task runs ``prompt_many`` on a share.

Models, prompts, options and results pickle, so a model is sent to the tasks
as it is and the ``BatchResult`` objects (errors included) come back. Each
task adapts its own concurrency to the provider's rate limits; give the tasks
a ``requests_per_minute`` share if the limit is tight.

    python examples/batch_on_ray.py   # needs `pip install ray` and a key

``tests/test_ray_batch.py`` runs ``batch_on_ray`` on a local Ray cluster
against a loopback server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ray

import llm_sync as llm


@ray.remote
def run_shard(model: llm.Model, prompts: Mapping[Any, str]) -> list[llm.BatchResult]:
    """One task: the blocking batch API over its share of the prompts."""
    return list(model.prompt_many(prompts, progress=False))


def batch_on_ray(
    model: llm.Model, prompts: Mapping[Any, str], shards: int = 4
) -> list[llm.BatchResult]:
    """Every prompt's result, computed by ``shards`` Ray tasks."""
    keys = list(prompts)
    parts = [{key: prompts[key] for key in keys[i::shards]} for i in range(shards)]
    futures = [run_shard.remote(model, part) for part in parts if part]
    return [result for part in ray.get(futures) for result in part]


if __name__ == "__main__":
    ray.init()
    model = llm.get_model("gpt-4o-mini")
    questions = {f"q{i}": f"Name a bird starting with {c}" for i, c in enumerate("ABC")}
    for result in batch_on_ray(model, questions, shards=2):
        print(result.key, result.text if result.ok else result.error)
