"""Tools the model may call, and the calls and results that flow through a chain.

Sans-I/O: nothing here runs a tool; the response and chain modules do. pydantic
is imported only when a schema is built from a function's signature.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import typing
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from llm_async._core.types import JSONObject, JSONValue

if TYPE_CHECKING:
    import pydantic

    from llm_async._core.attachments import Attachment

__all__ = [
    "AfterCallHook",
    "BeforeCallHook",
    "ServerSideTool",
    "Tool",
    "ToolCall",
    "ToolOutput",
    "ToolResult",
    "Toolbox",
    "parameters_schema",
    "parse_tool_arguments",
    "strip_titles",
]

# Schema keywords whose value maps *names* (parameters, definitions) to schemas:
# their keys are never schema keywords, so a parameter named "title" survives.
_NAME_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)


def parameters_schema(tool: Tool | ServerSideTool) -> JSONObject:
    """A tool's ``input_schema``, or an object schema with no properties."""
    return tool.input_schema or {"type": "object", "properties": {}}


def parse_tool_arguments(text: str) -> JSONObject:
    """A tool call's arguments from its streamed JSON text.

    ``{}`` when empty; ``{"_raw": text}`` when not a JSON object, so the call
    still reaches the chain, which reports the bad arguments to the model.
    """
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_raw": text}


