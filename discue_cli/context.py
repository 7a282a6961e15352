"""The Context every command receives: streams, environment, global flags, settings and clients.

Built once per run by the root callback in app.py (tests build their own: streams with chosen
terminal flags, a MockTransport for remote calls), in the spirit of gh's Factory/IOStreams.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from discue_cli.errors import UsageError
from discue_cli.output import IOStreams, Output, OutputFormat

if TYPE_CHECKING:
    import httpx

    from discue_cli.api.client import Client
    from discue_cli.settings import Settings

LOCAL_BASE_URL = "http://local.discue/v1"


class Context:
    """What a command may use; nothing here is global."""

    def __init__(
        self,
        flags: Mapping[str, Any] | None = None,
        *,
        streams: IOStreams | None = None,
        environ: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.flags: dict[str, Any] = dict(flags or {})
        self.streams = streams or IOStreams.system()
        self.environ = os.environ if environ is None else environ
        self.transport = transport  # remote calls go through it when set (tests)
        self.fmt: OutputFormat | None = None  # the running command's format, for the error boundary
        self._settings: Settings | None = None
        self.new_profile = False  # set by a command that creates the profile (auth login)
        self._warned = False

    @property
    def color(self) -> bool:
        return not (self.flags.get("no_color") or self.environ.get("NO_COLOR"))

    def output(self, fmt: OutputFormat | None = None) -> Output:
        """The writer for this run; a command that chooses a format registers it here."""
        if fmt is not None:
            self.fmt = fmt
        return Output(self.streams, self.fmt, color=self.color)

    def settings(self) -> Settings:
        """flag > environment > profile > default, resolved once; warnings shown once."""
        if self._settings is None:
            from discue_cli.settings import resolve

            self._settings = resolve(self.flags, self.environ, new_profile=self.new_profile)
            for warning in self._settings.warnings:
                self.output().warn(warning)
        return self._settings

    def config(self) -> tuple[Any, dict[str, Any], str]:
        """The config file's path, its parsed data and the profile this run acts on; warns on stderr."""
        from discue_cli.settings import config_path, load_config, profile_name

        path = config_path(self.environ)
        data, warnings = load_config(path)
        out = self.output()
        for warning in warnings:
            out.warn(warning)
        return path, data, profile_name(self.flags, self.environ)

    def client(self, out: Output, *, concurrency: int = 8) -> Client:
        """A Client for the resolved settings: the remote API, or the local discue in process."""
        from discue_cli.api.client import Client

        settings = self.settings()
        common = dict(
            timeout=settings.timeout,
            retries=settings.retries,
            on_exchange=out.exchange if settings.verbose else None,
            pretty=out.fmt.pretty,
            concurrency=concurrency,
        )
        if not settings.local:
            client = Client(settings.api_endpoint, settings.api_key, transport=self.transport, **common)
            client.generation = self.generation_tracker(settings)
            return client

        import httpx

        from discue_cli.api.generations import AUTO, LATEST_DOCUMENTED, Tracker
        from discue_cli.emulator.app import create_app
        from discue_cli.emulator.store import StoreUnavailable
        from discue_cli.settings import local_db_path

        # `auto` means the API as discue documents it today; one database serves every generation.
        generation = settings.api_version if settings.api_version != AUTO else LATEST_DOCUMENTED
        try:
            app = create_app(local_db_path(self.environ), require_key=False, generation=generation)
        except StoreUnavailable as exc:
            raise UsageError(str(exc), hint="set DISCUE_LOCAL_DB to a writable file") from None
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = Client(LOCAL_BASE_URL, None, transport=transport, require_key=False, **common)
        client.closers.append(app.state.store.close)
        pinned = settings.api_version != AUTO
        how = f"pinned by {self.api_version_source(settings)}" if pinned else "chosen by the local discue (auto)"
        client.generation = Tracker.fixed(generation, how)
        return client

    def api_version_source(self, settings: Settings) -> str:
        if self.flags.get("api_version") is not None:
            return "--api-version"
        if self.environ.get("DISCUE_API_VERSION"):
            return "DISCUE_API_VERSION"
        return f"the config file ({settings.config_path})"

    def generation_tracker(self, settings: Settings) -> Any:
        """What this run knows of the endpoint's API generation: pinned, or under `auto` what the cache holds."""
        from discue_cli.api.generations import CACHE_FILE, Tracker
        from discue_cli.settings import cache_dir

        cache = cache_dir(self.environ) / CACHE_FILE
        return Tracker.start(settings.api_version, settings.api_endpoint, cache, self.api_version_source(settings))
