"""The plugins that ship with the package, named by the public packages when
they are imported and registered by the registry on first lookup.

Apart from the registry so that naming them imports nothing: ``import
llm_async`` stays cheap, and this shared code never imports the code that knows
both facades.
"""

from __future__ import annotations

__all__ = ["BUILTIN_PLUGINS", "add_builtin_plugin"]

#: Plugin name -> module holding its hook implementations.
BUILTIN_PLUGINS: dict[str, str] = {}


def add_builtin_plugin(name: str, module: str) -> None:
    """Register the hook implementations of ``module`` (imported on first use)."""
    BUILTIN_PLUGINS[name] = module
