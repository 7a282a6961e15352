"""`messages list QUEUE` and `messages count QUEUE` read a long listing as it arrives: a pipe gets every row
while memory stays flat, a terminal the first rows and a count, and `count` asks for the plain listing."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.commands.messages.streaming import MEASURED, QUEUE_ID, WALL_CEILING, measured, message
from tests.emulator.test_delivery import DISCUE


def test_a_pipe_gets_100000_messages_within_120_mib_and_10_s_of_cpu(listing, tmp_path):
    api = listing(100_000)
    out = tmp_path / "listed.tsv"
    with open(out, "wb") as stdout:
        code, seconds, peak, stderr = measured(["messages", "list", QUEUE_ID], api.env, stdout)
    assert (code, stderr) == (0, "")
    with open(out) as listed:
        first = listed.readline()
        rest = sum(1 for _ in listed)
    item = message(0)
    assert first == f"{item['id']}\t\t{QUEUE_ID}\t{item['data']}\n"
    assert rest == 99_999
    assert peak < 120, f"{peak:.0f} MiB"
    assert seconds < 10, f"{seconds:.1f} s of CPU"


@pytest.mark.parametrize("generation", ["2023-04", "auto"])  # auto, not yet known: asks for _embed
def test_a_terminal_shows_the_first_rows_and_a_count_within_120_mib(listing, generation):
    import os
    import pty

    api = listing(100_000)
    api.env["DISCUE_API_VERSION"] = generation
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", MEASURED, str(DISCUE), "messages", "list", QUEUE_ID],
            stdout=terminal,
            stderr=subprocess.PIPE,
            env=api.env,
        )
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end closed: the command is done
                break
            if not chunk:
                break
            seen += chunk
        *said, figures = process.communicate(timeout=WALL_CEILING)[1].decode().splitlines()
        peak, seconds = int(figures.split()[0]), float(figures.split()[1])
    finally:
        os.close(controller)
    assert process.returncode == 0
    lines = seen.decode().splitlines()
    assert lines[0].split() == ["ID", "NAME", "DATA"]  # terminal_row: id, name, queue, data preview, time
    assert len(lines) == 101  # the header and 100 rows
    assert lines[-1].startswith("m00000000000000000099")
    assert said == ["Showing the first 100 of 100000 messages (--limit N shows more, a pipe all of them)."]
    assert peak / 1024 < 120, f"{peak / 1024:.0f} MiB"
    assert seconds < 10, f"{seconds:.1f} s of CPU"


def test_a_listing_cut_off_says_so_and_exits_non_zero(listing):
    api = listing(5000, cut=True)
    done = subprocess.run(
        [str(DISCUE), "messages", "count", QUEUE_ID], capture_output=True, text=True, env=api.env, timeout=60
    )
    assert (done.returncode, done.stdout) == (7, "")
    port = api.server.server_port
    assert done.stderr == f"Error: the connection to http://127.0.0.1:{port} was dropped before a complete reply\n"


@pytest.mark.parametrize(("retries", "calls"), [("0", 1), ("1", 2)])
def test_a_streamed_listing_keeps_the_clients_retry_rules(cli, httpmock, retries, calls):
    """--retries counts every request: an error status before the first message is retried as often, and
    the last one is the error (the listing is never fetched once more the ordinary way)."""
    queue_id = "180994c0-b6b2-4d0e-b7ad-414716e83386"
    busy = httpx.Response(503, json={"title": "busy", "status": 503}, headers={"Retry-After": "0"})
    httpmock.register("GET", f"/v1/queues/{queue_id}/messages", lambda _request: busy, times=calls)
    result = cli("--api-key", "k" * 20, "--api-version", "2023-04", "--retries", retries, "messages", "list", queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "Error: busy (503)\n")


def test_a_retried_listing_is_then_streamed(cli, httpmock):
    queue_id = "180994c0-b6b2-4d0e-b7ad-414716e83386"
    busy = httpx.Response(503, json={"title": "busy", "status": 503}, headers={"Retry-After": "0"})
    httpmock.register("GET", f"/v1/queues/{queue_id}/messages", lambda _request: busy)
    httpmock.register("GET", f"/v1/queues/{queue_id}/messages", {"messages": [{"id": "a", "name": "n"}]})
    result = cli("--api-key", "k" * 20, "--api-version", "2023-04", "--retries", "1", "messages", "list", queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "a\tn\n", "")


def test_a_streamed_listing_follows_next_links_on_its_own_path_only(cli, httpmock):
    """Pagination as the API overview plans it: each page read as it arrives, the next one while a reply
    links it (`_links.next`) on the same path; a link elsewhere is never followed (the key stays home)."""
    queue_id = "180994c0-b6b2-4d0e-b7ad-414716e83386"
    where = f"/v1/queues/{queue_id}/messages"
    pages = [
        {
            "messages": [{"id": "a", "name": None}, {"id": "b", "name": None}],
            "_links": {"next": {"href": f"https://api.discue.io{where}?page=2&per_page=2"}},
        },
        {
            "messages": [{"id": "c", "name": None}],
            "_links": {"next": {"href": f"https://elsewhere.example{where}?page=3&per_page=2"}},
        },
    ]
    for page in pages:
        httpmock.register("GET", where, page)
    result = cli("--api-key", "k" * 20, "--api-version", "2022-05", "messages", "count", queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "3\n", "")
    assert [str(r.url.query, "ascii") for r in httpmock.requests] == ["", "page=2&per_page=2"]
