"""Credentials never shown: a user:password in the endpoint URL is *** in errors, -v, auth status and config."""

from __future__ import annotations

import socket

import httpx


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_credentials_in_the_endpoint_are_redacted_in_errors_and_verbose_lines(cli):
    port = free_port()
    endpoint = f"http://alice:s3cret-pw@127.0.0.1:{port}/v1"
    result = cli("-v", "--api-endpoint", endpoint, "--api-key", "k" * 20, "--retries", "0", "queues", "list")
    assert result.exit_code == 7
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"GET http://***@127.0.0.1:{port}/v1/queues ConnectError ")
    assert lines[1] == f"Error: could not connect to http://***@127.0.0.1:{port}: Connection refused"
    assert "s3cret" not in result.stderr + result.stdout and "alice" not in result.stderr


def test_credentials_in_the_endpoint_are_redacted_in_auth_status_and_config(cli, setup):
    setup.transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"queues": []}))
    endpoint = "https://alice:s3cret-pw@api.test/v1"
    assert cli("config", "set", "api_endpoint", endpoint).exit_code == 0
    status = cli("--api-key", "k" * 20, "auth", "status")
    assert "endpoint\thttps://***@api.test/v1\n" in status.stdout
    assert cli("config", "get", "api_endpoint").stdout == "https://***@api.test/v1\n"
    assert "s3cret" not in status.stdout + status.stderr + cli("config", "list").stdout


def test_a_bad_endpoint_with_credentials_is_redacted_in_the_usage_error(cli):
    result = cli("--api-endpoint", "ftp://alice:s3cret-pw@host/v1", "queues", "list")
    assert result.exit_code == 2
    assert result.stderr == "Error: --api-endpoint: 'ftp://***@host/v1' is not an http(s) URL\n"
