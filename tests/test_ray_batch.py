"""A batch over Ray (examples/batch_on_ray.py) on a local cluster, every result
checked, against the loopback fake server of bench/batch.py."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem + "_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(sys.path)}},
    )
    try:
        yield
    finally:
        ray.shutdown()


def test_batch_on_ray_returns_every_result(
    cluster: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bench = load(ROOT / "bench" / "batch.py")
    example = load(ROOT / "examples" / "batch_on_ray.py")
    import llm_sync

    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path))
    with bench.fake_server(rate=None) as url:
        llm_sync.register_openai_compatible(
            "ray-test", base_url=url, model_name="gpt-4o-mini"
        )
        model = llm_sync.get_model("ray-test")
        prompts = {f"k{i}": f"prompt {i}" for i in range(200)}
        results = example.batch_on_ray(model, prompts, shards=4)
    assert sorted(r.key for r in results) == sorted(prompts)
    for result in results:
        assert result.ok, result.error
        assert result.text == f"echo: {prompts[result.key]}"
        assert result.usage is not None and result.usage.output == 3
