"""`discue apply` and `discue export` against the local discue served over real HTTP in each API generation:
schemas in 2023-04, `alias` in 2024-08 (pinned, remembered, learned), few reads in 2022-05."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.commands.apply.helpers import human, writes
from tests.conftest import Served, start_server

SIGNUPS = """\
[[queues]]
name = "signups"
schema = { userId = { type = "string" }, plan = { type = "object", props = { tier = { type = "string" } } } }

  [[queues.listeners]]
  name = "mailer"
  notify_url = "https://myapp.io/hooks/signup"
  liveness_url = "https://myapp.io/hooks/live"
"""
RULES = {"userId": {"type": "string"}, "plan": {"type": "object", "props": {"tier": {"type": "string"}}}}

ORDERS = """\
[[queues]]
name = "orders"

  [[queues.listeners]]
  name = "billing"
  notify_url = "https://myapp.io/hooks/billing"
  liveness_url = "https://myapp.io/hooks/live"

[[queues]]
name = "payments"
"""


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """Start the local discue over HTTP in the generation asked for; every server is stopped at the end."""
    servers: list[Served] = []

    def start(generation: str) -> Served:
        db = tmp_path / f"served-{generation}-{len(servers)}.sqlite3"
        servers.append(start_server(db, "--api-version", generation, "--no-deliver"))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def against(cli, server: Served, *pinned: str):
    def invoke(*args: str, **kwargs):
        return cli(*server.cli_args(), *pinned, *args, **kwargs)

    return invoke


def direct(server: Served) -> httpx.Client:
    """The served API without the CLI: to see what the server holds, or to change it behind apply's back."""
    return httpx.Client(base_url=server.endpoint, headers={"X-API-KEY": server.key}, timeout=10)


def reads(stderr: str) -> list[str]:
    return [f"GET {path}" for path in re.findall(r"^GET https?://[^/]+/v1(\S*) 200 ", stderr, re.M)]


# -- 2023-04: queue schemas


def test_2023_04_a_schema_is_created_checked_for_drift_put_back_and_removed(cli, serve, tmp_path):
    server = serve("2023-04")
    remote = against(cli, server)
    (tmp_path / "discue.toml").write_text(SIGNUPS)

    first = remote("-v", "apply")
    assert (first.exit_code, first.stdout) == (0, "+ queue signups\n+ listener signups/mailer\n")
    assert human(first.stderr) == "Applied: 2 added, 0 changed, 0 deleted.\n"
    queue = json.loads(remote("queues", "get", "signups", "--json").stdout)["queue"]
    assert queue["schema"] == RULES

    second = remote("-v", "apply")
    assert (second.exit_code, second.stdout, human(second.stderr)) == (0, "", "No changes.\n")
    assert writes(second.stderr) == []

    other = '{"userId": {"type": "number"}}'
    assert remote("queues", "update", "signups", "--schema", other).exit_code == 0
    check = remote("apply", "--check")
    assert (check.exit_code, check.stdout) == (8, "~ queue signups schema\n")
    fixed = remote("-v", "apply")
    assert (fixed.exit_code, fixed.stdout) == (0, "~ queue signups schema\n")
    assert writes(fixed.stderr) == [f"PUT /v1/queues/{queue['id']}"]
    assert json.loads(remote("queues", "get", "signups", "--json").stdout)["queue"]["schema"] == RULES
    assert remote("apply", "--check").exit_code == 0

    (tmp_path / "discue.toml").write_text(re.sub(r"^schema = .*\n", "", SIGNUPS, flags=re.M))
    dropped = remote("apply")
    assert (dropped.exit_code, dropped.stdout) == (0, "~ queue signups schema\n")
    assert json.loads(remote("queues", "get", "signups", "--json").stdout)["queue"]["schema"] is None
    assert remote("apply", "--check").exit_code == 0


