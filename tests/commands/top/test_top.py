"""`discue top` off a terminal: --once in every format, --json per interval, and plain `top` refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import LISTENER_URLS, clean_env


def make_orgs(local) -> tuple[str, str, str]:
    """orders (two messages, a listener failing its liveness checks) and mails (nothing): their ids."""
    from discue_cli.emulator.store import Store

    orders = local("queues", "create", "orders", "-q").stdout.strip()
    mails = local("queues", "create", "mails", "-q").stdout.strip()
    for n in range(2):
        local("messages", "add", "orders", json.dumps({"n": n}), "-q")
    listener = local("listeners", "add", "orders", "mailer", *LISTENER_URLS, "-q").stdout.strip()
    store = Store(os.environ["DISCUE_LOCAL_DB"])
    try:
        store.record_liveness(listener, False, 503, "Service Unavailable")
    finally:
        store.close()
    return orders, mails, listener


def test_once_piped_is_one_tsv_line_per_queue_busiest_first(local):
    orders, mails, _ = make_orgs(local)
    result = local("top", "--once")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{orders}\torders\t2\t1\t1\n{mails}\tmails\t0\t0\t0\n"


def test_once_names_the_queues_it_shows(local):
    orders, _, _ = make_orgs(local)
    result = local("top", "--once", "orders")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{orders}\torders\t2\t1\t1\n", "")


def test_once_on_a_terminal_is_a_table(local, tty):
    orders, mails, _ = make_orgs(local)
    result = local("top", "--once")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "ID                     NAME    MESSAGES  LISTENERS  FAILING\n"
        f"{orders}  orders  2         1          1\n"
        f"{mails}  mails   0         0          0\n"
    )


def test_once_quiet_prints_the_queue_ids(local):
    orders, mails, _ = make_orgs(local)
    assert local("top", "--once", "-q").stdout == f"{orders}\n{mails}\n"


def test_once_json_is_the_whole_snapshot_2022(local, gen_2022, isolated):
    orders, mails, listener = make_orgs(local)
    result = local("top", "--once", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    snapshot = json.loads(result.stdout)
    refreshed = snapshot.pop("refreshed_at")
    assert time.strptime(refreshed, "%Y-%m-%dT%H:%M:%SZ")
    failed_at = snapshot["listeners"][0].pop("last_failure_at")
    assert isinstance(failed_at, int)
    assert snapshot == {
        "endpoint": f"local discue ({isolated / 'data' / 'local.sqlite3'})",
        "generation": "2022-05",
        "api_calls": 4,  # the queues, every listener, each queue's messages
        "queues": [
            {"id": orders, "name": "orders", "messages": 2, "listeners": 1, "failing": 1, "added_per_minute": 0},
            {"id": mails, "name": "mails", "messages": 0, "listeners": 0, "failing": 0, "added_per_minute": 0},
        ],
        "listeners": [
            {
                "queue_id": orders,
                "id": listener,
                "name": "mailer",
                "state": "unstable",
                "failing": True,
                "successes": 0,
                "failures": 1,
                "acknowledged": 0,
                "missed": 0,
                "last_failure_status": 503,
            }
        ],
        "events": [],
    }


def test_once_json_from_2023_counts_the_added_messages_and_carries_the_events(local):
    orders, mails, listener = make_orgs(local)
    snapshot = json.loads(local("top", "--once", "--json").stdout)
    assert snapshot["generation"] == "2023-04"
    assert snapshot["api_calls"] == 5  # and one GET /events
    assert [(q["name"], q["added_per_minute"]) for q in snapshot["queues"]] == [("orders", 2), ("mails", 0)]
    # 2023-04 listeners have no last failure: the key is left out, not null
    assert snapshot["listeners"] == [
        {
            "queue_id": orders,
            "id": listener,
            "name": "mailer",
            "state": "unstable",
            "failing": True,
            "successes": 0,
            "failures": 1,
            "acknowledged": 0,
            "missed": 0,
        }
    ]
    kinds = [(e["type"], e["resource_name"], e["queue_name"]) for e in snapshot["events"]]
    assert kinds == [
        ("queue_added", "orders", "orders"),
        ("queue_added", "mails", "mails"),
        ("message_added", None, "orders"),
        ("message_added", None, "orders"),
        ("listener_added", "mailer", "orders"),
    ]


def test_once_jq_reads_the_snapshot(local):
    make_orgs(local)
    result = local("top", "--once", "--jq", ".queues[] | [.name, .messages] | @tsv")
    assert (result.exit_code, result.stdout) == (0, "orders\t2\nmails\t0\n")


@pytest.mark.parametrize("not_a_terminal", ["stdin_tty", "stdout_tty", "stderr_tty"])
def test_plain_top_off_a_terminal_is_a_usage_error_naming_once_and_json(local, setup, not_a_terminal):
    setup.tty = {"stdin_tty": True, "stdout_tty": True, "stderr_tty": True, not_a_terminal: False}
    result = local("top")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: `discue top` draws a live view and needs a terminal\n"
        "Hint: use --once for one snapshot, or --json for one JSON snapshot per interval\n"
    )


def test_once_with_a_rejected_key_exits_3(cli, served):
    result = cli("--api-endpoint", served.endpoint, "--api-key", "wrong-key-0123456789", "top", "--once")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr


def test_json_without_once_is_one_snapshot_per_interval_until_ctrl_c(local, isolated):
    make_orgs(local)
    env = {**clean_env(), "DISCUE_LOCAL_DB": os.environ["DISCUE_LOCAL_DB"]}
    command = [sys.executable, "-m", "discue_cli", "--local", "top", "--json", "--interval", "0.5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = json.loads(process.stdout.readline())
        assert [q["messages"] for q in first["queues"]] == [2, 0]
        subprocess.run(
            [sys.executable, "-m", "discue_cli", "--local", "messages", "add", "orders", "{}", "-q"],
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        counts = []
        deadline = time.monotonic() + 60
        while 3 not in counts and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line.endswith("\n")
            counts.append(json.loads(line)["queues"][0]["messages"])
        assert counts[-1] == 3 and set(counts) <= {2, 3}
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        assert process.stderr.read() == "Interrupted.\n"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_help_names_the_options(local):
    result = local("top", "--help")
    assert result.exit_code == 0
    for option in ("--once", "--interval", "--json", "QUEUE..."):
        assert option in result.stdout


def test_textual_is_loaded_by_the_live_view_only(served):
    from tests.e2e.test_startup_imports import loaded, tops

    subprocess.run(
        [sys.executable, "-m", "discue_cli", "queues", "create", "orders", "-q"],
        env=served.env(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    for args in (["--help"], ["queues", "list"], ["top", "--once"], ["top", "--help"]):
        result, modules = loaded(*args, env=served.env())
        assert result.returncode == 0, (args, result.stderr)
        assert tops(modules, "textual") == [], args


def test_json_per_interval_stops_at_once_on_a_rejected_key(cli, served):
    result = cli("--api-endpoint", served.endpoint, "--api-key", "wrong-key-0123456789", "top", "--json")
    assert (result.exit_code, result.stdout) == (3, "")
    assert json.loads(result.stderr) == {
        "title": "Unauthorized",
        "status": 401,
        "exit_code": 3,
        "hint": "set a valid key with `discue auth login`, --api-key or DISCUE_API_KEY",
    }


def test_once_shows_the_newest_events_after_a_burst_longer_than_a_page(local, tmp_path):
    """Events are read page after page until the newest (a few pages a refresh): after 150 messages,
    the queue made last is among the events shown, not only the burst's first page."""
    assert local("queues", "create", "busy").exit_code == 0
    (tmp_path / "lines.txt").write_text("".join(f"m{i}\n" for i in range(150)))
    assert local("messages", "add", "busy", "--batch", str(tmp_path / "lines.txt"), "-q").exit_code == 0
    assert local("queues", "create", "made-last").exit_code == 0
    snapshot = json.loads(local("top", "--once", "--json").stdout)
    last = snapshot["events"][-1]
    assert (last["type"], last["resource_name"]) == ("queue_added", "made-last")