def strip_titles(schema: JSONValue) -> JSONValue:
    """A copy of a JSON schema without ``title`` keywords.

    Unlike ``llm``, a property *named* ``title`` is kept: only the ``title``
    keyword of each (sub)schema goes.
    """
    if isinstance(schema, list):
        return [strip_titles(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    stripped: JSONObject = {}
    for key, value in schema.items():
        if key == "title":
            continue
        if key in _NAME_MAPS and isinstance(value, dict):
            stripped[key] = {name: strip_titles(sub) for name, sub in value.items()}
        else:
            stripped[key] = strip_titles(value)
    return stripped


def _schema_dict(schema: JSONValue) -> JSONObject:
    """A JSON schema dict as given, or a pydantic model class's without titles."""
    if schema is None:
        return {}
    if isinstance(schema, dict):
        return schema
    json_schema = getattr(schema, "model_json_schema", None)
    if json_schema is None:
        raise TypeError(
            "input_schema must be a JSON schema dict or a pydantic model class, "
            f"not {type(schema).__name__}"
        )
    result: JSONObject = strip_titles(json_schema())
    return result


def _is_async_callable(function: object) -> bool:
    while isinstance(function, functools.partial):
        function = function.func
    if inspect.iscoroutinefunction(function):
        return True
    call = getattr(function, "__call__", None)  # noqa: B004 - async __call__
    return not inspect.isroutine(function) and inspect.iscoroutinefunction(call)


def _accepts_tool_call(function: Callable[..., object]) -> bool:
    """Whether the signature explicitly names ``llm_tool_call`` (not ``**kwargs``)."""
    try:
        parameter = inspect.signature(function).parameters.get("llm_tool_call")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.kind not in (
        inspect.Parameter.VAR_KEYWORD,
        inspect.Parameter.VAR_POSITIONAL,
    )


class _ArgumentsModel:
    """Validates a call's arguments against the pydantic model of a signature."""

    def __init__(
        self, model: type[pydantic.BaseModel], names: dict[str, str], extra: bool
    ) -> None:
        self.model = model
        self.names = names  # internal field name -> parameter name
        self.extra = extra

    def validate(self, arguments: JSONObject) -> JSONObject:
        """Keyword arguments for the function; ``ValueError`` with a short message.

        Only the arguments the model sent are passed on (validated and converted:
        nested pydantic models become instances, enums members), so the
        function's own defaults apply to the rest.
        """
        import pydantic

        try:
            instance = self.model.model_validate(arguments)
        except pydantic.ValidationError as exc:
            problems = [
                f"{'.'.join(str(p) for p in error['loc']) or '(arguments)'}: "
                f"{error['msg']}"
                for error in exc.errors(include_url=False, include_input=False)
            ]
            raise ValueError("; ".join(problems)) from None
        values = {
            self.names[name]: getattr(instance, name)
            for name in instance.model_fields_set
            if name in self.names
        }
        if self.extra and instance.model_extra:
            values.update(instance.model_extra)
        return values


def _hint_source(function: object) -> object:
    """Where the type hints live: a partial's function, an object's ``__call__``.

    String annotations (``from __future__ import annotations``) resolve only
    against the defining function's globals, which a partial or a callable
    object do not carry.
    """
    while isinstance(function, functools.partial):
        function = function.func
    if not inspect.isroutine(function) and not inspect.isclass(function):
        call = getattr(type(function), "__call__", None)  # noqa: B004
        if call is not None:
            return call
    return function


def _signature_schema(
    function: Callable[..., object], name: str
) -> tuple[JSONObject, _ArgumentsModel]:
    """The JSON schema of a function's parameters, and a validator for calls."""
    import pydantic
    from pydantic.json_schema import PydanticJsonSchemaWarning

    signature = inspect.signature(function)
    try:
        hints = typing.get_type_hints(_hint_source(function), include_extras=True)
    except Exception:  # unresolvable forward references: fall back to raw ones
        hints = {}
    fields: JSONObject = {}
    names: dict[str, str] = {}
    extra = False
    for index, (param_name, parameter) in enumerate(signature.parameters.items()):
        if param_name in ("self", "llm_tool_call"):
            continue
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            extra = True
            continue
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        annotation = hints.get(param_name, parameter.annotation)
        if annotation is inspect.Parameter.empty:
            annotation = str
        default = (
            ... if parameter.default is inspect.Parameter.empty else parameter.default
        )
        # Internal field names with the parameter name as alias: any parameter
        # name works, even "_x", "json" or "model_config".
        internal = f"p{index}"
        names[internal] = param_name
        fields[internal] = (annotation, pydantic.Field(default, alias=param_name))
    model = pydantic.create_model(
        f"{name}InputSchema",
        __config__=pydantic.ConfigDict(
            extra="allow" if extra else "forbid", arbitrary_types_allowed=True
        ),
        **fields,
    )
    with warnings.catch_warnings():
        # A default that is not JSON serialisable is left out of the schema.
        warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
        schema = model.model_json_schema(by_alias=True)
    schema.pop("additionalProperties", None)
    return strip_titles(schema), _ArgumentsModel(model, names, extra)


@dataclass
class Tool:
    """A function the model can call: a name, a description and a JSON schema.

    ``input_schema`` is a JSON schema dict (kept as given) or a pydantic model
    class (stored as a dict without ``title`` keywords). Build tools from
    functions with ``Tool.function()``.
    """

    name: str
    description: str | None = None
    input_schema: JSONObject = field(default_factory=dict)
    implementation: Callable[..., Any] | None = None
    plugin: str | None = None
    _toolbox: Toolbox | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _arguments: _ArgumentsModel | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.input_schema = _schema_dict(self.input_schema)

    @classmethod
    def function(
        cls,
        function: Callable[..., object],
        name: str | None = None,
        description: str | None = None,
    ) -> Tool:
        """A tool from a plain or ``async def`` function.

        The name defaults to the function's name, the description to its
        docstring, and the schema comes from the type hints through pydantic
        (defaults, ``Optional``, enums, ``Literal``, nested models, lists;
        unannotated parameters are strings). ``self`` and ``llm_tool_call`` are
        not part of the schema; a function that declares ``llm_tool_call``
        receives the ``ToolCall``.
        """
        if not callable(function):
            raise TypeError(f"Tool.function needs a callable, not {function!r}")
        function_name = getattr(function, "__name__", None)
        if name is None and function_name == "<lambda>":
            raise ValueError(
                "Cannot create a Tool from a lambda function without providing name="
            )
        tool_name = name or function_name or type(function).__name__
        doc = inspect.getdoc(function)
        schema, arguments = _signature_schema(function, tool_name)
        tool = cls(
            name=tool_name,
            description=description or doc or None,
            input_schema=schema,
            implementation=function,
        )
        tool._arguments = arguments
        return tool

    def hash(self) -> str:
        """A sha256 hex digest of the name, description, schema and plugin."""
        data: JSONObject = {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        }
        if self.plugin:
            data["plugin"] = self.plugin
        return hashlib.sha256(json.dumps(data).encode("utf-8")).hexdigest()


@dataclass
class ToolCall:
    """A call of a tool requested by the model."""

    name: str
    arguments: JSONObject
    tool_call_id: str | None = None


@dataclass
class ToolResult:
    """The outcome of a tool call, sent back to the model.

    ``output`` is what the model sees (``"Error: ..."`` when the call failed);
    ``exception`` keeps the exception for the caller and for logs.
    """

    name: str
    output: str
    attachments: list[Attachment] = field(default_factory=list)
    tool_call_id: str | None = None
    instance: object = None
    exception: BaseException | None = None

    def __post_init__(self) -> None:
        _check_attachments(self.attachments, "ToolResult")


def _check_attachments(attachments: object, owner: str) -> None:
    """``TypeError`` unless ``attachments`` is a list of ``Attachment`` objects.

    Caught at construction: ``ToolResult(name, output, "call_1")`` (the id
    passed third, where ``attachments`` goes) would otherwise fail only when
    the next request is built.
    """
    from llm_async._core.attachments import Attachment

    if not isinstance(attachments, list | tuple) or not all(
        isinstance(item, Attachment) for item in attachments
    ):
        raise TypeError(
            f"{owner} attachments must be a list of Attachment objects, got "
            f"{attachments!r}; pass tool_call_id= by keyword"
        )


@dataclass
class ToolOutput:
    """Return this from a tool to send attachments along with the output."""

    output: object = None
    attachments: list[Attachment] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check_attachments(self.attachments, "ToolOutput")


_TOOLBOX_INTERNAL = frozenset(
    {"tools", "add_tool", "method_tools", "prepare", "prepare_async"}
)


class Toolbox:
    """A class whose public methods are tools, named ``ClassName_method``.

    The constructor's arguments are recorded in ``_config``. ``prepare()`` and
    ``prepare_async()`` run once, before the first call of one of its tools.
    """

    name: ClassVar[str | None] = None
    instance_id: ClassVar[int | None] = None
    plugin: ClassVar[str | None] = None
    _config: JSONObject
    _extra_tools: list[Tool]
    _prepared: bool = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        original = cls.__dict__.get("__init__")
        if original is None:
            return

        @functools.wraps(original)
        def __init__(self: Toolbox, *args: object, **kw: object) -> None:
            # Only the most derived constructor records (super().__init__ calls
            # of parent toolboxes must not overwrite its arguments).
            outermost = type(self).__init__ is __init__
            signature = inspect.signature(original)
            try:
                bound = signature.bind(self, *args, **kw)
            except TypeError:
                bound = None
            if bound is not None and outermost:
                bound.apply_defaults()
                self._config = {
                    key: value
                    for key, value in bound.arguments.items()
                    if key != "self"
                    and signature.parameters[key].kind
                    not in (
                        inspect.Parameter.VAR_POSITIONAL,
                        inspect.Parameter.VAR_KEYWORD,
                    )
                }
            original(self, *args, **kw)

        setattr(cls, "__init__", __init__)  # noqa: B010 - keep the signature

    def __new__(cls, *args: object, **kwargs: object) -> Toolbox:
        instance = super().__new__(cls)
        instance._config = {}
        instance._extra_tools = []
        return instance

    @classmethod
    def method_tools(cls) -> list[Tool]:
        """Tools for the class's public methods (unbound)."""
        return [
            Tool.function(getattr(cls, attr), name=f"{cls.__name__}_{attr}")
            for attr in cls._method_names()
        ]

    @classmethod
    def _method_names(cls) -> list[str]:
        names = []
        for attr in dir(cls):
            if attr.startswith("_") or attr in _TOOLBOX_INTERNAL:
                continue
            if inspect.isfunction(inspect.getattr_static(cls, attr)):
                names.append(attr)
        return names

    def tools(self) -> list[Tool]:
        """The instance's tools: bound public methods, then ``add_tool`` extras."""
        tools = []
        for attr in self._method_names():
            tool = Tool.function(
                getattr(self, attr), name=f"{type(self).__name__}_{attr}"
            )
            tool.plugin = self.plugin
            tool._toolbox = self
            tools.append(tool)
        for extra in self._extra_tools:
            extra._toolbox = self
            tools.append(extra)
        return tools

    def add_tool(
        self, tool_or_function: Tool | Callable[..., object], pass_self: bool = False
    ) -> None:
        """Add a tool; a function keeps its own name, ``pass_self`` binds it."""
        if isinstance(tool_or_function, Tool):
            self._extra_tools.append(tool_or_function)
        elif callable(tool_or_function):
            function = tool_or_function
            if pass_self:
                function = functools.partial(tool_or_function, self)
                functools.update_wrapper(function, tool_or_function)
            self._extra_tools.append(
                Tool.function(function, name=tool_or_function.__name__)
            )
        else:
            raise TypeError("Tool must be an instance of Tool or a callable function")

    def prepare(self) -> None:
        """Set up before the first tool call (override; runs once)."""

    async def prepare_async(self) -> None:
        """Async set-up before the first tool call (override; runs once)."""


class ServerSideTool:
    """A tool the provider runs (web search, code execution...).

    The library validates it against the model's ``supported_server_side_tools``
    and passes it to the provider; it is never executed locally. Instantiate the
    base class with a raw provider ``spec`` dict, or subclass it.
    """

    name: ClassVar[str] = "server_side_tool"
    plugin: ClassVar[str | None] = None
    implementation: ClassVar[None] = None
    input_schema: ClassVar[JSONObject] = {}
    _is_server_side_tool: ClassVar[bool] = True
    _is_server_side_base: ClassVar[bool] = True
    _config: JSONObject

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._is_server_side_base = False
        original = cls.__dict__.get("__init__")
        if original is None:
            return

        @functools.wraps(original)
        def __init__(self: ServerSideTool, *args: object, **kw: object) -> None:
            original(self, *args, **kw)
            signature = inspect.signature(original)
            try:
                bound = signature.bind(self, *args, **kw)
            except TypeError:
                return
            bound.apply_defaults()
            self._config = {k: v for k, v in bound.arguments.items() if k != "self"}

        setattr(cls, "__init__", __init__)  # noqa: B010 - keep the signature

    def __init__(self, spec: JSONObject | None = None) -> None:
        self.spec = spec
        self._config = {"spec": spec} if spec is not None else {}

    @property
    def description(self) -> str | None:
        """The class docstring."""
        return inspect.getdoc(type(self))

    def tool_spec(self, model: object) -> JSONObject:
        """The provider's raw tool spec (the ``spec`` given to the constructor)."""
        spec = getattr(self, "spec", None)
        if spec is None:
            raise TypeError(
                f"{type(self).__name__} does not define a raw provider tool spec"
            )
        return dict(spec)

    def prepare_request(self, model: object, kwargs: JSONObject) -> None:
        """Adjust the provider request (override; the default does nothing)."""

    def hash(self) -> str:
        """A sha256 hex digest of the name, description, config and plugin."""
        data: JSONObject = {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
            "server_side": True,
        }
        if self.plugin:
            data["plugin"] = self.plugin
        config = getattr(self, "_config", None)
        if config:
            data["config"] = config
        return hashlib.sha256(
            json.dumps(data, sort_keys=True, default=repr).encode("utf-8")
        ).hexdigest()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


#: ``before_call(tool, tool_call)``: runs before each tool call (``tool`` is
#: ``None`` for an unknown tool); may be a coroutine function; raise
#: ``CancelToolCall`` to skip the call.
BeforeCallHook: TypeAlias = Callable[[Tool | None, ToolCall], Awaitable[None] | None]
#: ``after_call(tool, tool_call, tool_result)``: runs after each tool call; may
#: be a coroutine function.
AfterCallHook: TypeAlias = Callable[
    [Tool | None, ToolCall, ToolResult], Awaitable[None] | None
]
