"""Sync and async twins of the built-in models: classes, objects, registration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from llm_async._core.types import JSONMapping, JSONObject

if TYPE_CHECKING:
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_async.providers.base import HTTPProvider
    from llm_sync._io.http_model import HTTPModel

__all__ = ["class_pair", "http_class_pair", "model_pair", "register_specs"]

_Sync = TypeVar("_Sync")
_Async = TypeVar("_Async")
_Spec = TypeVar("_Spec", bound="ModelSpecLike")


class _Identified(Protocol):
    @property
    def model_id(self) -> str: ...


class ModelSpecLike(Protocol):
    """What ``model_pair`` and ``register_specs`` read from a model spec."""

    @property
    def model_id(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...

    def provider(self) -> HTTPProvider: ...

    def model_kwargs(self) -> JSONObject: ...


def class_pair(
    module: str,
    name: str,
    title: str,
    doc: str,
    bases: tuple[type[_Sync], type[_Async]],
    methods: JSONMapping | None = None,
) -> tuple[type[_Sync], type[_Async]]:
    """``name`` and ``"Async" + name``, subclasses of ``bases`` with ``methods``.

    ``str(model)`` is ``"{title}: {model_id}"``; the docstrings are ``doc``
    (plus ", async."); both are named as if defined in ``module`` (for pickle).
    """

    def __str__(self: _Identified) -> str:
        return f"{title}: {self.model_id}"

    namespace = {"__str__": __str__, **(methods or {})}
    sync_base, async_base = bases
    sync_class = type(name, (sync_base,), {**namespace, "__doc__": f"{doc}."})
    async_class = type(
        f"Async{name}", (async_base,), {**namespace, "__doc__": f"{doc}, async."}
    )
    for cls in (sync_class, async_class):
        cls.__module__ = module
        cls.__qualname__ = cls.__name__
    return sync_class, async_class


def http_class_pair(
    module: str,
    name: str,
    title: str,
    doc: str,
    methods: JSONMapping | None = None,
) -> tuple[type[HTTPModel], type[AsyncHTTPModel]]:
    """``class_pair`` on ``HTTPModel`` and ``AsyncHTTPModel``."""
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

    return class_pair(module, name, title, doc, (HTTPModel, AsyncHTTPModel), methods)


def model_pair(
    classes: tuple[type[HTTPModel], type[AsyncHTTPModel]], spec: ModelSpecLike
) -> tuple[HTTPModel, AsyncHTTPModel]:
    """The sync and async model objects for ``spec`` (one provider, shared)."""
    sync_class, async_class = classes
    provider = spec.provider()
    kwargs = spec.model_kwargs()
    return (
        sync_class(spec.model_id, provider, **kwargs),
        async_class(spec.model_id, provider, **kwargs),
    )


def register_specs(
    register: Callable[..., None],
    specs: Iterable[_Spec],
    models: Callable[[_Spec], tuple[object, object]],
) -> None:
    """``register`` the ``models(spec)`` pair of each spec, with its aliases."""
    for spec in specs:
        sync_model, async_model = models(spec)
        register(sync_model, async_model, aliases=list(spec.aliases))
