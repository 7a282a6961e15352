"""--batch under Ctrl-C and SIGTERM, from a pipe, a file and --local: every line read is acknowledged,
in the failed-lines file (not sent) or in the unknown-outcome file (in flight at the stop), and what
was not read stays in the pipe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest

from discue_cli.api.limiter import CAP
from discue_cli.commands import _input
from tests.conftest import clean_env

DISCUE = Path(sys.executable).with_name("discue")


def make_queue(served, name: str = "big") -> str:
    headers = {"X-API-KEY": served.key}
    return httpx.post(served.endpoint + "/queues", json={"name": name}, headers=headers).json()["queue"]["id"]


def failed_file(folder: Path, kind: str = "failed") -> list[bytes]:
    files = list(folder.glob(f"discue-{kind}-*.txt"))
    assert len(files) <= 1
    return files[0].read_bytes().splitlines() if files else []


def kept(folder: Path, in_flight: int = CAP) -> tuple[list[bytes], list[bytes]]:
    """The not-sent lines and the unknown-outcome ones; the latter no more than the lines in flight."""
    unknown = failed_file(folder, "unknown")
    assert len(unknown) <= in_flight
    return failed_file(folder), unknown


def sent_data(stdout: bytes, db) -> list[bytes]:
    """The data of the messages whose replies were printed (a reply is {id, name}: data is read in the database)."""
    from tests.emulator.stored import data_of

    return [data_of(db, json.loads(line)["message"]["id"]).encode() for line in stdout.splitlines()]


def signal_after_first_line(process: subprocess.Popen, sig: int) -> tuple[bytes, str]:
    """Wait until the process printed a line, signal it; everything it printed, and its stderr."""
    first = process.stdout.readline()
    process.send_signal(sig)
    # not communicate(): it would skip what readline already buffered
    stdout = first + process.stdout.read()
    stderr = process.stderr.read().decode()
    process.wait(timeout=30)
    return stdout, stderr


def piped_batch(args: list[str], env: dict, cwd: Path, lines: list[bytes], sig: int | None):
    """Run a batch reading a real pipe that a thread fills with `lines`; signal it once it has sent
    something. Returns (process, stdout, stderr, what the process left unread in the pipe)."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(args, stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)

    def produce() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(b"".join(line + b"\n" for line in lines))

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    if sig is None:
        stdout, err = process.communicate(timeout=30)
        stderr = err.decode()
    else:
        stdout, stderr = signal_after_first_line(process, sig)
    # The test kept its own copy of the read end: whatever the process did not read is still here.
    with os.fdopen(read_end, "rb") as pipe:
        left = pipe.read()
    producer.join(timeout=10)
    return process, stdout, stderr, left


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_pipe_loses_nothing_and_leaves_the_unread_rest_in_the_pipe(served, tmp_path, sig, code):
    make_queue(served)
    lines = [f"line-{i}".encode() for i in range(60000)]
    args = [str(DISCUE), "messages", "add", "big", "--batch", "-", "--json", "--concurrency", "8"]
    process, stdout, stderr, left = piped_batch(args, served.env(), tmp_path, lines, sig)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    sent = sent_data(stdout, served.db)
    failed, unknown = kept(tmp_path, 8)
    unread = left.splitlines()
    assert left == b"".join(line + b"\n" for line in lines[len(lines) - len(unread) :])  # a whole-line suffix
    assert Counter(sent + failed + unknown + unread) == Counter(lines)
    assert len(sent) > 0 and len(unread) > 50000
    # read ahead: at most the lines in flight and one small chunk of the pipe
    assert sum(len(line) + 1 for line in failed + unknown) <= _input.CHUNK + 9 * len(b"line-00000\n")
    summary = [line for line in stderr.splitlines() if line.startswith("Interrupted: sent")]
    assert summary and f"{len(failed)} not sent" in summary[0], stderr
    assert not unknown or f"; {len(unknown)} outcome unknown" in summary[0]


