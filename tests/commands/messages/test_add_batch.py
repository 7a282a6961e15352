"""messages add --batch: order, failures, the failed-lines file, stdin, interruption."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from discue_cli.api.limiter import CAP
from tests.conftest import UUID
from tests.emulator.stored import data_of, stored_data

TIMING = r"\d+\.\ds \([\d,]+/s(, peak [\d,]+/s)?\)"  # the time, the rate and (after 2 s) the peak


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


DISCUE = Path(sys.executable).with_name("discue")


def local_db():
    from discue_cli.settings import local_db_path

    return local_db_path(os.environ)


def make_queue(local) -> str:
    return local("queues", "create", "bulk", "-q").stdout.strip()


def test_batch_sends_every_line_and_prints_ids_in_input_order(local, tmp_path):
    make_queue(local)
    lines = [f'{{"n": {i}}}' for i in range(300)]
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n")
    result = local("messages", "add", "bulk", "--batch", "in.txt", "--concurrency", "16", "--json")
    assert result.exit_code == 0, result.stderr
    bodies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [data_of(local_db(), b["message"]["id"]) for b in bodies] == lines  # replies are {id, name}
    assert re.fullmatch(rf"Sent 300 of 300 message\(s\) to bulk in {TIMING}\.\n", result.stderr)
    ids = local("messages", "add", "bulk", "--batch", "in.txt", "-q").stdout.split()
    assert len(ids) == 300 and all(UUID.fullmatch(i) for i in ids)
    assert [data_of(local_db(), i) for i in ids] == lines


def test_blank_lines_are_skipped_and_crlf_is_stripped(local, tmp_path):
    make_queue(local)
    (tmp_path / "in.txt").write_bytes(b"one\r\n\r\n   \ntwo\n\nthree")
    result = local("messages", "add", "bulk", "--batch", "in.txt", "-q")
    assert result.exit_code == 0
    assert [data_of(local_db(), i) for i in result.stdout.split()] == ["one", "two", "three"]


def test_batch_from_stdin(local):
    make_queue(local)
    result = local("messages", "add", "bulk", "--batch", "-", "-q", input="a\nb\n")
    assert result.exit_code == 0
    assert [data_of(local_db(), i) for i in result.stdout.split()] == ["a", "b"]


def test_failed_lines_are_named_kept_in_a_file_and_resent_once(cli, setup, tmp_path, monkeypatch):
    """A server that refuses lines containing 'bad'; then the failed file is sent to a good one."""
    accepted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"queues": [{"id": "q1", "name": "bulk"}]})
        data = json.loads(request.content)["data"]
        if "bad" in data and not os.environ.get("ALL_GOOD"):
            return httpx.Response(400, json={"title": "Bad Request", "status": 400})
        accepted.append(data)
        return httpx.Response(200, json={"message": {"id": f"id-{data}", "name": None}})

    setup.transport = httpx.MockTransport(handler)
    lines = ["ok1", "bad1", "ok2", "", "bad2", "ok3"]
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n")
    base = ["--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "messages", "add", "bulk"]
    result = cli(*base, "--batch", "in.txt", "-q")
    assert result.exit_code == 1
    assert result.stdout == "id-ok1\nid-ok2\nid-ok3\n"
    failed_files = list(tmp_path.glob("discue-failed-*.txt"))
    assert len(failed_files) == 1
    failed = failed_files[0]
    assert sorted(failed.read_text().splitlines()) == ["bad1", "bad2"]
    err = result.stderr.splitlines()
    assert sorted(err[:2]) == ["line 2: Bad Request (400)", "line 5: Bad Request (400)"]
    assert re.fullmatch(rf"Sent 3 of 5 message\(s\) to bulk in {TIMING}; 2 not sent \(line \d, \d\)\.", err[2])
    assert err[3] == (
        f"The lines not sent are in {failed.resolve()}; send them with: "
        f"discue --api-endpoint http://api.test/v1 messages add bulk --batch {failed.resolve()}"
    )  # the global flags that choose where it goes, never the key
    monkeypatch.setenv("ALL_GOOD", "1")
    again = cli(*base, "--batch", str(failed), "-q")
    assert again.exit_code == 0
    assert sorted(accepted) == ["bad1", "bad2", "ok1", "ok2", "ok3"]


def test_invalid_utf8_line_fails_locally_and_the_rest_goes(local, tmp_path):
    make_queue(local)
    (tmp_path / "in.bin").write_bytes(b"good\n\xff\xfe broken\nalso good\n")
    result = local("messages", "add", "bulk", "--batch", "in.bin", "-q")
    assert result.exit_code == 2
    assert [data_of(local_db(), i) for i in result.stdout.split()] == ["good", "also good"]
    assert result.stderr.splitlines()[0] == "line 2: the line is not valid UTF-8"


def test_unreadable_batch_file_exit_2(local):
    make_queue(local)
    result = local("messages", "add", "bulk", "--batch", "nope.txt")
    assert (result.exit_code, result.stderr) == (2, "Error: cannot read nope.txt: No such file or directory\n")


def test_unknown_queue_sends_nothing_exit_4(local, tmp_path):
    (tmp_path / "in.txt").write_text("a\n")
    result = local("messages", "add", "nope", "--batch", "in.txt")
    assert result.exit_code == 4


def test_ctrl_c_mid_batch_loses_no_line(served, tmp_path):
    """Interrupt a real batch: every line is on the server, in the failed file (and not on the server)
    or in the unknown-outcome file (in flight at the stop)."""
    headers = {"X-API-KEY": served.key}
    queue_id = httpx.post(served.endpoint + "/queues", json={"name": "big"}, headers=headers).json()["queue"]["id"]
    lines = [f"line-{i}" for i in range(20000)]
    (tmp_path / "big.txt").write_text("\n".join(lines) + "\n")
    env = served.env()
    process = subprocess.Popen(
        [str(DISCUE), "messages", "add", "big", "--batch", "big.txt", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    early = [process.stdout.readline() for _ in range(100)]  # sending is well under way
    assert all(UUID.fullmatch(line.strip()) for line in early)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "Interrupted: sent" in stderr
    printed = [line.strip() for line in early] + stdout.split()
    on_server = set(stored_data(served.db, queue_id))
    failed = next(tmp_path.glob("discue-failed-*.txt")).read_text().splitlines()
    unknown = [f.read_text().splitlines() for f in tmp_path.glob("discue-unknown-*.txt")]
    unknown = unknown[0] if unknown else []
    assert on_server | set(failed) | set(unknown) == set(lines)
    assert 0 < len(printed) <= len(on_server) < len(lines)
    assert on_server & set(failed) == set() and len(unknown) <= CAP  # only lines in flight are unknown


def test_progress_total_counts_only_the_lines_that_will_be_sent(tmp_path):
    from discue_cli.commands._input import count_lines

    (tmp_path / "in.txt").write_bytes(b"a\n\n  \nb\r\nc")
    with open(tmp_path / "in.txt", "rb") as stream:
        assert count_lines(stream) == 3
        assert stream.readline() == b"a\n"  # the stream is left where sending starts


def test_a_failed_lines_file_that_cannot_be_written_stops_the_batch_and_counts_what_was_lost(
    cli, tmp_path, monkeypatch
):
    """A full disk under the failed-lines file: no fragment of a line is left in it (a resend would post
    it), the batch stops at once, and the summary says how many lines are neither sent nor kept (before:
    `Error: cannot write output`, as if stdout had failed, and no count)."""
    import errno
    import io

    from discue_cli.commands import _batch

    room = {"left": 25}  # bytes the "disk" still takes

    class FullDisk(io.FileIO):
        def write(self, data):
            if room["left"] <= 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            taken = min(len(data), room["left"])
            room["left"] -= taken
            return super().write(bytes(data)[:taken])

    monkeypatch.setattr(_batch, "open_failed_lines", lambda path: FullDisk(path, "wb"))
    lines = [f"line-{i:04d}" for i in range(300)]  # 10 bytes + newline each: two fit, the third is cut
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n")
    # A dead endpoint: every line fails and goes to the failed-lines file.
    result = cli(
        "--api-endpoint", "http://127.0.0.1:9/v1", "--api-key", "k" * 20, "--retries", "0",
        "messages", "add", "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b", "--batch", "in.txt", "-q",
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    kept = next(tmp_path.glob("discue-failed-*.txt")).read_bytes()
    assert kept == b"line-0000\nline-0001\n"  # whole lines only: the third was cut back out
    err = result.stderr
    assert "Error: cannot write the failed-lines file" in err and "No space left on device" in err
    assert "cannot write output" not in err
    summary = next(line for line in err.splitlines() if line.startswith("Stopped: sent 0 of 300 message(s)"))
    assert summary.endswith("; 298 line(s) neither sent nor kept.")


def test_an_over_long_line_that_cannot_be_spooled_fails_alone_and_is_counted(local, tmp_path, monkeypatch):
    """A line over 16 MiB is spooled to a temporary file for the failed-lines file; when TMPDIR is full
    it cannot be kept: it is said and counted, and the lines after it still go (it ended the batch with
    `cannot write output` and no summary)."""
    import errno

    from discue_cli.commands import _input

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_input.tempfile, "TemporaryFile", full)
    local("queues", "create", "bulk")
    huge = b'{"big": "' + b"y" * (_input.MAX_LINE + 100_000) + b'"}'
    (tmp_path / "in.txt").write_bytes(b"a\nb\n" + huge + b"\nc\nd\n")
    result = local("messages", "add", "bulk", "--batch", "in.txt", "-q")
    assert result.exit_code == 2, result.stderr
    err = result.stderr.splitlines()
    longer = f"line 3: the line is longer than {_input.MAX_LINE} bytes"
    assert err[0] == f"{longer}, and it could not be kept (No space left on device)"
    assert err[1].startswith("Sent 4 of 5 message(s) to bulk") and err[1].endswith(
        "; 1 not sent (line 3); 1 line(s) neither sent nor kept."
    )
    listed = local("messages", "list", "bulk", "--jq", ".messages | length")
    assert listed.stdout.strip() == "4"


def test_the_retry_command_of_a_batch_keeps_the_global_flags_quoted_and_credentials_hidden(cli, setup, tmp_path):
    import httpx

    setup.transport = httpx.MockTransport(lambda request: httpx.Response(400, json={"title": "Bad Request"}))
    (tmp_path / "in put.txt").write_text("one\n")
    queue_id = "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b"  # an id: no list call
    result = cli(
        "--api-endpoint", "http://user:pw@api.test/v1", "--api-key", "k" * 20, "--profile", "ci team",
        "--api-version", "2023-04", "--timeout", "5", "--retries", "1", "-v",
        "messages", "add", queue_id, "--batch", "in put.txt", "-q",
    )  # fmt: skip
    assert result.exit_code == 1
    [failed] = tmp_path.glob("discue-failed-*.txt")
    assert result.stderr.splitlines()[-2:] == [
        f"The lines not sent are in {failed.resolve()}; send them with: discue --api-endpoint "
        f"'http://***@api.test/v1' --profile 'ci team' --timeout 5 --retries 1 --api-version 2023-04 "
        f"messages add {queue_id} --batch {failed.resolve()}",
        "(the endpoint's credentials are shown as ***: put them back)",
    ]
    assert "k" * 20 not in result.stderr and "pw" not in result.stderr


def test_the_retry_command_of_a_local_batch_says_local(local, tmp_path):
    local("queues", "create", "my queue")
    (tmp_path / "in.txt").write_bytes(b"\xff\n")  # not UTF-8: fails locally
    result = local("messages", "add", "my queue", "--batch", "in.txt")
    [failed] = tmp_path.glob("discue-failed-*.txt")
    assert result.stderr.splitlines()[-1] == (
        f"The lines not sent are in {failed.resolve()}; "
        f"send them with: discue --local messages add 'my queue' --batch {failed.resolve()}"
    )


def test_the_failed_lines_file_is_private(local, tmp_path):
    """It holds the messages' data: 0600, whatever the umask."""
    local("queues", "create", "my queue")
    (tmp_path / "in.txt").write_bytes(b"\xff\n")  # not UTF-8: fails locally
    local("messages", "add", "my queue", "--batch", str(tmp_path / "in.txt"))
    [failed] = tmp_path.glob("discue-failed-*.txt")
    assert failed.stat().st_mode & 0o777 == 0o600
