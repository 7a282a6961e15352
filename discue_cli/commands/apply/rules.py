"""Queue message schemas as `apply` reads them: checked rule by rule, and normalised for comparison.

The rules are the API overview's (discue's docs of April 2023, "Create a queue"): a map from field name
to a rule whose `type` is object, array, string or number.
"""

from __future__ import annotations

from typing import Any

from discue_cli.output.plan import printable

COMMON = {"type", "required"}
KEYS = {
    "object": COMMON | {"props", "strict"},
    "array": COMMON | {"items"},
    "string": COMMON | {"pattern", "enum", "min", "max"},
    "number": COMMON | {"min", "max"},
}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def schema_problems(schema: Any, where: str) -> list[str]:
    """What is wrong with a `schema` value; empty when it is a table of valid rules."""
    if not isinstance(schema, dict):
        return [f'{where}: expected a table of field rules, e.g. schema = {{ userId = {{ type = "string" }} }}']
    if not schema:
        return [f"{where}: an empty table (leave schema out for a queue without one)"]
    problems: list[str] = []
    for field, rule in schema.items():
        problems += rule_problems(rule, f"{where}.{printable(str(field))}")
    return problems


def rule_problems(rule: Any, where: str) -> list[str]:
    if not isinstance(rule, dict):
        return [f"{where}: expected a rule table with a type"]
    kind = rule.get("type")
    if kind not in KEYS:
        return [f"{where}: type must be one of {', '.join(KEYS)}, got {printable(repr(kind))}"]
    problems = [f"{where}: unknown key '{printable(key)}' for a {kind} rule" for key in rule if key not in KEYS[kind]]
    for flag in ("required", "strict"):
        if flag in rule and not isinstance(rule[flag], bool):
            problems.append(f"{where}.{flag}: expected true or false")
    for bound in ("min", "max"):
        if bound in rule and not is_number(rule[bound]):
            problems.append(f"{where}.{bound}: expected a number")
    if kind == "object":
        props = rule.get("props")
        if not isinstance(props, dict) or not props:
            problems.append(f"{where}.props: an object rule needs a table of at least one nested rule")
        else:
            for name, nested in props.items():
                problems += rule_problems(nested, f"{where}.props.{printable(str(name))}")
    elif kind == "array":
        if "items" not in rule:
            problems.append(f"{where}.items: an array rule needs the rule of its items")
        else:
            problems += rule_problems(rule["items"], f"{where}.items")
    elif kind == "string":
        if "pattern" in rule and not isinstance(rule["pattern"], str):
            problems.append(f"{where}.pattern: expected a string")
        enum = rule.get("enum")
        if "enum" in rule and (not isinstance(enum, list) or not enum or not all(isinstance(v, str) for v in enum)):
            problems.append(f"{where}.enum: expected a list of strings")
    return problems


def normalised(schema: Any) -> Any:
    """A schema with its defaults spelled out, so a server that fills them in shows no drift."""
    if not isinstance(schema, dict) or not schema:
        return None
    return {field: normalised_rule(rule) for field, rule in schema.items()}


def normalised_rule(rule: Any) -> Any:
    if not isinstance(rule, dict):
        return rule
    out = {"required": True, **rule}
    if rule.get("type") == "object":
        out.setdefault("strict", True)
        if isinstance(rule.get("props"), dict):
            out["props"] = {name: normalised_rule(nested) for name, nested in rule["props"].items()}
    if rule.get("type") == "array":
        out["items"] = normalised_rule(rule.get("items"))
    return out
