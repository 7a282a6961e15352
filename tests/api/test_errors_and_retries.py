"""Every documented error status, transport failure and retry rule, as a user of the CLI meets them."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from discue_cli.api.client import Client, backoff, retry_after_seconds
from discue_cli.errors import NoResponseError

KEY = "SECRET-test-key-0123456789"
ENDPOINT = "http://api.test/v1"


@pytest.fixture
def mock(setup):
    """Route the CLI's remote calls to a handler; records every request it saw."""
    seen: list[httpx.Request] = []

    def install(handler):
        def recording(request: httpx.Request):
            seen.append(request)
            return handler(request)

        setup.transport = httpx.MockTransport(recording)
        return seen

    return install


@pytest.fixture
def api(cli):
    # A pinned generation: under `auto` the first write would be preceded by one GET /queues (see test_generations).
    def invoke(*args: str, **kwargs):
        return cli("--api-endpoint", ENDPOINT, "--api-key", KEY, "--api-version", "2023-04", *args, **kwargs)

    return invoke


TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    423: "Locked",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
EXIT = {401: 3, 403: 3, 404: 4, 409: 5, 422: 5, 429: 6}


@pytest.mark.parametrize("status", sorted(TITLES))
def test_each_documented_status_maps_to_its_exit_code_and_title(api, mock, status):
    seen = mock(lambda r: httpx.Response(status, json={"title": TITLES[status], "status": status}))
    result = api("--retries", "0", "queues", "list")
    assert result.exit_code == EXIT.get(status, 1)
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"Error: {TITLES[status]} ({status})"
    assert len(seen) == 1


def test_401_has_a_hint_on_how_to_set_the_key(api, mock):
    mock(lambda r: httpx.Response(401, json={"title": "Unauthorized", "status": 401}))
    result = api("queues", "list")
    assert result.stderr == (
        "Error: Unauthorized (401)\nHint: set a valid key with `discue auth login`, --api-key or DISCUE_API_KEY\n"
    )


def test_the_api_title_is_used_when_it_sends_one(api, mock):
    mock(lambda r: httpx.Response(400, json={"title": "Queue name too long", "status": 400}))
    assert api("queues", "create", "x").stderr == "Error: Queue name too long (400)\n"


def test_html_502_from_a_proxy_gives_the_status_phrase(api, mock):
    mock(
        lambda r: httpx.Response(
            502, text="<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"}
        )
    )
    result = api("--retries", "0", "queues", "list")
    assert (result.exit_code, result.stderr) == (1, "Error: Bad Gateway (502)\n")


def test_empty_error_body(api, mock):
    mock(lambda r: httpx.Response(500))
    result = api("queues", "list")
    assert (result.exit_code, result.stderr) == (1, "Error: Internal Server Error (500)\n")


def test_success_with_a_body_that_is_not_json_is_an_unexpected_reply(api, mock):
    mock(lambda r: httpx.Response(200, text="<html>login page</html>"))
    result = api("queues", "list")
    assert result.exit_code == 1
    assert result.stderr == "Error: unexpected reply: HTTP 200 with a body that is not JSON (200)\n"


def test_missing_optional_fields_do_not_crash(api, mock):
    mock(lambda r: httpx.Response(200, json={"queues": [{"id": "q1"}, {"name": "no-id"}, "junk"]}))
    result = api("queues", "list")
    assert (result.exit_code, result.stdout) == (0, "q1\t\n\tno-id\n")


def test_dropped_connection_exit_7(api, mock):
    def drop(request):
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    seen = mock(drop)
    result = api("--retries", "1", "queues", "list")
    assert result.exit_code == 7
    assert result.stderr == "Error: the connection to http://api.test was dropped before a complete reply\n"
    assert len(seen) == 2  # GET is retried once


def test_dropped_connection_on_post_is_not_retried(api, mock):
    def drop(request):
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    seen = mock(drop)
    result = api("--retries", "3", "queues", "create", "x")
    assert result.exit_code == 7
    assert len(seen) == 1


