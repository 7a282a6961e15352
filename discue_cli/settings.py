"""Where settings come from: flag > environment > config profile > default.

Nothing here prints; warnings are returned for `output` to show.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discue_cli.errors import UsageError
from discue_cli.redaction import redact_url

DEFAULT_ENDPOINT = "https://api.discue.io/v1"
DEFAULT_PROFILE = "default"
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3

# config key -> environment variable
ENV_VARS = {
    "api_key": "DISCUE_API_KEY",
    "api_endpoint": "DISCUE_API_ENDPOINT",
    "local": "DISCUE_LOCAL",
    "timeout": "DISCUE_TIMEOUT",
    "retries": "DISCUE_RETRIES",
    "api_version": "DISCUE_API_VERSION",
}
CONFIG_KEYS = tuple(ENV_VARS)
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


@dataclass
class Settings:
    """Everything a command needs to reach an API, fully resolved."""

    profile: str = DEFAULT_PROFILE
    api_key: str | None = None
    api_endpoint: str = DEFAULT_ENDPOINT
    local: bool = False
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    api_version: str = "auto"
    verbose: bool = False
    config_path: Path = field(default_factory=lambda: config_path(os.environ))
    warnings: list[str] = field(default_factory=list)
    # setting -> where its value came from: "--api-key", "DISCUE_API_KEY", "profile 'ci' in FILE"; absent: default
    sources: dict[str, str] = field(default_factory=dict)


def config_path(env: Mapping[str, str]) -> Path:
    """$DISCUE_CONFIG, else config.toml in the user's config dir."""
    if env.get("DISCUE_CONFIG"):
        return Path(env["DISCUE_CONFIG"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("discue")) / "config.toml"


def local_db_path(env: Mapping[str, str]) -> Path:
    """$DISCUE_LOCAL_DB, else local.sqlite3 in the user's data dir."""
    if env.get("DISCUE_LOCAL_DB"):
        return Path(env["DISCUE_LOCAL_DB"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("discue")) / "local.sqlite3"


def cache_dir(env: Mapping[str, str]) -> Path:
    """$DISCUE_CACHE_DIR, else the user's cache dir (where `auto` remembers each endpoint's API generation)."""
    if env.get("DISCUE_CACHE_DIR"):
        return Path(env["DISCUE_CACHE_DIR"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("discue"))


def check_key(key: str) -> None:
    """A setting the config file knows, or a usage error listing them."""
    if key not in CONFIG_KEYS:
        raise UsageError(f"unknown setting '{key}' (known: {', '.join(CONFIG_KEYS)})")


def parse_value(key: str, raw: Any, source: str) -> Any:
    """Check and convert one setting; `source` names where it came from, for the error."""
    check_key(key)
    if key == "api_key":
        if not isinstance(raw, str):  # `api_key = 5` in the config: no key is a number
            raise UsageError(f"{source}: expected a string, not a {kind(raw)}")
        value = raw.strip()
        if not value or any(c.isspace() for c in value):
            raise UsageError(f"{source}: the API key is empty or contains white space")
        if not (value.isascii() and value.isprintable()):
            # it travels in an HTTP header, which carries ASCII only
            raise UsageError(f"{source}: the API key must be printable ASCII")
        return value
    if key == "api_endpoint":
        return check_endpoint(str(raw), source)
    if key == "local":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise UsageError(f"{source}: expected true or false, got '{raw}'")
    if key == "api_version":
        from discue_cli.api.generations import parse_generation

        return parse_generation(raw, source)
    if key == "timeout":
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise UsageError(f"{source}: expected a number of seconds, got '{raw}'") from None
        if not 0 < value <= 3600:
            raise UsageError(f"{source}: the timeout must be more than 0 and at most 3600 seconds")
        return value
    # retries
    try:
        value = int(str(raw))
    except ValueError:
        raise UsageError(f"{source}: expected a whole number, got '{raw}'") from None
    if not 0 <= value <= 20:
        raise UsageError(f"{source}: retries must be from 0 to 20")
    return value


def check_endpoint(url: str, source: str) -> str:
    """An http(s) URL with a host and a valid port, if any; returned without a trailing slash."""
    from discue_cli.urls import url_problem

    url = url.strip()
    problem = url_problem(url, redact_url(url))
    if problem:
        raise UsageError(f"{source}: {problem}")
    if "?" in url or "#" in url:  # paths are added after it: a query would swallow them (and show a token)
        shown = redact_url(url).split("#", 1)[0].split("?", 1)[0]
        raise UsageError(f"{source}: an endpoint takes no query or fragment ('{shown}?…')")
    return url.rstrip("/")


def load_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The parsed config file (empty when absent) and any warnings about it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror}") from None
    import tomllib

    warnings = []
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(f"config file {path} is readable by others; it may hold an API key (chmod 600 {path})")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    check_shape(data, path)
    return data, warnings


def check_shape(data: dict[str, Any], path: Path) -> None:
    """`profiles` a table of tables, as every reader of the config assumes."""
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise UsageError(f"config file {path}: 'profiles' must be a table ([profiles.NAME]), not a {kind(profiles)}")
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise UsageError(
                f"config file {path}: profile '{name}' must be a table ([profiles.{name}]), not a {kind(table)}"
            )


def kind(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "table"}.get(
        type(value), "value"
    )


def profile_table(data: dict[str, Any], profile: str) -> dict[str, Any]:
    """The [profiles.NAME] table, or an empty one."""
    table = data.get("profiles", {}).get(profile, {})
    return table if isinstance(table, dict) else {}


def save_config(path: Path, data: Any) -> None:
    """Write the config (a dict or a tomlkit document) atomically, readable by the owner only."""
    import tomlkit

    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(tomlkit.dumps(data).encode("utf-8"))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write the config file {path}: {exc.strerror or exc}") from None


def update_profile(path: Path, profile: str, changes: Mapping[str, Any]) -> None:
    """Set the given keys of [profiles.NAME] (None removes one), keeping the file's comments and layout;
    a profile left empty is removed, so `auth logout` leaves no bare `[profiles.ci]` behind."""
    import tomlkit

    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        doc = tomlkit.document()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except tomlkit.exceptions.ParseError as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    profiles = doc.get("profiles")
    if profiles is None:
        if all(value is None for value in changes.values()):
            return
        profiles = doc["profiles"] = tomlkit.table(is_super_table=True)
    table = profiles.get(profile)
    if table is None:
        table = profiles[profile] = tomlkit.table()
    if not isinstance(profiles, dict) or not isinstance(table, dict):
        raise UsageError(f"config file {path}: [profiles.{profile}] is not a table")
    for key, value in changes.items():
        if value is None:
            table.pop(key, None)
        else:
            set_keeping_layout(table, key, value)
    if not table:
        del profiles[profile]
    if not profiles:
        del doc["profiles"]
    save_config(path, doc)


def set_keeping_layout(table: Any, key: str, value: Any) -> None:
    """Set a key; a new one goes after the table's last key, not after the comment that opens the next table."""
    body = getattr(getattr(table, "value", None), "body", None)
    if key in table or not isinstance(body, list):
        table[key] = value
        return
    trailing = []
    while body and body[-1][0] is None:  # comments and blank lines (no key)
        trailing.insert(0, body.pop())
    table[key] = value
    body.extend(trailing)


def profile_name(flags: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """--profile, else $DISCUE_PROFILE, else `default`."""
    return flags.get("profile") or env.get("DISCUE_PROFILE") or DEFAULT_PROFILE


def resolve(flags: Mapping[str, Any], env: Mapping[str, str], *, new_profile: bool = False) -> Settings:
    """Settings from the global flags (None when not given), the environment and the config.

    `new_profile`: the command is about to create the profile, so its absence is no news."""
    profile = profile_name(flags, env)
    path = config_path(env)
    data, warnings = load_config(path)
    table = profile_table(data, profile)
    if (
        not new_profile
        and profile != DEFAULT_PROFILE
        and profile not in data.get("profiles", {})
        and (flags.get("profile") or env.get("DISCUE_PROFILE"))
    ):
        warnings.append(f"profile '{profile}' is not in {path}; using flags, environment and defaults")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, var in ENV_VARS.items():
        if flags.get(key) is not None:
            sources[key] = f"--{key.replace('_', '-')}"
            values[key] = parse_value(key, flags[key], sources[key])
        elif env.get(var) not in (None, ""):
            sources[key] = var
            values[key] = parse_value(key, env[var], var)
        elif key in table:
            sources[key] = f"profile '{profile}' in {path}"
            values[key] = parse_value(key, table[key], f"{path} [profiles.{profile}] {key}")
    return Settings(
        profile=profile,
        verbose=bool(flags.get("verbose")),
        config_path=path,
        warnings=warnings,
        sources=sources,
        **values,
    )
