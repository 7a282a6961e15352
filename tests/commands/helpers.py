"""Helpers the command tests of several nouns share."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import LISTENER_URLS

NOTIFY = LISTENER_URLS


def make_queue(local, name="orders") -> str:
    return local("queues", "create", name, "-q").stdout.strip()


def make_listener(local, queue="orders", name="mailer") -> str:
    result = local("listeners", "add", queue, name, *NOTIFY, "-q")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def config_file() -> Path:
    return Path(os.environ["DISCUE_CONFIG"])
