"""The shapes of the 2022-05, 2023-04 and 2024-08 API generations: read replies, build bodies, learn which.

discue changed its API without changing the version label (docs/generations.md). Reading is
tolerant in every generation; writing follows the one in use, pinned with --api-version or, under `auto`,
learned from replies and remembered per endpoint in the user cache dir.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discue_cli.errors import ApiError, DiscueError, UsageError
from discue_cli.generations import AUTO, DEFAULT, GENERATIONS

if TYPE_CHECKING:
    from discue_cli.api.client import Client

CACHE_FILE = "generations.json"
CACHE_LIMIT = 1 << 20  # a cache file bigger than this is not ours to read

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


def cache_key(endpoint: str) -> str:
    """What the cache knows an endpoint by: scheme, host, port and path; never credentials, query or fragment."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(endpoint.strip())
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return ""
    if not host:
        return ""
    scheme = parts.scheme.lower()
    host = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):  # the default port is no port
        host += f":{port}"
    return f"{scheme}://{host}{parts.path.rstrip('/')}"


def read_cache(path: Path) -> dict[str, str]:
    """The remembered generations; anything unreadable (garbage, deep nesting, wrong types) is no memory."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(CACHE_LIMIT + 1)
        data = json.loads(raw) if len(raw) <= CACHE_LIMIT else None
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    # Only keys in today's form: an older cache keyed by whole URLs (credentials included) is dropped
    # at the next write.
    return {k: v for k, v in data.items() if isinstance(k, str) and v in GENERATIONS and cache_key(k) == k}


def write_cache(path: Path, endpoint: str, generation: str) -> None:
    """Remember an endpoint's generation; best effort (a cache that cannot be written costs a GET later).

    The file is 0600 in a 0700 folder, replaced whole (a reader never sees half a file), and writers
    take turns under a lock, each merging what the others wrote."""
    key = cache_key(endpoint)
    if not key:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix" and path.parent.stat().st_mode & 0o077:
            os.chmod(path.parent, 0o700)
        with CacheLock(path):
            data = read_cache(path)
            if data.get(key) == generation:
                return
            data[key] = generation
            replace_file(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
    except OSError:
        pass


def replace_file(path: Path, text: str) -> None:
    """Write `text` to a private temporary file beside `path`, then move it over `path` in one step."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise


class CacheLock:
    """An exclusive lock on `<cache>.lock` where the platform has one (POSIX); elsewhere nothing."""

    def __init__(self, path: Path):
        self.path = path.with_name(path.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> CacheLock:
        try:
            import fcntl
        except ImportError:  # Windows: last writer wins, as before
            return self
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock


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
    remembered: bool = False  # `known` came from the cache and no reply of this run has confirmed it yet
    say: Callable[[str], None] | None = None  # where a change of mind is told (stderr); set by Context

    @classmethod
    def start(cls, setting: str, endpoint: str, cache: Path | None, source: str = "--api-version") -> Tracker:
        if setting != AUTO:
            return cls(setting, endpoint, None, setting, f"pinned by {source}")
        known = read_cache(cache).get(cache_key(endpoint)) if cache else None
        how = f"auto: remembered from earlier replies ({cache})" if known else "auto: not known yet"
        return cls(setting, endpoint, cache, known, how, remembered=known is not None)

    @classmethod
    def fixed(cls, generation: str, how: str) -> Tracker:
        return cls(generation, "", None, generation, how)

    def learn(self, generation: str, how: str) -> None:
        """What `auto` was told outright (an error that names the field), remembered like a reply."""
        if self.setting != AUTO:
            return
        self.settle(generation, f"auto: {how}")

    def settle(self, generation: str, how: str) -> None:
        """Take `generation` as this endpoint's, remember it, and say so when it overturns what was known."""
        before = self.known
        self.known, self.how, self.remembered = generation, how, False
        if self.cache is not None:
            write_cache(self.cache, self.endpoint, generation)
            self.how += f", remembered in {self.cache}"
        if before is not None and before != generation and self.say is not None:
            from discue_cli.redaction import redact_url

            self.say(
                f"{redact_url(self.endpoint)} now answers as the {generation} API generation, not {before} "
                "as remembered; it is remembered now"
            )

    def observe(self, body: dict[str, Any]) -> None:
        if self.setting != AUTO or not isinstance(body, dict):
            return
        found = detect(body)
        if found is None:
            return
        generation, sure = found
        if generation == self.known:
            self.remembered = self.remembered and not sure
            return
        # A hint (an id's shape) fills a gap but never overrides what a sure sign said, except that any
        # `name` without `alias` contradicts 2024-08 (the endpoint now serves an older generation).
        if sure or self.known in (None, "2024-08"):
            self.settle(generation, "auto: detected from this endpoint's replies")

    async def detect_again(self, client: Client, evidence: str | None = None) -> None:
        """Look again (one GET /queues) after a reply contradicted what was known; `evidence` is the
        generation the contradiction itself points to."""
        if self.setting != AUTO:
            return
        body: dict[str, Any] = {}
        with contextlib.suppress(DiscueError):
            body = await client.request("GET", "/queues")
        self.reconsider(body, evidence)

    def reconsider(self, body: dict[str, Any], evidence: str | None = None) -> None:
        """Judge a reply afresh, as if nothing were known: a sure sign, else `evidence`, else a hint (ids' shape)."""
        if self.setting != AUTO:
            return
        found = detect(body) if isinstance(body, dict) else None
        sure = found[0] if found and found[1] else None
        generation = sure or evidence or (found[0] if found else None)
        if generation is not None and (generation != self.known or self.remembered):
            self.settle(generation, "auto: detected afresh from this endpoint's replies")


def tracker(client: Client) -> Tracker:
    """The client's tracker (set by Context.client); a bare client gets an `auto` one that remembers nothing."""
    found = getattr(client, "generation", None)
    if not isinstance(found, Tracker):
        found = Tracker()
        client.generation = found
    return found


async def writing(client: Client) -> str | None:
    """The generation a write must follow: under `auto`, learned first with one GET /queues if not known."""
    state = tracker(client)
    if state.known is None and not state.probed:
        state.probed = True
        state.observe(await client.request("GET", "/queues"))
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

# What a given field is called in messages, and the generations that keep it, by (resource key, field).
FEATURES: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("queue", "schema"): ("queue schemas", SINCE_2023),
    ("message", "name"): ("message names on create", SINCE_2023),
    ("api_key", "scopes"): ("API key scopes", SINCE_2023),
    ("api_key", "status"): ("API key status on create", SINCE_2023),
}