def test_refused_connection_exit_7(cli):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    result = cli("--api-endpoint", f"http://127.0.0.1:{port}/v1", "--api-key", KEY, "--retries", "0", "queues", "list")
    assert result.exit_code == 7
    assert result.stderr == (
        f"Error: could not connect to http://127.0.0.1:{port}: Connection refused\n"
        "Hint: check --api-endpoint / DISCUE_API_ENDPOINT and your network\n"
    )


def test_timeout_exit_7(cli):
    """A real server that accepts and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]
    try:
        result = cli(
            "--api-endpoint",
            f"http://127.0.0.1:{port}/v1",
            "--api-key",
            KEY,
            "--timeout",
            "0.3",
            "--retries",
            "0",
            "queues",
            "list",
        )
    finally:
        sock.close()
    assert result.exit_code == 7
    assert result.stderr == (
        f"Error: no response from http://127.0.0.1:{port} within 0.3s (timeout)\n"
        "Hint: raise --timeout, or check that the endpoint is up\n"
    )


def test_429_with_retry_after_is_retried_then_succeeds(api, mock):
    replies = iter(
        [
            httpx.Response(429, headers={"Retry-After": "0"}, json={"title": "Too Many Requests", "status": 429}),
            httpx.Response(200, json={"queues": [{"id": "q1", "name": "n"}]}),
        ]
    )
    seen = mock(lambda r: next(replies))
    result = api("-v", "queues", "list")
    assert (result.exit_code, result.stdout) == (0, "q1\tn\n")
    lines = result.stderr.splitlines()
    assert [line.split(" ")[:3] for line in lines] == [
        ["GET", f"{ENDPOINT}/queues", "429"],
        ["GET", f"{ENDPOINT}/queues", "200"],
    ]
    assert len(seen) == 2


def test_429_after_the_retries_ran_out_exit_6(api, mock):
    seen = mock(lambda r: httpx.Response(429, headers={"Retry-After": "0"}))
    result = api("--retries", "2", "queues", "list")
    assert (result.exit_code, len(seen)) == (6, 3)
    assert result.stderr.startswith("Error: Too Many Requests (429)\n")


def test_verbose_never_shows_the_key_and_every_request_carries_it(api, mock):
    seen = mock(lambda r: httpx.Response(401, json={"title": "Unauthorized", "status": 401}))
    result = api("-v", "queues", "list", "--json")
    assert KEY not in result.stdout + result.stderr
    assert seen[0].headers["X-API-KEY"] == KEY
    assert seen[0].headers["Accept"] == "application/json"
    assert json.loads(result.stderr.splitlines()[-1])["status"] == 401


def test_pretty_sends_pretty_true(api, mock):
    seen = mock(lambda r: httpx.Response(200, json={"queues": []}))
    api("queues", "list", "--pretty")
    assert seen[0].url.params["pretty"] == "true"


def test_post_sends_json_content_type(api, mock):
    seen = mock(lambda r: httpx.Response(200, json={"queue": {"id": "q", "name": "n", "listeners": []}}))
    api("queues", "create", "n")
    assert seen[0].headers["Content-Type"] == "application/json"
    assert json.loads(seen[0].content) == {"name": "n"}


# -- the client's retry rules, with the sleeps recorded instead of slept


def run_client(handler, method="GET", retries=3):
    waits: list[float] = []

    async def fake_sleep(seconds):
        waits.append(seconds)

    calls = []

    def recording(request):
        calls.append(request)
        return handler(request)

    async def go():
        client = Client(ENDPOINT, KEY, retries=retries, transport=httpx.MockTransport(recording), sleep=fake_sleep)
        async with client:
            return await client.request(method, "/queues", json_body={} if method in ("POST", "PATCH") else None)

    try:
        outcome = asyncio.run(go())
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        outcome = exc
    return outcome, calls, waits


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_is_retried_on(status):
    _, calls, waits = run_client(lambda r: httpx.Response(status))
    assert len(calls) == 4 and len(waits) == 3


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("status,tries", [(429, 4), (503, 4), (502, 1), (504, 1), (500, 1)])
def test_post_is_retried_only_where_the_server_cannot_have_acted(method, status, tries):
    _, calls, _ = run_client(lambda r: httpx.Response(status), method=method)
    assert len(calls) == tries


def test_post_is_retried_on_a_refused_connection_but_not_a_read_timeout():
    def refuse(request):
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    def hang(request):
        raise httpx.ReadTimeout("timed out", request=request)

    outcome, calls, _ = run_client(refuse, method="POST")
    assert isinstance(outcome, NoResponseError) and len(calls) == 4
    outcome, calls, _ = run_client(hang, method="POST")
    assert isinstance(outcome, NoResponseError) and len(calls) == 1
    _, calls, _ = run_client(hang, method="GET")
    assert len(calls) == 4


def test_retries_zero_turns_retrying_off():
    _, calls, waits = run_client(lambda r: httpx.Response(503), retries=0)
    assert (len(calls), waits) == (1, [])


def test_retry_after_seconds_is_honoured_and_capped():
    _, _, waits = run_client(lambda r: httpx.Response(429, headers={"Retry-After": "7"}), retries=1)
    assert waits == [7.0]
    _, _, waits = run_client(lambda r: httpx.Response(429, headers={"Retry-After": "120"}), retries=1)
    assert waits == [20.0]


def test_retry_after_http_date():
    now = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=5), usegmt=True)
    assert retry_after_seconds(header, now=now.timestamp()) == 5.0
    assert retry_after_seconds("garbage") is None


def test_backoff_is_exponential_with_jitter_and_capped():
    for attempt in range(8):
        ceiling = min(20.0, 0.5 * 2**attempt)
        samples = [backoff(attempt, 0.5) for _ in range(50)]
        assert all(ceiling / 2 <= s <= ceiling for s in samples)
        assert len(set(samples)) > 1
    assert backoff(30, 0.5) <= 20.0


def test_a_server_that_stops_mid_reply_is_exit_7(cli):
    """A real socket that sends half a response, then closes."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]

    def serve():
        for _ in range(2):
            conn, _ = sock.accept()
            conn.recv(65536)
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"queues"')
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    result = cli("--api-endpoint", f"http://127.0.0.1:{port}/v1", "--api-key", KEY, "--retries", "1", "queues", "list")
    sock.close()
    assert result.exit_code == 7
    assert "was dropped before a complete reply" in result.stderr