def test_2023_04_export_writes_the_schema_and_applying_it_changes_nothing(cli, serve, tmp_path):
    server = serve("2023-04")
    remote = against(cli, server)
    (tmp_path / "discue.toml").write_text(SIGNUPS)
    assert remote("apply").exit_code == 0

    exported = remote("export")
    assert (exported.exit_code, exported.stderr) == (0, "")
    assert exported.stdout == (
        "[[queues]]\n"
        'name = "signups"\n'
        "\n"
        "[queues.schema.plan]\n"
        'type = "object"\n'
        "\n"
        "[queues.schema.plan.props.tier]\n"
        'type = "string"\n'
        "\n"
        "[queues.schema.userId]\n"
        'type = "string"\n'
        "\n"
        "  [[queues.listeners]]\n"
        '  name = "mailer"\n'
        '  notify_url = "https://myapp.io/hooks/signup"\n'
        '  liveness_url = "https://myapp.io/hooks/live"\n'
    )
    (tmp_path / "exported.toml").write_text(exported.stdout)
    again = remote("-v", "apply", "-f", "exported.toml", "--prune")
    assert (again.exit_code, again.stdout, human(again.stderr)) == (0, "", "No changes.\n")
    assert writes(again.stderr) == []


def test_2022_05_learned_from_replies_refuses_a_schema_before_the_first_write(cli, serve, tmp_path):
    server = serve("2022-05")
    remote = against(cli, server)
    assert remote("queues", "create", "orders").exit_code == 0  # auto learns 2022-05 from the reply
    (tmp_path / "discue.toml").write_text('[[queues]]\nname = "orders"\n\n' + SIGNUPS)
    result = remote("-v", "apply")
    assert (result.exit_code, result.stdout) == (2, "")
    assert human(result.stderr).startswith(
        "Error: the 2022-05 API generation has no queue schemas (it is in 2023-04, 2024-08)\n"
    )
    assert writes(result.stderr) == []
    assert [q["name"] for q in direct(server).get("/queues").json()["queues"]] == ["orders"]


# -- 2024-08: alias


def test_2024_08_pinned_create_no_op_drift_prune_and_export_round_trip(cli, serve, tmp_path):
    server = serve("2024-08")
    remote = against(cli, server, "--api-version", "2024-08")
    api = direct(server)
    (tmp_path / "discue.toml").write_text(ORDERS)

    first = remote("-v", "apply")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "+ queue orders\n+ listener orders/billing\n+ queue payments\n"
    assert [w.split()[0] for w in writes(first.stderr)] == ["POST"] * 3
    queues = {q["alias"]: q["id"] for q in api.get("/queues").json()["queues"]}
    assert sorted(queues) == ["orders", "payments"]
    [billing] = api.get(f"/queues/{queues['orders']}/listeners").json()["listeners"]
    assert (billing["alias"], billing["notify_url"]) == ("billing", "https://myapp.io/hooks/billing")

    second = remote("-v", "apply")
    assert (second.exit_code, second.stdout, human(second.stderr)) == (0, "", "No changes.\n")
    assert writes(second.stderr) == []

    moved = api.put(f"/queues/{queues['orders']}/listeners/{billing['id']}", json={"notify_url": "https://x.io/n"})
    assert moved.status_code == 200
    check = remote("apply", "--check")
    assert (check.exit_code, check.stdout) == (8, "~ listener orders/billing notify_url\n")
    fixed = remote("-v", "apply")
    assert (fixed.exit_code, fixed.stdout) == (0, "~ listener orders/billing notify_url\n")
    assert writes(fixed.stderr) == [f"PUT /v1/queues/{queues['orders']}/listeners/{billing['id']}"]

    stray = api.post("/queues", json={"alias": "stray"}).json()["queue"]["id"]
    urls = {"notify_url": "https://s.io/n", "liveness_url": "https://s.io/l"}
    assert api.post(f"/queues/{queues['orders']}/listeners", json={"alias": "extra", **urls}).status_code == 200
    pruned = remote("-v", "apply", "--prune", "--yes")
    assert (pruned.exit_code, pruned.stdout) == (0, "- listener orders/extra\n- queue stray\n")
    assert writes(pruned.stderr)[-1] == f"DELETE /v1/queues/{stray}"
    assert sorted(q["alias"] for q in api.get("/queues").json()["queues"]) == ["orders", "payments"]

    exported = remote("export")
    assert exported.stdout == (
        "[[queues]]\n"
        'name = "orders"\n'
        "\n"
        "  [[queues.listeners]]\n"
        '  name = "billing"\n'
        '  notify_url = "https://myapp.io/hooks/billing"\n'
        '  liveness_url = "https://myapp.io/hooks/live"\n'
        "\n"
        "[[queues]]\n"
        'name = "payments"\n'
    )
    again = remote("-v", "apply", "-f", "-", "--prune", input=exported.stdout)
    assert (again.exit_code, again.stdout, human(again.stderr)) == (0, "", "No changes.\n")
    assert writes(again.stderr) == []


