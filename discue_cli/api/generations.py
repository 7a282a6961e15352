"""The shapes of the 2022-05, 2023-04 and 2024-08 API generations: read replies, build bodies, learn which.

discue changed its API without changing the version label (see CLI.md, "API generations"). Reading is
tolerant in every generation; writing follows the one in use, pinned with --api-version or, under `auto`,
learned from replies and remembered per endpoint in the user cache dir.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discue_cli.errors import UsageError

if TYPE_CHECKING:
    from discue_cli.api.client import Client

GENERATIONS = ("2022-05", "2023-04", "2024-08")
AUTO = "auto"
LATEST_DOCUMENTED = "2023-04"  # what the local discue serves under `auto`
CACHE_FILE = "generations.json"

UUID = re.compile(r"^[0-9a-fA-F]{6,8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
NANOID = re.compile(r"^[A-Za-z0-9_-]{21}$")
# Resources whose replies tell the generations apart (the provider documents these; messages it does not).
NAMED = ("queue", "listener", "api_key", "domain")

SCOPE_RESOURCES = (
    "api_clients", "api_keys", "channels", "domains", "events", "listeners",
    "messages", "queues", "schemas", "stats", "subscriptions", "topics",
)  # fmt: skip
SCOPE_FORM = "RESOURCE:ACCESS[:TARGET[,TARGET...]] (e.g. queues:write or messages:read:_Tzrg1O3jk4_FZTAEThNq)"
RULE_TYPES = ("object", "array", "string", "number")


def parse_generation(raw: Any, source: str, *, auto: bool = True) -> str:
    """A generation name or (unless `auto` is off: what a server speaks) `auto`, else a usage error saying
    what was expected; one wording for the global --api-version and `emulator serve --api-version`."""
    value = str(raw).strip()
    if value in GENERATIONS or (auto and value == AUTO):
        return value
    expected = ", ".join(GENERATIONS) + (" or auto" if auto else "")
    raise UsageError(f"{source}: unknown API generation '{raw}' (expected {expected})")


# -- reading


def name_of(item: dict[str, Any]) -> Any:
    """A resource's name: `name` (2022-05, 2023-04) or `alias` (2024-08)."""
    return item.get("name") if item.get("name") is not None else item.get("alias")


def display(item: dict[str, Any]) -> dict[str, Any]:
    """A copy for tables and TSV with the 2024-08 `alias` in the `name` column."""
    if "alias" not in item or "name" in item:
        return dict(item)
    shown: dict[str, Any] = {"id": item["id"]} if "id" in item else {}
    shown["name"] = item["alias"]
    shown.update((k, v) for k, v in item.items() if k not in ("id", "alias"))
    return shown


def looks_like_id(ref: str) -> bool:
    """Either id shape discue has used: a UUID (2022-05) or 21 URL-safe characters (2023-04 on)."""
    return bool(UUID.match(ref) or NANOID.match(ref))


def named_resources(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The queues, listeners, API keys and domains a reply carries, listed or single, embedded or not."""
    found: list[dict[str, Any]] = []
    for holder in (body, body.get("_embedded")):
        if not isinstance(holder, dict):
            continue
        for key in NAMED:
            for value in (holder.get(key), holder.get(key + "s")):
                items = value if isinstance(value, list) else [value]
                found.extend(i for i in items if isinstance(i, dict))
    return found


def detect(body: dict[str, Any]) -> tuple[str, bool] | None:
    """The generation a reply shows, and whether it is sure; None when it shows none.

    Sure signs are fields only one generation has. An id's shape is a hint only: resources created
    in 2022 keep their UUIDs after the API moved on."""
    items = named_resources(body)
    if any("alias" in i or isinstance(i.get("scopes"), dict) for i in items) or "domain" in body or "domains" in body:
        return "2024-08", True
    if "_embedded" in body or any(isinstance(i.get("listeners"), list) for i in items if "name" in i):
        return "2022-05", True
    if any(isinstance(i.get("scopes"), list) or "schema" in i for i in items):
        return "2023-04", True
    ids = [str(i["id"]) for i in items if "name" in i and i.get("id") is not None]
    if any(NANOID.match(i) and not UUID.match(i) for i in ids):
        return "2023-04", False
    if ids:
        return "2022-05", False
    return None


# -- knowing and remembering


def read_cache(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if v in GENERATIONS} if isinstance(data, dict) else {}


def write_cache(path: Path, endpoint: str, generation: str) -> None:
    """Remember an endpoint's generation; best effort (a cache that cannot be written costs a GET later)."""
    data = read_cache(path)
    data[endpoint] = generation
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


@dataclass
class Tracker:
    """What this run knows of its endpoint's generation, and how it came to know it."""

    setting: str = AUTO
    endpoint: str = ""
    cache: Path | None = None  # where `auto` remembers; None: nowhere
    known: str | None = None
    how: str = "not known yet"
    probed: bool = False
    seen: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, setting: str, endpoint: str, cache: Path | None, source: str = "--api-version") -> Tracker:
        if setting != AUTO:
            return cls(setting, endpoint, None, setting, f"pinned by {source}")
        known = read_cache(cache).get(endpoint) if cache else None
        how = f"auto: remembered from earlier replies ({cache})" if known else "auto: not known yet"
        return cls(setting, endpoint, cache, known, how)

    @classmethod
    def fixed(cls, generation: str, how: str) -> Tracker:
        return cls(generation, "", None, generation, how)

    def learn(self, generation: str, how: str) -> None:
        """What `auto` was told outright (an error that names the field), remembered like a reply."""
        if self.setting != AUTO:
            return
        self.known, self.how = generation, f"auto: {how}"
        if self.cache is not None:
            write_cache(self.cache, self.endpoint, generation)
            self.how += f", remembered in {self.cache}"

    def observe(self, body: dict[str, Any]) -> None:
        if self.setting != AUTO or not isinstance(body, dict):
            return
        found = detect(body)
        if found is None or found[0] == self.known:
            return
        generation, sure = found
        # A hint (an id's shape) fills a gap but never overrides what a sure sign said, except that any
        # `name` without `alias` contradicts 2024-08 (the endpoint now serves an older generation).
        if sure or self.known in (None, "2024-08"):
            self.known = generation
            self.how = "auto: detected from this endpoint's replies"
            if self.cache is not None:
                write_cache(self.cache, self.endpoint, generation)
                self.how += f", remembered in {self.cache}"


