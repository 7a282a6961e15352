"""One rule for every URL the CLI takes (endpoint, listener URLs, apply's file): checked before anything is sent."""

from __future__ import annotations

import pytest

from tests.conftest import LISTENER_URLS

KEY = ("--api-key", "k" * 20)
BAD_ENDPOINTS = [
    ("http://127.0.0.1:99999/v1", "'http://127.0.0.1:99999/v1' has an invalid port (1-65535)"),
    ("http://127.0.0.1:65536/v1", "'http://127.0.0.1:65536/v1' has an invalid port (1-65535)"),
    ("http://127.0.0.1:-1/v1", "'http://127.0.0.1:-1/v1' has an invalid port (1-65535)"),
    ("http://127.0.0.1:0/v1", "'http://127.0.0.1:0/v1' has an invalid port (1-65535)"),
    ("http://127.0.0.1:abc/v1", "'http://127.0.0.1:abc/v1' has an invalid port (1-65535)"),
    ("http://127.0.0.1:+80/v1", "'http://127.0.0.1:+80/v1' has an invalid port (1-65535)"),
    ("http://[::1", "'http://[::1' is not an http(s) URL"),
    ("http://u:secret@127.0.0.1:99999/v1", "'http://***@127.0.0.1:99999/v1' has an invalid port (1-65535)"),
    # paths go after the endpoint: a query would swallow them, and show its token in -v lines
    ("http://u:pw@127.0.0.1:1/v1?token=T#f", "an endpoint takes no query or fragment ('http://***@127.0.0.1:1/v1?…')"),
]


@pytest.mark.parametrize(("url", "why"), BAD_ENDPOINTS)
def test_a_bad_endpoint_is_a_usage_error_naming_its_source(cli, httpmock, url, why):
    flag = cli("--api-endpoint", url, *KEY, "queues", "list")
    assert (flag.exit_code, flag.stdout, flag.stderr) == (2, "", f"Error: --api-endpoint: {why}\n")
    env = cli(*KEY, "queues", "list", env={"DISCUE_API_ENDPOINT": url})
    assert (env.exit_code, env.stdout, env.stderr) == (2, "", f"Error: DISCUE_API_ENDPOINT: {why}\n")


def test_config_set_refuses_a_bad_endpoint_and_keeps_the_good_one(cli, isolated):
    assert cli("config", "set", "api_endpoint", "http://127.0.0.1:8787/v1").exit_code == 0
    result = cli("config", "set", "api_endpoint", "http://127.0.0.1:99999/v1")
    why = "'http://127.0.0.1:99999/v1' has an invalid port (1-65535)"
    assert (result.exit_code, result.stderr) == (2, f"Error: api_endpoint: {why}\n")
    assert cli("config", "get", "api_endpoint").stdout == "http://127.0.0.1:8787/v1\n"


@pytest.mark.parametrize("port", ["99999", "0", "65536", "x"])
@pytest.mark.parametrize("flag", ["--notify-url", "--liveness-url"])
def test_a_listener_url_with_a_bad_port_is_refused_before_any_request(cli, httpmock, flag, port):
    """httpmock has no stub: any request fails the test."""
    urls = dict(zip(LISTENER_URLS[::2], LISTENER_URLS[1::2], strict=True))
    urls[flag] = f"http://x.test:{port}/h"
    args = [item for pair in urls.items() for item in pair]
    queue_id = "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b"
    added = cli("--api-endpoint", "http://api.test/v1", *KEY, "listeners", "add", queue_id, "l1", *args)
    why = f"Error: {flag}: 'http://x.test:{port}/h' has an invalid port (1-65535)\n"
    assert (added.exit_code, added.stdout, added.stderr) == (2, "", why)
    updated = cli("--api-endpoint", "http://api.test/v1", *KEY, "listeners", "update", queue_id, "l1", *args)
    assert (updated.exit_code, updated.stdout, updated.stderr) == (2, "", why)


def test_a_good_endpoint_with_a_port_still_works(cli, httpmock):
    httpmock.register("GET", "/v1/queues", {"queues": []})
    result = cli("--api-endpoint", "http://api.test:8443/v1/", *KEY, "queues", "list", "--json")
    assert (result.exit_code, result.stdout) == (0, '{"queues":[]}\n')
