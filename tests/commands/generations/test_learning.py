"""`auto` against an empty 2024-08 server: its first write sends `name` (nothing tells the generations
apart yet); the server's 400 asks for `alias`, so the CLI learns 2024-08, says so and sends again
(a 400 stored nothing)."""

from __future__ import annotations

from tests.conftest import start_server


def test_auto_learns_alias_from_the_first_refused_write_and_sends_again(cli, tmp_path):
    served = start_server(tmp_path / "alias.sqlite3", "--no-deliver", "--api-version", "2024-08")
    try:
        args = ("--api-endpoint", served.endpoint, "--api-key", served.key, "--api-version", "auto")
        first = cli(*args, "queues", "create", "first", "-q")
        assert first.exit_code == 0, first.stderr
        assert first.stderr == (
            "Warning: this endpoint speaks the 2024-08 API generation (alias): sent again with alias\n"
        )
        again = cli(*args, "queues", "create", "second", "--json")
        assert (again.exit_code, again.stderr) == (0, "")
        assert '"alias":"second"' in again.stdout
        listed = cli(*args, "queues", "list")
        assert sorted(line.split("\t")[1] for line in listed.stdout.splitlines()) == ["first", "second"]
    finally:
        served.stop()