def tracker(client: Client) -> Tracker:
    """The client's tracker (set by Context.client); a bare client gets an `auto` one that remembers nothing."""
    found = getattr(client, "generation", None)
    if not isinstance(found, Tracker):
        found = Tracker()
        client.generation = found
    return found


async def writing(client: Client) -> str | None:
    """The generation a write must follow: under `auto`, learned first with one GET /queues if not known."""
    from discue_cli.api import call

    state = tracker(client)
    if state.known is None and not state.probed:
        state.probed = True
        await call(client, "GET", "/queues")
    return state.known


def refuse_unless(client: Client, feature: str, generations: tuple[str, ...]) -> None:
    """A usage error when the generation in use is known and lacks `feature`; unknown: let the server answer."""
    state = tracker(client)
    if state.known is not None and state.known not in generations:
        raise UsageError(
            f"the {state.known} API generation has no {feature} (it is in {', '.join(generations)})",
            hint=f"the generation was {state.how.removeprefix('auto: ')}; --api-version chooses another",
        )


SINCE_2023 = ("2023-04", "2024-08")
ONLY_2024 = ("2024-08",)


# -- writing


def name_key(generation: str | None) -> str:
    """The field a resource's name is written in: `alias` from 2024-08, `name` before (and when unknown)."""
    return "alias" if generation == "2024-08" else "name"


def with_name(generation: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    """A body with its `name` written as the generation wants it."""
    if "name" not in fields:
        return fields
    key = name_key(generation)
    return {(key if k == "name" else k): v for k, v in fields.items()}


def parse_scope(text: str) -> dict[str, Any]:
    """RESOURCE:ACCESS[:TARGET[,TARGET...]] as {resource, access, targets}; targets default to ["*"]."""
    parts = text.split(":")
    resource, access = (parts + ["", ""])[:2]
    targets = parts[2].split(",") if len(parts) == 3 else ["*"]
    problems = []
    if len(parts) not in (2, 3):
        problems.append(f"expected {SCOPE_FORM}")
    if resource not in SCOPE_RESOURCES:
        problems.append(f"RESOURCE must be one of {', '.join(SCOPE_RESOURCES)}")
    if access not in ("read", "write"):
        problems.append("ACCESS must be read or write")
    if any(not t or t != t.strip() for t in targets):
        problems.append("TARGETs are ids or *, separated by commas")
    if problems:
        raise UsageError(f"--scope '{text}': {'; '.join(problems)}")
    return {"resource": resource, "access": access, "targets": targets}


def scopes_body(scopes: list[dict[str, Any]], generation: str | None) -> Any:
    """A list of {resource, access, targets} (2023-04), or an object keyed by resource (2024-08)."""
    if generation != "2024-08":
        return scopes
    keyed: dict[str, Any] = {}
    for scope in scopes:
        if scope["resource"] in keyed:
            raise UsageError(
                f"--scope: '{scope['resource']}' is given twice; the 2024-08 generation keeps one scope per resource"
            )
        keyed[scope["resource"]] = {"access": scope["access"], "targets": scope["targets"]}
    return keyed


def schema_problems(rules: Any, where: str = "") -> list[str]:
    """What is wrong with a queue schema: a JSON object of field name -> rule, as create-a-queue.md lists."""
    if not isinstance(rules, dict):
        return [f"{where or 'the schema'} must be an object of field rules"]
    if not rules and not where:
        return ["the schema must have at least one field rule (--no-schema removes a schema)"]
    problems: list[str] = []
    for name, rule in rules.items():
        path = f"{where}{name}"
        if not isinstance(rule, dict):
            problems.append(f"{path}: a rule must be an object with a type")
            continue
        kind = rule.get("type")
        if kind not in RULE_TYPES:
            problems.append(f"{path}: type must be one of {', '.join(RULE_TYPES)}")
        elif kind == "object":
            props = rule.get("props")
            if not isinstance(props, dict) or not props:
                problems.append(f"{path}: an object rule needs props, an object of at least one rule")
            else:
                problems.extend(schema_problems(props, path + "."))
        elif kind == "array":
            problems.extend(schema_problems({"items": rule.get("items")}, path + "."))
        if "required" in rule and not isinstance(rule["required"], bool):
            problems.append(f"{path}: required must be true or false")
    return problems
