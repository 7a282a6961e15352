"""Field rules: each validates request values AND describes itself in the OpenAPI document, so the
two cannot drift. Bodies and query parameters are built from them in endpoints.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from discue_cli.emulator.schema import SchemaError, check_schema
from discue_cli.emulator.web import BOOLEAN, TRUE, Problem

NAME_MAX = 256
PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
# What httpx can send to: http(s), a host (name or [IPv6]), a port 1-65535, then path/query/fragment.
URL_PATTERN = r"^https?://([A-Za-z0-9][A-Za-z0-9._~-]*|\[[0-9A-Fa-f:.]+\])(:" + PORT + r")?([/?#][!-~]*)?$"
HOSTNAME_PATTERN = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"


def encodable(value: str) -> bool:
    """JSON can carry lone surrogates that no UTF-8 database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Rule:
    """One field's rule: `check` returns the value to use or raises Problem(400); `openapi` describes it."""

    nullable = False

    def check(self, value: Any, where: str) -> Any:
        raise NotImplementedError

    def openapi(self) -> dict[str, Any]:
        raise NotImplementedError


class Text(Rule):
    """A non-blank string of at most NAME_MAX characters (names, aliases)."""

    def check(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > NAME_MAX or not encodable(value):
            raise Problem(400, f"{where}: expected a non-blank string of at most {NAME_MAX} characters")
        return value

    def openapi(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": NAME_MAX, "pattern": r"\S"}


class Url(Rule):
    """A listener URL the delivery engine can send to."""

    regex = re.compile(URL_PATTERN)

    def check(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or len(value) > NAME_MAX or not self.regex.match(value):
            raise Problem(400, f"{where}: expected an http or https URL with a host and a port from 1 to 65535, if any")
        return value

    def openapi(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": NAME_MAX, "pattern": URL_PATTERN}


class Data(Rule):
    """A message's payload: any string."""

    def check(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not encodable(value):
            raise Problem(400, f"{where}: expected a string")
        return value

    def openapi(self) -> dict[str, Any]:
        return {"type": "string"}


@dataclass
class Choice(Rule):
    values: tuple[str, ...]

    def check(self, value: Any, where: str) -> str:
        if value not in self.values:
            raise Problem(400, f"{where}: expected one of {', '.join(self.values)}")
        return value

    def openapi(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


class Hostname(Rule):
    regex = re.compile(HOSTNAME_PATTERN)

    def check(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or len(value) > 253 or not self.regex.match(value):
            raise Problem(400, f"{where}: expected a host name such as example.com")
        return value.lower()

    def openapi(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": 253, "pattern": HOSTNAME_PATTERN}


class Port(Rule):
    """A domain's port: 80, 443 or 1024-65535, as the Terraform provider checks it."""

    def check(self, value: Any, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not (value in (80, 443) or 1024 <= value <= 65535):
            raise Problem(400, f"{where}: expected 80, 443 or a number from 1024 to 65535")
        return value

    def openapi(self) -> dict[str, Any]:
        return {
            "anyOf": [{"type": "integer", "enum": [80, 443]}, {"type": "integer", "minimum": 1024, "maximum": 65535}]
        }


class Id(Rule):
    def check(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value or len(value) > NAME_MAX:
            raise Problem(400, f"{where}: expected an id")
        return value

    def openapi(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": NAME_MAX}


class MessageSchema(Rule):
    """A queue's message schema (see schema.py); null removes it."""

    nullable = True

    def check(self, value: Any, where: str) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            return check_schema(value, where)
        except SchemaError as exc:
            raise Problem(400, str(exc)) from None

    def openapi(self) -> dict[str, Any]:
        rule = {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": ["object", "array", "string", "number"]},
                "required": {"type": "boolean", "default": True},
                "props": {"type": "object", "description": "object: field name -> rule"},
                "strict": {"type": "boolean", "default": True},
                "items": {"type": "object", "description": "array: the rule of every element"},
                "pattern": {"type": "string"},
                "enum": {"type": "array", "items": {"type": "string"}},
                "min": {"type": "number"},
                "max": {"type": "number"},
            },
        }
        return {"type": "object", "nullable": True, "minProperties": 1, "additionalProperties": rule}


@dataclass
class Scopes(Rule):
    """API-key scopes: a list of {resource, access, targets} (2023-04) or an object keyed by resource
    (2024-08). Checked into the stored form, {resource: {access, targets}}."""

    shape: str
    resources: tuple[str, ...]
    protected: tuple[str, ...]

    def check(self, value: Any, where: str) -> dict[str, Any] | None:
        if self.shape == "list":
            if not isinstance(value, list):
                raise Problem(400, f"{where}: expected a list of {{resource, access, targets}}")
            entries = []
            for index, item in enumerate(value):
                if not isinstance(item, dict) or "resource" not in item:
                    raise Problem(400, f"{where}[{index}]: expected an object with a resource")
                entries.append((item["resource"], item, f"{where}[{index}]"))
        else:
            if not isinstance(value, dict):
                raise Problem(400, f"{where}: expected an object keyed by resource")
            entries = [(resource, item, f"{where}.{resource}") for resource, item in value.items()]
        scopes: dict[str, Any] = {}
        for resource, item, place in entries:
            if resource not in self.resources:
                raise Problem(400, f"{place}: expected a resource among {', '.join(self.resources)}")
            if resource in self.protected:
                raise Problem(400, f"{place}: scopes on {resource} cannot be set through the API")
            if resource in scopes:
                raise Problem(400, f"{place}: {resource} has a scope already")
            if not isinstance(item, dict):
                raise Problem(400, f"{place}: expected an object with access and targets")
            scopes[resource] = {"access": self._access(item, place), "targets": self._targets(item, place)}
        return scopes or None

    @staticmethod
    def _access(item: dict[str, Any], place: str) -> str:
        access = item.get("access", "write")
        if access not in ("read", "write"):
            raise Problem(400, f"{place}.access: expected read or write")
        return access

    @staticmethod
    def _targets(item: dict[str, Any], place: str) -> list[str]:
        targets = item.get("targets", ["*"])
        if targets == "*":
            return ["*"]
        if not isinstance(targets, list) or not targets or not all(isinstance(t, str) and t for t in targets):
            raise Problem(400, f'{place}.targets: expected "*" or a list of ids')
        return targets

    def openapi(self) -> dict[str, Any]:
        targets = {"oneOf": [{"type": "string", "enum": ["*"]}, {"type": "array", "items": {"type": "string"}}]}
        settable = [r for r in self.resources if r not in self.protected]
        scope = {"access": {"type": "string", "enum": ["read", "write"]}, "targets": targets}
        if self.shape == "list":
            item = {
                "type": "object",
                "required": ["resource"],
                "properties": {"resource": {"type": "string", "enum": settable}, **scope},
            }
            return {"type": "array", "items": item}
        one = {"type": "object", "properties": scope}
        return {"type": "object", "properties": dict.fromkeys(settable, one), "additionalProperties": False}


@dataclass
class Body:
    """A JSON request body: its fields' rules, which are required, whether the body may be absent,
    and fields refused with a reason (e.g. `name` where the generation says `alias`)."""

    fields: dict[str, Rule]
    required: tuple[str, ...] = ()
    optional: bool = False
    refused: dict[str, str] = field(default_factory=dict)

    def parse(self, data: dict[str, Any]) -> dict[str, Any]:
        """The given fields, checked; fields the body does not declare are ignored."""
        for key, reason in self.refused.items():
            if key in data:
                raise Problem(400, f"{key}: {reason}")
        values = {}
        for key, rule in self.fields.items():
            if key not in data:
                if key in self.required:
                    raise Problem(400, f"{key}: required")
                continue
            if data[key] is None and not rule.nullable:
                raise Problem(400, f"{key}: must not be null")
            values[key] = rule.check(data[key], key)
        return values

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {key: rule.openapi() for key, rule in self.fields.items()},
        }
        if self.required:
            schema["required"] = list(self.required)
        return {"required": not self.optional, "content": {"application/json": {"schema": schema}}}


@dataclass(frozen=True)
class Query:
    """A query parameter: its OpenAPI schema is also what it is checked against."""

    name: str
    schema: dict[str, Any]
    description: str

    def parse(self, request: Request) -> Any:
        values = request.query_params.getlist(self.name)
        if not values:
            return None
        if len(values) > 1:
            raise Problem(400, f"{self.name}: given more than once")
        value, kind = values[0], self.schema["type"]
        if kind == "boolean":
            if value.lower() not in BOOLEAN:
                raise Problem(400, f"{self.name}: expected true or false")
            return value.lower() in TRUE
        if kind == "integer":
            low, high = self.schema.get("minimum", 0), self.schema.get("maximum", 2**63 - 1)
            if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
                raise Problem(400, f"{self.name}: expected a whole number from {low} to {high}")
            return int(value)
        if "enum" in self.schema and value not in self.schema["enum"]:
            raise Problem(400, f"{self.name}: expected one of {', '.join(self.schema['enum'])}")
        if not value:
            raise Problem(400, f"{self.name}: must not be empty")
        return value

    def openapi(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "schema": self.schema,
            "description": self.description,
        }


PRETTY = Query("pretty", {"type": "boolean"}, "Return the response pretty printed")
EMBED = Query("_embed", {"type": "boolean"}, "Embed full resources in response payload")
