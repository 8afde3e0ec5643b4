"""Registering local GGUF models: from Python and from ``gguf-models.yaml``.

``gguf-models.yaml`` in the user directory lists GGUF files to serve::

    - model_id: qwen2.5-0.5b
      path: ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf
      aliases: [qwen]
      n_ctx: 8192          # optional, default 4096; 0: the model's own
      chat_format: chatml  # optional; default: the GGUF file's chat template

A relative ``path`` is relative to the user directory. An invalid entry is
skipped with a ``GGUFConfigWarning`` naming it; the other entries still load.
Nothing is read from the GGUF files, and ``llama_cpp`` is not imported, until
a prompt runs.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from llm_async._core.config import load_yaml_list
from llm_async._core.errors import ConfigError, GGUFConfigWarning
from llm_async._core.types import JSONValue
from llm_async.providers.llama_cpp.engine import DEFAULT_N_CTX, GGUFSpec

__all__ = [
    "CONFIG_FILE",
    "GGUFConfigWarning",
    "load_config",
]

CONFIG_FILE = "gguf-models.yaml"
_KEYS = {"model_id", "path", "aliases", "n_ctx", "chat_format"}


def _warn(message: str) -> None:
    warnings.warn(message, GGUFConfigWarning, stacklevel=3)


def _spec_from_entry(entry: JSONValue, base: Path) -> GGUFSpec:
    if not isinstance(entry, dict):
        raise ValueError("expected a mapping with model_id and path")
    unknown = sorted(set(entry) - _KEYS, key=str)
    if unknown:
        raise ValueError(f"unknown keys {unknown} (allowed: {sorted(_KEYS)})")
    for required in ("model_id", "path"):
        if required not in entry:
            raise ValueError(f"{required} is missing")
    path = entry["path"]
    if not isinstance(path, str) or not path:
        raise ValueError("path must be a non-empty string")
    expanded = Path(path).expanduser()
    if not expanded.is_absolute():
        expanded = base / expanded
    aliases = entry.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = (aliases,)
    if not isinstance(aliases, (list, tuple)):
        raise ValueError("aliases must be a list of strings")
    return GGUFSpec(
        entry["model_id"],
        str(expanded),
        tuple(aliases),
        n_ctx=entry.get("n_ctx", DEFAULT_N_CTX),
        chat_format=entry.get("chat_format"),
    )


def load_config(path: Path) -> list[GGUFSpec]:
    """The valid entries of a ``gguf-models.yaml`` file; warns about the others.

    A missing file is no models; an unreadable one (invalid YAML, binary, too
    deep, too large, not a list) warns once, naming the file and the problem,
    and is ignored. Each invalid entry warns once, naming its position (entry
    number from 1, and line) and the reason.
    """
    try:
        entries = load_yaml_list(path, "models")
    except ConfigError as exc:
        _warn(f"{exc}; it was ignored (it could not be read as a list of models)")
        return []
    specs: list[GGUFSpec] = []
    seen: set[str] = set()
    for index, (line, entry) in enumerate(entries, start=1):
        name = entry.get("model_id") if isinstance(entry, dict) else None
        label = f"entry {index} (line {line})"
        if isinstance(name, str) and name:
            label = f"entry {index} ({name[:60]!r}, line {line})"
        try:
            spec = _spec_from_entry(entry, path.parent)
        except (TypeError, ValueError) as exc:
            _warn(f"{path}: {label} was skipped: {exc}")
            continue
        if spec.model_id in seen:
            _warn(f"{path}: {label} was skipped: model_id {spec.model_id!r} repeats")
            continue
        seen.add(spec.model_id)
        specs.append(spec)
    return specs
