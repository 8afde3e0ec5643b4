"""The model registry: plugins, aliases and lookups by id.

Plugins are discovered through the ``llm_async`` entry-point group and loaded on
the first lookup, never at import. A plugin that fails to import or to register
(models, embedding models or tools) produces one warning naming it and is
skipped; set ``LLM_ASYNC_STRICT_PLUGINS=1`` to raise instead. ``LLM_LOAD_PLUGINS``
(comma-separated distribution names, as in ``llm``) limits which installed
plugins load; the built-in models always load.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import os
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from llm_async._core import config as _config
from llm_async._core.builtin_plugins import BUILTIN_PLUGINS
from llm_async._core.errors import PluginWarning, UnknownModelError
from llm_async._core.protocols import NamedModel
from llm_async._core.tools import Tool, Toolbox
from llm_async._core.types import JSONObject

if TYPE_CHECKING:
    import pluggy

__all__ = [
    "ENTRY_POINT_GROUP",
    "EmbeddingModelWithAliases",
    "ModelWithAliases",
    "PluginWarning",
    "get_async_embedding_model",
    "get_async_embedding_model_aliases",
    "get_async_embedding_models",
    "get_async_model",
    "get_async_model_aliases",
    "get_async_models",
    "get_embedding_model",
    "get_embedding_model_aliases",
    "get_embedding_models",
    "get_embedding_models_with_aliases",
    "get_fragment_loaders",
    "get_model",
    "get_model_aliases",
    "get_models",
    "get_models_with_aliases",
    "get_plugins",
    "get_template_loaders",
    "get_tools",
    "load_plugins",
    "plugin_manager",
    "register_embedding_model",
    "register_model",
    "register_plugin",
    "remove_alias",
    "set_alias",
]

ENTRY_POINT_GROUP = "llm_async"


def _matches(
    query: str, aliases: list[str], model: object, async_model: NamedModel | None
) -> bool:
    query = query.lower()
    haystack = [*aliases, str(model)]
    if async_model is not None:
        haystack.append(async_model.model_id)
    return any(query in item.lower() for item in haystack)


@dataclass
class ModelWithAliases:
    """A registered model, its async twin (if any) and its aliases."""

    model: Any
    async_model: Any
    aliases: list[str] = field(default_factory=list)

    def matches(self, query: str) -> bool:
        """Case-insensitive substring match on the aliases, name and async id."""
        return _matches(query, self.aliases, self.model, self.async_model)


@dataclass
class EmbeddingModelWithAliases:
    """A registered embedding model, its aliases and its async twin (if any)."""

    model: Any
    aliases: list[str] = field(default_factory=list)
    async_model: Any = None

    def matches(self, query: str) -> bool:
        """Case-insensitive substring match on the aliases, name and async id."""
        return _matches(query, self.aliases, self.model, self.async_model)


_Entry = TypeVar("_Entry", ModelWithAliases, EmbeddingModelWithAliases)
# A hook's register function for one plugin, and the commit that keeps what it got.
_Collector: TypeAlias = Callable[[str], tuple[Callable[..., None], Callable[[], None]]]

_lock = threading.RLock()
_pm: pluggy.PluginManager | None = None
_runtime_models: list[ModelWithAliases] = []
_runtime_embedding_models: list[EmbeddingModelWithAliases] = []
_runtime_generation = 0
_cache: dict[str, tuple[tuple[int, frozenset[int]], Any]] = {}


def _reset() -> None:
    """Forget loaded plugins and runtime registrations (for tests)."""
    global _pm, _runtime_generation
    with _lock:
        _pm = None
        _runtime_models.clear()
        _runtime_embedding_models.clear()
        _runtime_generation += 1
        _cache.clear()
        _warned_hooks.clear()


def _strict() -> bool:
    return os.environ.get("LLM_ASYNC_STRICT_PLUGINS", "") not in ("", "0")


def _plugin_failed(name: str, stage: str, exc: BaseException) -> None:
    if _strict():
        raise exc
    warnings.warn(
        f"Plugin {name!r} failed to {stage} and was skipped: "
        f"{type(exc).__name__}: {exc}",
        PluginWarning,
        stacklevel=4,
    )


def plugin_manager() -> pluggy.PluginManager:
    """The plugin manager, created and loaded on first use."""
    global _pm
    with _lock:
        if _pm is None:
            import pluggy

            from llm_async._core import hookspecs

            pm = pluggy.PluginManager("llm")
            pm.add_hookspecs(hookspecs)
            _load_entry_points(pm)
            for name, module in BUILTIN_PLUGINS.items():
                pm.register(importlib.import_module(module), name=name)
            _pm = pm
            _warn_unsupported_hooks(pm)
        return _pm


_warned_hooks: set[tuple[str, str]] = set()


def _warn_unsupported_hooks(pm: pluggy.PluginManager) -> None:
    """One ``UnsupportedHookWarning`` per plugin and hook we never call."""
    from llm_async._core.errors import UnsupportedHookWarning
    from llm_async._core.hookspecs import UNSUPPORTED_HOOKS

    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or repr(plugin)
        for caller in pm.get_hookcallers(plugin) or []:
            if caller.spec is not None or (name, caller.name) in _warned_hooks:
                continue
            _warned_hooks.add((name, caller.name))
            reason = UNSUPPORTED_HOOKS.get(caller.name, "not an llm hook we know")
            warnings.warn(
                f"Plugin {name!r} implements {caller.name}(), which llm-async "
                f"does not support ({reason}); the hook is ignored",
                UnsupportedHookWarning,
                stacklevel=4,
            )


def load_plugins() -> None:
    """Discover and import installed plugins now (otherwise done on first use)."""
    plugin_manager()


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    from importlib.metadata import entry_points

    allowed = os.environ.get("LLM_LOAD_PLUGINS")
    allowed_names = (
        None
        if allowed is None
        else {name.strip() for name in allowed.split(",") if name.strip()}
    )
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(entry_point, "dist", None)
        dist_name = dist.name if dist is not None else entry_point.name
        if allowed_names is not None and dist_name not in allowed_names:
            continue
        try:
            plugin = entry_point.load()
            pm.register(plugin, name=entry_point.name)
        except Exception as exc:
            _plugin_failed(entry_point.name, "load", exc)


def register_plugin(plugin: object, name: str | None = None) -> None:
    """Register a plugin object or module at runtime."""
    pm = plugin_manager()
    pm.register(plugin, name=name)
    _warn_unsupported_hooks(pm)
    _cache.clear()


def register_model(
    model: NamedModel,
    async_model: NamedModel | None = None,
    aliases: list[str] | None = None,
) -> None:
    """Register a model (and its async twin) at runtime, without a plugin."""
    _add_runtime(_runtime_models, _model_entry(model, async_model, aliases))


def register_embedding_model(
    model: NamedModel,
    *,
    async_model: NamedModel | None = None,
    aliases: list[str] | None = None,
) -> None:
    """Register an embedding model (and its async twin) at runtime."""
    _add_runtime(
        _runtime_embedding_models, _embedding_entry(model, aliases, async_model)
    )


def _add_runtime(runtime: list[_Entry], entry: _Entry) -> None:
    global _runtime_generation
    with _lock:
        runtime.append(entry)
        _runtime_generation += 1
        _cache.clear()


def get_plugins(all: bool = False) -> list[JSONObject]:
    """The loaded plugins with the hooks they implement."""
    pm = plugin_manager()
    plugins = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or repr(plugin)
        if not all and name.startswith("llm_async."):
            continue
        hooks = [impl.name for impl in pm.get_hookcallers(plugin) or []]
        plugins.append({"name": name, "hooks": sorted(hooks)})
    return plugins


def _call_hook(hook_name: str, kwargs: JSONObject, collect: _Collector) -> None:
    """Call each plugin's implementation in turn, isolating failures.

    ``collect(plugin_name)`` returns a fresh ``(register, commit)`` pair per
    plugin, so a plugin that fails half-way leaves nothing registered.
    """
    pm = plugin_manager()
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):
        register, commit = collect(impl.plugin_name)
        call_kwargs = {**kwargs, "register": register}
        try:
            impl.function(*[call_kwargs[name] for name in impl.argnames])
        except Exception as exc:
            _plugin_failed(impl.plugin_name, f"run {hook_name}", exc)
            continue
        commit()


def _generation() -> tuple[int, frozenset[int]]:
    pm = plugin_manager()
    return (_runtime_generation, frozenset(id(p) for p in pm.get_plugins()))


def _model_entry(
    model: NamedModel,
    async_model: NamedModel | None = None,
    aliases: Iterable[str] | None = None,
) -> ModelWithAliases:
    return ModelWithAliases(model, async_model, list(aliases or []))


def _embedding_entry(
    model: NamedModel,
    aliases: Iterable[str] | None = None,
    async_model: NamedModel | None = None,
) -> EmbeddingModelWithAliases:
    return EmbeddingModelWithAliases(model, list(aliases or []), async_model)


def _registered_models() -> list[ModelWithAliases]:
    return _registered(
        "models", "register_models", _model_entry, _runtime_models, "model"
    )


def _registered_embedding_models() -> list[EmbeddingModelWithAliases]:
    return _registered(
        "embedding_models",
        "register_embedding_models",
        _embedding_entry,
        _runtime_embedding_models,
        "embedding model",
    )


def _registered(
    cache_key: str,
    hook_name: str,
    make_entry: Callable[..., _Entry],
    runtime: list[_Entry],
    what: str,
) -> list[_Entry]:
    """The entries the plugins' ``hook_name`` registers, then the runtime ones.

    Cached until a plugin or runtime registration changes. ``register()``
    takes ``make_entry``'s arguments; a ``None`` sync model is a ``ValueError``.
    """
    with _lock:
        generation = _generation()
        cached = _cache.get(cache_key)
        if cached is not None and cached[0] == generation:
            return list(cached[1])
        entries: list[_Entry] = []

        def collect(_plugin: str) -> tuple[Callable[..., None], Callable[[], None]]:
            pending: list[_Entry] = []

            def register(*args: object, **kwargs: object) -> None:
                entry = make_entry(*args, **kwargs)
                if entry.model is None:
                    raise ValueError(
                        f"register() needs a sync {what}; pass async_model= as well"
                    )
                pending.append(entry)

            return register, lambda: entries.extend(pending)

        # register_models also gets the list being built (llm's model_aliases);
        # no other hook names that argument, so its implementations never see it.
        _call_hook(hook_name, {"model_aliases": entries}, collect)
        entries.extend(runtime)
        _cache[cache_key] = (generation, entries)
        return list(entries)


def _unique_name(prefix: str, taken: JSONObject) -> str:
    candidate, suffix = prefix, 0
    while candidate in taken:
        suffix += 1
        candidate = f"{prefix}_{suffix}"
    return candidate


def get_tools() -> dict[str, Tool | type[Toolbox]]:
    """Every tool and ``Toolbox`` class registered through ``register_tools``.

    A plugin calls ``register(tool_or_function_or_toolbox_class, name=None)``:
    a function becomes ``Tool.function(fn, name=name)``; a ``Tool`` is copied
    (renamed to ``name`` if given), so the plugin's own object is left alone; a
    ``Toolbox`` subclass is stored as the class. Each gets ``.plugin`` set to
    the plugin's name. A name already taken gets a ``_1``, ``_2``... suffix.
    """
    with _lock:
        generation = _generation()
        cached = _cache.get("tools")
        if cached is not None and cached[0] == generation:
            return dict(cached[1])
        tools: dict[str, Tool | type[Toolbox]] = {}

        def collect(plugin: str) -> tuple[Callable[..., None], Callable[[], None]]:
            pending: list[tuple[str, Tool | type[Toolbox]]] = []

            def register(
                tool: Tool | type[Toolbox] | Callable[..., object],
                name: str | None = None,
            ) -> None:
                entry: Tool | type[Toolbox]
                if inspect.isclass(tool):
                    if not issubclass(tool, Toolbox):
                        raise TypeError(
                            "Toolbox classes must inherit from llm.Toolbox, "
                            f"{tool.__name__} does not."
                        )
                    prefix = name or tool.name or tool.__name__
                    tool.name = prefix
                    tool.plugin = plugin
                    entry = tool
                elif isinstance(tool, Tool):
                    entry = copy.copy(tool)
                    if name:
                        entry.name = name
                    entry.plugin = plugin
                    prefix = entry.name
                else:
                    entry = Tool.function(tool, name=name)
                    entry.plugin = plugin
                    prefix = entry.name
                pending.append((prefix, entry))

            def commit() -> None:
                for prefix, entry in pending:
                    tools[_unique_name(prefix, tools)] = entry

            return register, commit

        _call_hook("register_tools", {}, collect)
        _cache["tools"] = (generation, tools)
        return dict(tools)


def _get_loaders(hook_name: str) -> JSONObject:
    loaders: JSONObject = {}

    def collect(_plugin: str) -> tuple[Callable[..., None], Callable[[], None]]:
        pending: list[tuple[str, object]] = []

        def register(prefix: str, loader: object) -> None:
            pending.append((prefix, loader))

        def commit() -> None:
            for prefix, loader in pending:
                loaders[_unique_name(prefix, loaders)] = loader

        return register, commit

    _call_hook(hook_name, {}, collect)
    return loaders


def get_template_loaders() -> JSONObject:
    """Template loaders by prefix (``register_template_loaders``); a prefix
    already taken gets a ``_1``, ``_2``... suffix."""
    return _get_loaders("register_template_loaders")


def get_fragment_loaders() -> JSONObject:
    """Fragment loaders by prefix (``register_fragment_loaders``); a prefix
    already taken gets a ``_1``, ``_2``... suffix."""
    return _get_loaders("register_fragment_loaders")


def get_models_with_aliases() -> list[ModelWithAliases]:
    """Every registered model with its aliases, ``aliases.json`` included."""
    user_aliases = _config.load_aliases()
    return [
        ModelWithAliases(
            entry.model,
            entry.async_model,
            _with_user_aliases(entry.aliases, entry.model, user_aliases),
        )
        for entry in _registered_models()
    ]


def get_embedding_models_with_aliases() -> list[EmbeddingModelWithAliases]:
    """Every registered embedding model with its aliases."""
    user_aliases = _config.load_aliases()
    return [
        EmbeddingModelWithAliases(
            entry.model,
            _with_user_aliases(entry.aliases, entry.model, user_aliases),
            entry.async_model,
        )
        for entry in _registered_embedding_models()
    ]


def _with_user_aliases(
    aliases: list[str], model: NamedModel, user_aliases: dict[str, str]
) -> list[str]:
    """``aliases`` then those ``aliases.json`` points at ``model``."""
    extra = [a for a, target in user_aliases.items() if target == model.model_id]
    return [*aliases, *extra]


def get_model_aliases() -> JSONObject:
    """Map of every alias and model id to its sync model."""
    return _alias_map([(e.aliases, e.model) for e in get_models_with_aliases()])


def get_async_model_aliases() -> JSONObject:
    """Map of every alias and model id to its async model."""
    entries = get_models_with_aliases()
    return _alias_map([(e.aliases, e.async_model) for e in entries])


def get_embedding_model_aliases() -> JSONObject:
    """Map of every alias and id to its embedding model."""
    entries = get_embedding_models_with_aliases()
    return _alias_map([(e.aliases, e.model) for e in entries])


def get_async_embedding_model_aliases() -> JSONObject:
    """Map of every alias and id to its async embedding model."""
    entries = get_embedding_models_with_aliases()
    return _alias_map([(e.aliases, e.async_model) for e in entries])


def _alias_map(entries: list[tuple[list[str], NamedModel | None]]) -> JSONObject:
    """Each alias and model id to its model; entries without a model are left out."""
    mapping: JSONObject = {}
    for aliases, model in entries:
        if model is None:
            continue
        for alias in aliases:
            mapping[alias] = model
        mapping[model.model_id] = model
    return mapping


def get_models() -> list[Any]:
    """Every registered sync model."""
    return [entry.model for entry in _registered_models()]


def get_async_models() -> list[Any]:
    """Every registered async model."""
    return [e.async_model for e in _registered_models() if e.async_model is not None]


def get_embedding_models() -> list[Any]:
    """Every registered embedding model."""
    return [entry.model for entry in _registered_embedding_models()]


def get_async_embedding_models() -> list[Any]:
    """Every registered async embedding model."""
    return [
        entry.async_model
        for entry in _registered_embedding_models()
        if entry.async_model is not None
    ]


def get_model(name: str | None = None, _skip_async: bool = False) -> Any:
    """The sync model with this id or alias; the default model when omitted.

    Raises ``UnknownModelError`` when none matches.
    """
    name = name or _config.get_default_model()
    assert name is not None
    twin = None if _skip_async else get_async_model_aliases
    return _lookup(name, get_model_aliases(), twin, "model (async model exists)")


def get_async_model(name: str | None = None) -> Any:
    """The async model with this id or alias; the default model when omitted.

    Raises ``UnknownModelError`` when none matches.
    """
    name = name or _config.get_default_model()
    assert name is not None
    return _lookup(name, get_async_model_aliases(), get_model_aliases, _SYNC_EXISTS)


def _embedding_model_name(name: str | None) -> str:
    if name:
        return name
    default = _config.get_default_embedding_model()
    if not default:
        raise UnknownModelError(
            "No embedding model named and no default embedding model set: pass a "
            "model id or alias, or call set_default_embedding_model()"
        )
    return default


def get_embedding_model(name: str | None = None) -> Any:
    """The embedding model with this id or alias; the default one when omitted.

    Raises ``UnknownModelError`` when none matches (or no default is set).
    """
    return _lookup(_embedding_model_name(name), get_embedding_model_aliases())


def get_async_embedding_model(name: str | None = None) -> Any:
    """The async embedding model with this id or alias; the default when omitted.

    Raises ``UnknownModelError`` when none matches (or no default is set).
    """
    return _lookup(
        _embedding_model_name(name),
        get_async_embedding_model_aliases(),
        get_embedding_model_aliases,
        _SYNC_EXISTS,
    )


_SYNC_EXISTS = "async model (sync model exists)"


def _lookup(
    name: str,
    aliases: JSONObject,
    twin_aliases: Callable[[], JSONObject] | None = None,
    twin_note: str = "",
) -> Any:
    """``aliases[name]``, else ``UnknownModelError``: "Unknown {twin_note}" when
    ``name`` is in ``twin_aliases()`` (the other facade's), "Unknown model" otherwise.
    """
    if name in aliases:
        return aliases[name]
    if twin_aliases is not None and name in twin_aliases():
        raise UnknownModelError(f"Unknown {twin_note}: {name}")
    raise UnknownModelError(f"Unknown model: {name}")


def set_alias(alias: str, model_id_or_alias: str) -> None:
    """Save an alias in ``aliases.json``; the target may itself be an alias.

    An unreadable ``aliases.json`` is moved aside first, with a warning
    (``config.recover_aliases``), and a new one is started.
    """
    _config.recover_aliases()
    try:
        target = get_model(model_id_or_alias).model_id
    except UnknownModelError:
        try:
            target = get_embedding_model(model_id_or_alias).model_id
        except UnknownModelError:
            target = model_id_or_alias
    _config.write_alias(alias, target)


def remove_alias(alias: str) -> None:
    """Remove an alias from ``aliases.json``; ``KeyError`` if it is not there."""
    _config.delete_alias(alias)
