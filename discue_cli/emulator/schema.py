"""Queue message schemas (2023-04 on): checking a schema, and checking a message's data against it.

The rules are those of the 2023 API overview (`queues/create-a-queue.md`): a schema maps each top-level
field of the message's JSON `data` to a rule whose `type` is object (`props`, `strict`), array (`items`),
string (`pattern`, `enum`, `min`, `max`) or number (`min`, `max`); every rule may set `required`
(default true). `strict` defaults to true: an object with properties its rule does not declare fails.
The top level is not strict (fields the schema does not name pass).

Patterns are matched with `regex` (re's syntax, plus variable-length lookbehind and \\p{..}) under a time
limit: re backtracks without bound while holding the GIL, so one hostile pattern froze the server. They
are compiled off the event loop, under a length cap and a time limit (a 1 MiB pattern froze it 9.3 s).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

TYPES = ("object", "array", "string", "number")
KEYS = {
    "object": {"props", "strict"},
    "array": {"items"},
    "string": {"pattern", "enum", "min", "max"},
    "number": {"min", "max"},
}
MAX_DEPTH = 16
# All the pattern matches of one message together: a match past it is cut off and the message refused.
PATTERN_SECONDS = 0.25
MAX_PATTERN = 1000  # characters
COMPILE_SECONDS = 1.0  # all the patterns of one schema together


class SchemaError(ValueError):
    """A malformed schema (400) or data that breaks one (422); the message is the reply's title."""


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_schema(schema: Any, where: str = "schema") -> dict[str, Any]:
    """The schema if well-formed, else SchemaError naming the first fault."""
    return _check_fields(schema, where, 0)


def _check_fields(fields: Any, where: str, depth: int) -> dict[str, Any]:
    if not isinstance(fields, dict) or not fields:
        raise SchemaError(f"{where}: expected an object mapping field names to rules")
    for name, rule in fields.items():
        if not name:
            raise SchemaError(f"{where}: a field name is empty")
        _check_rule(rule, f"{where}.{name}", depth)
    return fields