def test_a_line_over_the_cap_on_a_pipe_fails_alone_and_keeps_its_bytes(served, tmp_path):
    make_queue(served)
    huge = b"x" * (_input.MAX_LINE + 10)
    lines = [b"before", huge, b"after-1", b"after-2"]
    args = [str(DISCUE), "messages", "add", "big", "--batch", "-", "--json", "--concurrency", "8"]
    process, stdout, stderr, left = piped_batch(args, served.env(), tmp_path, lines, None)
    assert process.returncode == 2, stderr
    assert sent_data(stdout, served.db) == [b"before", b"after-1", b"after-2"]
    assert failed_file(tmp_path) == [huge]
    assert stderr.splitlines()[0] == f"line 2: the line is longer than {_input.MAX_LINE} bytes"
    assert left == b""


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_file_stops_cleanly(served, tmp_path, sig, code):
    make_queue(served)
    lines = [f"line-{i}".encode() for i in range(20000)]
    (tmp_path / "big.txt").write_bytes(b"\n".join(lines) + b"\n")
    args = [str(DISCUE), "messages", "add", "big", "--batch", "big.txt", "--json", "--concurrency", "8"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=served.env(), cwd=tmp_path)
    stdout, stderr = signal_after_first_line(process, sig)
    assert process.returncode == code, stderr
    failed, unknown = kept(tmp_path, 8)
    assert Counter(sent_data(stdout, served.db) + failed + unknown) == Counter(lines)
    assert "Interrupted: sent" in stderr and "Traceback" not in stderr


