"""``Template``: a reusable prompt, in the format of ``llm``'s template files."""

from __future__ import annotations

import string
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from llm_async._core.errors import MissingVariables
from llm_async._core.types import JSONObject

__all__ = ["AttachmentType", "Template"]


class AttachmentType(BaseModel):
    """An attachment of a template with an explicit type."""

    type: str
    value: str


class Template(BaseModel):
    """A reusable prompt: ``prompt`` and ``system`` use ``$variables``.

    ``evaluate(input, params)`` returns ``(prompt, system)`` with ``$input``
    and the parameters (``defaults`` fill the missing ones) substituted; a
    template with no ``prompt`` uses the input as the prompt. Template loaders
    (the ``register_template_loaders`` hook) return these.
    """

    name: str
    prompt: str | None = None
    system: str | None = None
    attachments: list[str] | None = None
    attachment_types: list[AttachmentType] | None = None
    model: str | None = None
    defaults: JSONObject | None = None
    options: JSONObject | None = None
    extract: bool | None = None
    extract_last: bool | None = None
    schema_object: JSONObject | None = None
    fragments: list[str] | None = None
    system_fragments: list[str] | None = None
    tools: list[str] | None = None
    functions: str | None = None

    model_config = ConfigDict(extra="forbid")

    #: Raised when ``evaluate()`` or ``interpolate()`` lacks a variable's value.
    MissingVariables: ClassVar[type[MissingVariables]] = MissingVariables

    def evaluate(
        self, input: str, params: JSONObject | None = None
    ) -> tuple[str | None, str | None]:
        """``(prompt, system)`` for ``input`` and ``params``."""
        values = dict(params or {})
        values["input"] = input
        for key, value in (self.defaults or {}).items():
            values.setdefault(key, value)
        system = self.interpolate(self.system, values)
        if not self.prompt:
            return input, system
        return self.interpolate(self.prompt, values), system

    def vars(self) -> set[str]:
        """The variable names used in ``prompt`` and ``system``."""
        found: set[str] = set()
        for text in (self.prompt, self.system):
            if text:
                found.update(self.extract_vars(string.Template(text)))
        return found

    @classmethod
    def interpolate(cls, text: str | None, params: JSONObject) -> str | None:
        """``text`` with ``$name`` replaced (``$$`` is a dollar sign);
        ``MissingVariables("Missing variables: a, b")`` when some are absent."""
        if not text:
            return text
        template = string.Template(text)
        missing = [name for name in cls.extract_vars(template) if name not in params]
        if missing:
            raise cls.MissingVariables(f"Missing variables: {', '.join(missing)}")
        return template.substitute(**params)

    @staticmethod
    def extract_vars(template: string.Template) -> list[str]:
        """The named ``$variables`` of ``template``, in order."""
        return [
            match.group("named")
            for match in template.pattern.finditer(template.template)
            if match.group("named")
        ]