# -- writing: the reply must show what was given


async def write(
    client: Client,
    method: str,
    path: str,
    key: str,
    build: Callable[[], Awaitable[Any]],
    given: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Send a write whose body `build` makes for the generation in use, and check the reply kept `given`.

    Under `auto`, a 400 that asks for another generation's word for the name (`alias` for `name`, or
    back) makes the CLI detect again and, when that changed its mind, send once more (a 400 stored
    nothing). A reply without a given field is an error (exit 1), pinned generations included."""
    state = tracker(client)
    body = await build()
    before = state.known
    try:
        reply = await client.request(method, path, json_body=body)
    except ApiError as error:
        wanted = asked_for(error, body)
        if state.setting != AUTO or wanted is None:
            raise
        if name_key(state.known) != wanted:  # the client may have learnt it from this very 400
            await state.detect_again(client, "2024-08" if wanted == "alias" else DEFAULT)
        if name_key(state.known) != wanted:
            raise
        if before is None and state.say is not None:  # nothing was remembered, so settle() said nothing
            state.say(f"this endpoint speaks the {state.known} API generation ({wanted}): sent again with {wanted}")
        body = await build()
        reply = await client.request(method, path, json_body=body)
    state.observe(reply)
    missing = dropped(reply, key, given)
    if missing:
        await refuse_dropped(client, key, missing, reply)
    return reply


def asked_for(error: DiscueError, body: Any) -> str | None:
    """`alias` or `name` when a 400 asks for the one of them that `body` did not send; else None."""
    if error.status != 400 or not isinstance(body, dict):
        return None
    text = f"{error.title} {getattr(error, 'detail', '') or ''}"
    for wanted, sent in (("alias", "name"), ("name", "alias")):
        if sent in body and wanted not in body and re.search(rf"\b{wanted}\b", text):
            return wanted
    return None


def dropped(reply: Any, key: str, given: tuple[str, ...]) -> list[str]:
    """The given fields the reply's resource lacks; none when the reply carries no resource to tell."""
    item = reply.get(key) if isinstance(reply, dict) else None
    if not isinstance(item, dict) or item.get("id") is None:  # no resource shown back: nothing to tell by
        return []
    return [f for f in given if (name_of(item) if f == "name" else item.get(f)) is None]


async def refuse_dropped(client: Client, key: str, missing: list[str], reply: dict[str, Any]) -> None:
    """The error for a write the server took without some of what was given; under `auto`, detect again first."""
    state = tracker(client)
    feature, keeping = FEATURES.get((key, missing[0]), (missing[0], GENERATIONS))
    if state.setting == AUTO:
        lacking = [g for g in GENERATIONS if g not in keeping]
        await state.detect_again(client, lacking[0] if len(lacking) == 1 else None)
    item = reply.get(key) or {}
    what = key.replace("_", " ")
    done = f"the {what} was stored ({item.get('id')})" if item.get("id") is not None else f"the {what} was stored"
    fields = " and ".join(missing)
    if state.setting != AUTO:
        how = state.how.removeprefix("pinned ")
        hint = f"the API generation is pinned to {state.setting} ({how}): this server may speak another; try auto"
    elif state.known is not None and state.known not in keeping:
        hint = f"this endpoint answers as the {state.known} API generation, which has no {feature}"
    else:
        hint = f"this endpoint ({state.known or 'generation unknown'}) did not keep it"
    raise ApiError(f"the server dropped the {fields} you gave: {done} without it", hint=hint)


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
