"""`auto` against an empty 2024-08 server: its first write sends `name` (nothing tells the generations
apart yet); the server's 400 asks for `alias`, and from then on the CLI writes alias."""

from __future__ import annotations

from tests.conftest import start_server


def test_auto_learns_alias_from_the_first_refused_write(cli, tmp_path):
    served = start_server(tmp_path / "alias.sqlite3", "--no-deliver", "--api-version", "2024-08")
    try:
        args = ("--api-endpoint", served.endpoint, "--api-key", served.key, "--api-version", "auto")
        first = cli(*args, "queues", "create", "first", "-q")
        assert (first.exit_code, first.stdout) == (1, "")
        assert first.stderr.splitlines()[-1] == (
            "Hint: this endpoint speaks the 2024-08 API generation (alias): run the command again"
        )
        again = cli(*args, "queues", "create", "first", "--json")
        assert again.exit_code == 0, again.stderr
        assert '"alias":"first"' in again.stdout
    finally:
        served.stop()