def test_ctrl_c_stops_a_local_batch_at_once(tmp_path):
    db = tmp_path / "local.sqlite3"
    env = clean_env(DISCUE_LOCAL_DB=str(db))
    subprocess.run([str(DISCUE), "--local", "queues", "create", "big"], env=env, check=True, capture_output=True)
    lines = [f"line-{i}".encode() for i in range(30000)]
    (tmp_path / "big.txt").write_bytes(b"\n".join(lines) + b"\n")
    args = [str(DISCUE), "--local", "messages", "add", "big", "--batch", "big.txt", "--json"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    stdout, stderr = signal_after_first_line(process, signal.SIGINT)
    assert process.returncode == 130, stderr
    sent = sent_data(stdout, db)
    failed, unknown = kept(tmp_path)
    assert Counter(sent + failed + unknown) == Counter(lines)
    assert len(sent) < len(lines) // 2  # it stopped, rather than running to the end
    listed = subprocess.run(
        [str(DISCUE), "--local", "messages", "list", "big", "--jq", ".messages | length"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert len(sent) <= int(listed.stdout) <= len(sent) + 8  # in flight: stored, reply never seen


def test_the_failed_lines_file_keeps_the_original_bytes(local, tmp_path):
    local("queues", "create", "bulk")
    (tmp_path / "in.bin").write_bytes(b"good\nbad-\xff\xfe\r\nalso good\n")
    result = local("messages", "add", "bulk", "--batch", "in.bin", "-q")
    assert result.exit_code == 2
    assert next(tmp_path.glob("discue-failed-*.txt")).read_bytes() == b"bad-\xff\xfe\r\n"  # as read, \r\n included


def test_quiet_prints_no_summary_when_everything_went(local, tmp_path):
    local("queues", "create", "bulk")
    (tmp_path / "in.txt").write_text("a\nb\n")
    result = local("messages", "add", "bulk", "--batch", "in.txt", "-q")
    assert (result.exit_code, len(result.stdout.split()), result.stderr) == (0, 2, "")


def screen(output: bytes) -> list[str]:
    """The lines a terminal shows after `output`: enough of a VT100 for rich's live display
    (\\r, \\n, cursor up, erase line; other escapes ignored)."""
    import re

    rows, row, col = [""], 0, 0
    for token in re.findall(rb"\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]+", output):
        if token == b"\r":
            col = 0
        elif token == b"\n":
            row, col = row + 1, 0
            rows += [""] * (row + 1 - len(rows))
        elif token.endswith(b"A") and token.startswith(b"\x1b["):
            row = max(0, row - int(token[2:-1] or 1))
        elif token == b"\x1b[2K":
            rows[row] = ""
        elif not token.startswith(b"\x1b"):
            text = token.decode("utf-8", "replace")
            rows[row] = rows[row][:col].ljust(col) + text + rows[row][col + len(text) :]
            col += len(text)
    return [r.rstrip() for r in rows]


def test_a_stop_on_a_terminal_clears_the_bar_before_the_summary(served, tmp_path):
    import pty

    make_queue(served)
    (tmp_path / "big.txt").write_bytes(b"".join(f"line-{i}\n".encode() for i in range(20000)))
    controller, terminal = pty.openpty()
    args = [str(DISCUE), "messages", "add", "big", "--batch", "big.txt"]
    env = {**served.env(), "COLUMNS": "100", "TERM": "xterm"}
    process = subprocess.Popen(args, stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=tmp_path)
    os.close(terminal)
    seen = b""
    while b"Sending" not in seen:
        seen += os.read(controller, 4096)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 130
    try:
        while chunk := os.read(controller, 4096):
            seen += chunk
    except OSError:
        pass
    os.close(controller)
    shown = [line for line in screen(seen) if line]
    assert [line for line in shown if "Sending" in line] == []
    summary = next(i for i, line in enumerate(shown) if line.startswith("Interrupted: sent "))
    assert " not sent" in shown[summary]
    assert shown[summary + 1].startswith("The lines not sent are in ")


def test_a_dead_endpoint_stops_the_batch_after_one_round_of_retries(cli, tmp_path):
    import socket
    import time

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    lines = [f"line-{i}".encode() for i in range(300)]
    (tmp_path / "in.txt").write_bytes(b"".join(line + b"\n" for line in lines))
    queue_id = "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b"  # an id: no list call before the batch
    started = time.monotonic()
    result = cli(
        "--api-endpoint", f"http://127.0.0.1:{port}/v1", "--api-key", "k" * 20,
        "messages", "add", queue_id, "--batch", "in.txt", "-q",
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.exit_code == 7, result.stderr
    assert elapsed < 8  # one round of retries (at most 3.5 s of backoff), not one per line
    assert Counter(failed_file(tmp_path)) == Counter(lines)  # refused connections: surely not sent
    err = result.stderr.splitlines()
    assert f"Error: could not connect to http://127.0.0.1:{port}: Connection refused" in err
    summary = next(line for line in err if line.startswith("Stopped: sent 0 of 300 message(s)"))
    assert summary.endswith("; 300 not sent (line 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …).")
    shown = [int(n) for n in summary.split("not sent (line ")[1].split(")")[0].split(", ") if n != "…"]
    assert shown == sorted(shown)  # in input order, not in the order the retries gave up


def stored_data(served, queue_id: str) -> list[bytes]:
    from tests.emulator.stored import stored_data as in_database

    return [data.encode() for data in in_database(served.db, queue_id)]


def big_file(tmp_path: Path, count: int = 20000) -> list[bytes]:
    """`count` lines in big.txt; the lines."""
    lines = [f"line-{i}".encode() for i in range(count)]
    (tmp_path / "big.txt").write_bytes(b"\n".join(lines) + b"\n")
    return lines


def stored_or_kept(served, queue_id: str, tmp_path: Path, lines: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """Each line stored, not sent (failed-lines file) or in flight at the stop (unknown-outcome file,
    which may also be stored); no not-sent line stored. The stored data and the not-sent lines."""
    stored, (failed, unknown) = stored_data(served, queue_id), kept(tmp_path)
    assert set(stored) | set(failed) | set(unknown) == set(lines)
    assert set(stored) & set(failed) == set()  # the resend file never holds a stored line
    return stored, failed


def reader_goes_away(args: list[str], served, tmp_path: Path, sig: int | None = None) -> tuple[int, str]:
    """Run a batch, read its first line of output and close the pipe (then signal it, with `sig`):
    its exit code and stderr, which must hold no traceback."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=served.env(), cwd=tmp_path)
    process.stdout.readline()
    process.stdout.close()  # the reader went away
    if sig is not None:
        process.send_signal(sig)  # ...and the signal comes to discue too
    stderr = process.stderr.read().decode()
    code = process.wait(timeout=30)
    assert "Traceback" not in stderr and "internal error" not in stderr
    return code, stderr


def test_a_reader_that_goes_away_stops_the_batch_and_the_rest_goes_to_the_failed_lines(served, tmp_path):
    """`discue messages add Q --batch FILE | head -1`: the ids can no longer be written, so the batch
    stops, says so, and every line not acknowledged is in the failed-lines file (it was dropped before)."""
    queue_id = make_queue(served)
    lines = big_file(tmp_path)
    args = [str(DISCUE), "messages", "add", "big", "--batch", "big.txt", "-q"]
    code, stderr = reader_goes_away(args, served, tmp_path)
    assert code == 1, stderr
    assert "Error: the output was closed (the program reading it went away): the batch stopped" in stderr
    summary = [line for line in stderr.splitlines() if line.startswith("Stopped: sent")]
    assert summary, stderr
    _, failed = stored_or_kept(served, queue_id, tmp_path, lines)
    assert len(failed) > 10000 and f"{len(failed)} not sent" in summary[0]


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_that_also_stops_the_reader_loses_nothing(served, tmp_path, sig, code):
    """Ctrl-C in a shell reaches the whole pipeline (`discue ... --batch F --json | jq`): the reader dies
    too, so the batch's last writes fail. Still a clean stop: the summary and every unsent line kept."""
    queue_id = make_queue(served)
    lines = big_file(tmp_path)
    args = [str(DISCUE), "messages", "add", "big", "--batch", "big.txt", "--json"]
    returncode, stderr = reader_goes_away(args, served, tmp_path, sig)
    assert returncode == code, stderr
    assert any(line.startswith(("Interrupted: sent", "Stopped: sent")) for line in stderr.splitlines()), stderr
    stored_or_kept(served, queue_id, tmp_path, lines)


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_quiet_still_says_a_signal_stopped_the_batch(served, tmp_path, sig, code):
    """`tail -f log | discue ... --batch - -q`: a stop while every line read so far was acknowledged is
    still a stop, with its exit code (it was a silent 0)."""
    make_queue(served)
    read_end, write_end = os.pipe()
    args = [str(DISCUE), "messages", "add", "big", "--batch", "-", "-q"]
    process = subprocess.Popen(args, stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=served.env())
    os.close(read_end)
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(b'{"a": 1}\n')
        pipe.flush()
        assert process.stdout.readline()  # acknowledged; the pipe stays open, as tail -f keeps it
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Interrupted: sent 1 of 1 message(s) to big" in stderr.decode()


def test_a_stdout_that_cannot_be_written_stops_the_batch_and_keeps_the_rest(served, tmp_path):
    """stdout on a full disk (/dev/full): like a reader that went away, the batch stops and says why, and
    every line not acknowledged is in the failed-lines file (before: `cannot write output`, nothing kept)."""
    queue_id = make_queue(served)
    lines = big_file(tmp_path)
    args = [str(DISCUE), "messages", "add", "big", "--batch", "big.txt", "--json"]
    with open("/dev/full", "wb") as full:
        process = subprocess.run(args, stdout=full, stderr=subprocess.PIPE, env=served.env(), cwd=tmp_path, timeout=60)
    stderr = process.stderr.decode()
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    error = json.loads(stderr.splitlines()[0])  # --json: the error as one JSON object on stderr
    assert (error["title"], error["exit_code"]) == (
        "cannot write output (No space left on device): the batch stopped",
        1,
    )
    assert any(line.startswith("Stopped: sent") for line in stderr.splitlines()), stderr
    _, failed = stored_or_kept(served, queue_id, tmp_path, lines)
    assert len(failed) > 10000