def test_2024_08_under_auto_a_remembered_generation_writes_alias_with_no_queues_yet(cli, serve, tmp_path):
    server = serve("2024-08")
    remote = against(cli, server)
    api = direct(server)
    seen = api.post("/queues", json={"alias": "seen"}).json()["queue"]["id"]
    assert remote("queues", "list").stdout == f"{seen}\tseen\n"  # auto learns 2024-08 and remembers it
    assert api.delete(f"/queues/{seen}").status_code == 200
    (tmp_path / "discue.toml").write_text(ORDERS)

    applied = remote("-v", "apply")
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout == "+ queue orders\n+ listener orders/billing\n+ queue payments\n"
    assert reads(applied.stderr) == ["GET /queues"]  # the listing is the only probe
    assert sorted(q["alias"] for q in api.get("/queues").json()["queues"]) == ["orders", "payments"]


def test_2024_08_under_auto_the_listing_teaches_alias_and_the_cache_remembers_it(cli, serve, tmp_path):
    server = serve("2024-08")
    remote = against(cli, server)
    api = direct(server)
    api.post("/queues", json={"alias": "orders"})
    (tmp_path / "discue.toml").write_text(ORDERS)
    applied = remote("apply")
    assert (applied.exit_code, applied.stdout) == (0, "+ listener orders/billing\n+ queue payments\n")
    assert remote("apply", "--check").exit_code == 0
    cache = json.loads((tmp_path / "cache" / "generations.json").read_text())
    assert cache == {server.endpoint: "2024-08"}  # what apply learned serves every later command


def test_2024_08_under_auto_with_nothing_to_learn_from_learns_from_the_refusal(cli, serve, tmp_path):
    """docs/generations.md: with no queues to tell the generation, a first write names by `name`; 2024-08 refuses it,
    saying it wants `alias`: auto learns that, says so and sends that write again (a 400 stored nothing)."""
    server = serve("2024-08")
    remote = against(cli, server)
    (tmp_path / "discue.toml").write_text(ORDERS)
    applied = remote("apply")
    assert (applied.exit_code, applied.stdout) == (0, "+ queue orders\n+ listener orders/billing\n+ queue payments\n")
    assert applied.stderr == (
        "Warning: this endpoint speaks the 2024-08 API generation (alias): sent again with alias\n"
        "Applied: 3 added, 0 changed, 0 deleted.\n"
    )
    again = remote("apply")
    assert (again.exit_code, again.stderr) == (0, "No changes.\n")


# -- 2022-05: no read per resource where the generation is pinned


def test_2022_05_pinned_reads_each_queues_listeners_once_and_nothing_else(cli, serve, tmp_path):
    server = serve("2022-05")
    remote = against(cli, server, "--api-version", "2022-05")
    listeners = "".join(
        f'[[queues.listeners]]\nname = "{name}"\nnotify_url = "https://myapp.io/{name}"\nliveness_url = "https://myapp.io/l"\n'
        for name in ("a", "b")
    )
    text = f'[[queues]]\nname = "orders"\n{listeners}[[queues]]\nname = "refunds"\n{listeners}'
    (tmp_path / "discue.toml").write_text(text)
    assert remote("apply").exit_code == 0
    again = remote("-v", "apply")
    assert (again.exit_code, human(again.stderr)) == (0, "No changes.\n")
    ids = {q["name"]: q["id"] for q in direct(server).get("/queues").json()["queues"]}
    assert sorted(reads(again.stderr)) == sorted(
        ["GET /queues"] + [f"GET /queues/{ids[name]}/listeners?_embed=true" for name in ("orders", "refunds")]
    )
