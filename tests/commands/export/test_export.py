"""`discue export`: the server as a file that `discue apply` reads back unchanged."""

from __future__ import annotations

from tests.commands.apply.helpers import L, Q, human, writes


def test_export_prints_the_server_sorted_and_applying_it_changes_nothing(remote, declared, tmp_path):
    assert remote("apply").exit_code == 0
    exported = remote("export")
    assert exported.exit_code == 0 and exported.stderr == ""
    assert exported.stdout == (
        "[[queues]]\n"
        f'name = "{Q}"\n'
        "\n"
        "  [[queues.listeners]]\n"
        '  name = "audit"\n'
        '  notify_url = "https://audit.example/hook"\n'
        '  liveness_url = "https://audit.example/live"\n'
        "\n"
        "  [[queues.listeners]]\n"
        f'  name = "{L}"\n'
        '  notify_url = "https://myapp.io/hooks/deletion"\n'
        '  liveness_url = "https://myapp.io/hooks/live"\n'
        "\n"
        "[[queues]]\n"
        'name = "orders"\n'
    )
    path = tmp_path / "exported.toml"
    path.write_text(exported.stdout)
    again = remote("-v", "apply", "-f", str(path), "--prune")
    assert (again.exit_code, again.stdout, human(again.stderr)) == (0, "", "No changes.\n")
    assert writes(again.stderr) == []

    one = remote("export", "orders")
    assert one.stdout == '[[queues]]\nname = "orders"\n'
    missing = remote("export", "orders", "nope")
    assert (missing.exit_code, missing.stdout) == (4, "")
    assert missing.stderr.startswith("Error: no queue named 'nope'\n")


def test_export_of_an_empty_server_applies_as_no_queues(local):
    exported = local("export")
    assert (exported.exit_code, exported.stdout) == (0, "queues = []\n")
    applied = local("apply", "-f", "-", input=exported.stdout)
    assert (applied.exit_code, applied.stdout, applied.stderr) == (0, "", "No changes.\n")
