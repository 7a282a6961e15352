"""Stubs of the 2023-04 and 2024-08 API for the generation tests: replies copied from discue's
API docs of April 2023 and the Terraform provider's API (docs/generations.md), and a stub that checks
the body it was sent."""

from __future__ import annotations

import json

import httpx
import pytest

ENDPOINT = "http://api.test/v1"
KEY = "SECRET-test-key-0123456789"
Q = "_Tzrg1O3jk4_FZTAEThNq"  # 21-character ids, as in the 2023-04 docs
L = "MbCS6UB_m7NdvyDOE8stT"
M = "_A36cABAOqhBdNeZeXB0l"
K = "YKOuoR5IIUUWxZeZLKf2O"
SECRET = "EPLPXwVOdhCxc4lylNpMeDM0_GhnCAZg3tFrWtZbb0cYQ7NCyRVfaN-O9rItf5kw"
NAME = {"2023-04": "name", "2024-08": "alias"}


@pytest.fixture
def api(cli):
    """The CLI against ENDPOINT (answered by httpmock), with `gen=` pinning a generation."""

    def invoke(*args: str, gen: str | None = None, **kwargs):
        pinned = ["--api-version", gen] if gen else []
        return cli("--api-endpoint", ENDPOINT, "--api-key", KEY, *pinned, *args, **kwargs)

    return invoke


def expect(httpmock, method: str, path: str, reply: dict, body=None, status: int = 200):
    """A stub that also checks the JSON body the CLI sent (None: no body at all)."""

    def respond(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content) if request.content else None
        assert sent == body, f"{method} {path} sent {sent}, expected {body}"
        return httpx.Response(status, json=reply)

    return httpmock.register(method, "/v1" + path, respond)


def named(gen: str, item_id: str, name: str, **rest) -> dict:
    return {"id": item_id, NAME[gen]: name, **rest}


def queues_reply(gen: str, *items: tuple[str, str]) -> dict:
    return {"queues": [named(gen, i, n) for i, n in items], "_links": {"self": {"href": f"{ENDPOINT}/queues"}}}


def listener(gen: str, name: str = "mailer") -> dict:
    extra = {"status": "enabled"} if gen == "2024-08" else {"liveness": {"state": "stable"}}
    return named(gen, L, name, notify_url="https://myapp.io/hook", liveness_url="https://myapp.io/live", **extra)