def test_a_redirect_is_not_followed_and_says_where_to(api, mock):
    seen = mock(lambda r: httpx.Response(301, headers={"Location": "https://api.test/v1/queues"}))
    result = api("queues", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the endpoint redirected to https://api.test/v1/queues (301)\n"
        "Hint: point --api-endpoint / DISCUE_API_ENDPOINT at the final URL\n"
    )
    assert len(seen) == 1


def test_a_redirect_shows_no_query_or_credentials_of_its_target(api, mock):
    """A Location may carry a token in its query (`?key=...`) as well as in user:password@."""
    target = "https://user:hunter2@api.test/v1/queues?key=SECRET-token&x=1#frag"
    mock(lambda r: httpx.Response(302, headers={"Location": target}))
    result = api("queues", "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Error: the endpoint redirected to https://***@api.test/v1/queues?… (302)"
    assert "SECRET" not in result.stderr and "hunter2" not in result.stderr


@pytest.mark.parametrize(
    "body, shown",
    [
        ({"title": "Bad Request", "status": 400, "detail": "name: required"}, "name: required"),
        ({"title": "Bad Request", "status": 400, "detail": ""}, "Bad Request"),
        ({"title": "name: required", "status": 400}, "name: required"),
    ],
)
def test_an_error_line_shows_the_apis_detail_else_its_title(api, mock, body, shown):
    mock(lambda request: httpx.Response(400, json=body))
    result = api("queues", "create", "x")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == f"Error: {shown} (400)"