def _check_rule(rule: Any, where: str, depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise SchemaError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    if not isinstance(rule, dict):
        raise SchemaError(f"{where}: expected a rule object with a type")
    kind = rule.get("type")
    if kind not in TYPES:
        raise SchemaError(f"{where}.type: expected one of {', '.join(TYPES)}")
    unknown = sorted(set(rule) - KEYS[kind] - {"type", "required"})
    if unknown:
        raise SchemaError(f"{where}.{unknown[0]}: not a property of a {kind} rule")
    for key in ("required", "strict"):
        if key in rule and not isinstance(rule[key], bool):
            raise SchemaError(f"{where}.{key}: expected true or false")
    if kind == "object":
        if "props" not in rule:
            raise SchemaError(f"{where}.props: an object rule needs props")
        _check_fields(rule["props"], f"{where}.props", depth + 1)
    elif kind == "array":
        if "items" not in rule:
            raise SchemaError(f"{where}.items: an array rule needs items")
        _check_rule(rule["items"], f"{where}.items", depth + 1)
    else:
        _check_bounds(rule, where, kind)
    if kind == "string":
        _check_string_rule(rule, where)


def _check_bounds(rule: dict[str, Any], where: str, kind: str) -> None:
    for key in ("min", "max"):
        if key not in rule:
            continue
        value = rule[key]
        if kind == "string" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise SchemaError(f"{where}.{key}: expected a length (a whole number, 0 or more)")
        if kind == "number" and not is_number(value):
            raise SchemaError(f"{where}.{key}: expected a number")
    if "min" in rule and "max" in rule and rule["min"] > rule["max"]:
        raise SchemaError(f"{where}: min is greater than max")


def _check_string_rule(rule: dict[str, Any], where: str) -> None:
    if "pattern" in rule:
        if not isinstance(rule["pattern"], str):
            raise SchemaError(f"{where}.pattern: expected a regular expression")
        if len(rule["pattern"]) > MAX_PATTERN:
            raise SchemaError(f"{where}.pattern: longer than {MAX_PATTERN} characters")
    if "enum" in rule:
        values = rule["enum"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise SchemaError(f"{where}.enum: expected a list of strings")


def patterns(fields: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    """(where, pattern) for every pattern of a schema that check_schema passed."""
    for name, rule in fields.items():
        at = f"{where}.{name}"
        while rule["type"] == "array":
            rule, at = rule["items"], f"{at}.items"
        if rule["type"] == "object":
            yield from patterns(rule["props"], f"{at}.props")
        elif "pattern" in rule:
            yield f"{at}.pattern", rule["pattern"]


async def compile_patterns(schema: dict[str, Any], where: str = "schema") -> None:
    """SchemaError unless every pattern of a checked schema compiles, in a thread, within COMPILE_SECONDS
    (a thread past the limit runs on, but MAX_PATTERN bounds what it can take)."""
    found = list(patterns(schema, where))
    if not found:
        return
    try:
        await asyncio.wait_for(asyncio.to_thread(_compile_all, found), COMPILE_SECONDS)
    except TimeoutError:
        limit = f"over {COMPILE_SECONDS:g} seconds"
        raise SchemaError(f"{where}: its patterns took too long to compile ({limit})") from None


def _compile_all(found: list[tuple[str, str]]) -> None:
    import regex  # only schemas with a pattern pay for it

    for where, pattern in found:
        try:
            regex.compile(pattern)
        except RecursionError:  # ((((...)))) nested some hundreds deep
            raise SchemaError(f"{where}: not a regular expression (nested too deeply)") from None
        except Exception as exc:  # regex.error, and whatever else a hostile pattern finds in the parser
            raise SchemaError(f"{where}: not a regular expression ({exc})") from None


def has_pattern(rules: dict[str, Any]) -> bool:
    """Whether any rule of a (checked) schema has a pattern: its messages are best matched off the event loop."""
    for rule in rules.values():
        while rule["type"] == "array":
            rule = rule["items"]
        if "pattern" in rule or (rule["type"] == "object" and has_pattern(rule["props"])):
            return True
    return False


def check_message(schema: dict[str, Any], data: str) -> None:
    """Nothing when `data` (JSON text) satisfies `schema`; else SchemaError naming the first fault. Its
    patterns have PATTERN_SECONDS in all; the GIL is released while they run."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise SchemaError("data: expected JSON text (the queue has a schema)") from None
    if not isinstance(value, dict):
        raise SchemaError("data: expected a JSON object (the queue has a schema)")
    _match_fields(schema, value, "data", False, time.monotonic() + PATTERN_SECONDS)


def _match_fields(rules: dict[str, Any], value: dict[str, Any], where: str, strict: bool, deadline: float) -> None:
    for name, rule in rules.items():
        if value.get(name) is None:
            if rule.get("required", True):
                raise SchemaError(f"{where}.{name}: required")
            continue
        _match(rule, value[name], f"{where}.{name}", deadline)
    if strict:
        extra = [name for name in value if name not in rules]
        if extra:
            raise SchemaError(f"{where}.{extra[0]}: not declared in the schema")


def _match(rule: dict[str, Any], value: Any, where: str, deadline: float) -> None:
    kind = rule["type"]
    if kind == "object":
        if not isinstance(value, dict):
            raise SchemaError(f"{where}: expected an object")
        _match_fields(rule["props"], value, where, rule.get("strict", True), deadline)
    elif kind == "array":
        if not isinstance(value, list):
            raise SchemaError(f"{where}: expected an array")
        for index, item in enumerate(value):
            if item is None and not rule["items"].get("required", True):
                continue
            _match(rule["items"], item, f"{where}[{index}]", deadline)
    elif kind == "string":
        _match_string(rule, value, where, deadline)
    else:
        if not is_number(value):
            raise SchemaError(f"{where}: expected a number")
        if "min" in rule and value < rule["min"]:
            raise SchemaError(f"{where}: expected at least {rule['min']}")
        if "max" in rule and value > rule["max"]:
            raise SchemaError(f"{where}: expected at most {rule['max']}")


def _match_string(rule: dict[str, Any], value: Any, where: str, deadline: float) -> None:
    if not isinstance(value, str):
        raise SchemaError(f"{where}: expected a string")
    if "min" in rule and len(value) < rule["min"]:
        raise SchemaError(f"{where}: expected at least {rule['min']} characters")
    if "max" in rule and len(value) > rule["max"]:
        raise SchemaError(f"{where}: expected at most {rule['max']} characters")
    if "pattern" in rule and not _search(rule["pattern"], value, where, deadline):
        raise SchemaError(f"{where}: does not match the pattern {rule['pattern']}")
    if "enum" in rule and value not in rule["enum"]:
        raise SchemaError(f"{where}: expected one of {', '.join(rule['enum'])}")


def _search(pattern: str, value: str, where: str, deadline: float) -> bool:
    import regex

    try:
        # concurrent: the GIL is released, so the event loop and signal handlers go on meanwhile
        found = regex.search(pattern, value, timeout=max(deadline - time.monotonic(), 0.001), concurrent=True)
    except TimeoutError:
        limit = f"over {PATTERN_SECONDS:g} seconds"
        raise SchemaError(f"{where}: the pattern {pattern} took too long to match ({limit})") from None
    except Exception as exc:  # stored before patterns were compiled with regex, and capped
        raise SchemaError(f"{where}: the pattern {pattern} is not a regular expression ({exc})") from None
    return found is not None
