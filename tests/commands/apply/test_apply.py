"""`discue apply` and `discue export` against the local discue served over HTTP (and in process)."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.commands.apply.helpers import FILE, L, Q, human, writes

CREATED = [f"+ queue {Q}", f"+ listener {Q}/{L}", f"+ listener {Q}/audit", "+ queue orders"]


def exchanges(stderr: str) -> list[str]:
    return re.findall(r"^[A-Z]+ http\S+ \d+ \d+ms$", stderr, re.M)


def seed_extra(remote) -> None:
    """A queue and a listener the file does not declare."""
    assert remote("queues", "create", "stray-queue").exit_code == 0
    urls = ("--notify-url", "http://127.0.0.1:1/n", "--liveness-url", "http://127.0.0.1:1/l")
    assert remote("listeners", "add", Q, "stray-listener", *urls).exit_code == 0


MALFORMED = {
    "syntax": (
        '[[queues]]\nname = "a"\nname = "b"\n',
        "discue.toml:3: invalid TOML: Cannot overwrite a value (column 11)",
    ),
    "unknown key": ('[[queues]]\nname = "a"\nlistener = []\n', "discue.toml:3: queue #1 'a': unknown key 'listener'"),
    "duplicate queue": (
        '[[queues]]\nname = "a"\n[[queues]]\nname = "a"\n',
        "discue.toml:3: queue #2 'a': the name is declared twice",
    ),
    "missing name": ("[[queues]]\nname = 'q'\n[[queues]]\n", "discue.toml:3: queue #2: missing name"),
    "malformed url": (
        "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nnotify_url = 'myapp.io/hook'\nliveness_url = 'http://a'\n",
        "discue.toml:5: queue #1 'q', listener #1 'l': notify_url: 'myapp.io/hook' is not an http(s) URL",
    ),
    "schema not rules": (
        "[[queues]]\nname = 'q'\nschema = ['a']\n",
        "discue.toml:3: queue #1 'q': schema: expected a table",
    ),
}


class FailOnce(httpx.AsyncBaseTransport):
    """Real HTTP to the served local discue, except that the Nth write is answered 500 without being sent."""

    def __init__(self, nth_write: int):
        self.inner = httpx.AsyncHTTPTransport()
        self.nth = nth_write
        self.writes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            self.writes += 1
            if self.writes == self.nth:
                return httpx.Response(500, json={"title": "Injected failure", "status": 500})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


ALIAS_Q = "_Tzrg1O3jk4_FZTAEThNq"


ALIAS_NEW = "MbCS6UB_m7NdvyDOE8stT"


def test_apply_creates_then_a_second_apply_sends_no_write(remote, declared):
    first = remote("-v", "apply")
    assert (first.exit_code, first.stdout.splitlines()) == (0, CREATED)
    assert human(first.stderr) == "Applied: 4 added, 0 changed, 0 deleted.\n"
    assert [w.split()[0] for w in writes(first.stderr)] == ["POST"] * 4

    second = remote("-v", "apply")
    assert (second.exit_code, second.stdout, human(second.stderr)) == (0, "", "No changes.\n")
    assert writes(second.stderr) == [] and exchanges(second.stderr)  # it did read

    listed = remote("listeners", "get", Q, L, "--json")
    listener = json.loads(listed.stdout)["listener"]
    assert (listener["notify_url"], listener["liveness_url"]) == (
        "https://myapp.io/hooks/deletion",
        "https://myapp.io/hooks/live",
    )


def test_drift_is_put_back_with_only_the_fields_that_differ(remote, declared):
    assert remote("apply").exit_code == 0
    assert remote("listeners", "update", Q, L, "--notify-url", "https://elsewhere.example/x").exit_code == 0

    check = remote("-v", "apply", "--check")
    assert (check.exit_code, check.stdout) == (8, f"~ listener {Q}/{L} notify_url\n")
    assert human(check.stderr) == "Plan: 0 to add, 1 to change, 0 to delete. The server differs from discue.toml.\n"
    assert writes(check.stderr) == []

    applied = remote("-v", "apply", "--json")
    assert applied.exit_code == 0
    assert json.loads(applied.stdout) == [
        {"action": "change", "kind": "listener", "queue": Q, "name": L, "fields": ["notify_url"]}
    ]
    [put] = writes(applied.stderr)
    assert put.startswith("PUT /v1/queues/") and "/listeners/" in put
    assert human(applied.stderr) == "Applied: 0 added, 1 changed, 0 deleted.\n"

    assert remote("apply", "--check").exit_code == 0
    listener = json.loads(remote("listeners", "get", Q, L, "--json").stdout)["listener"]
    assert listener["notify_url"] == "https://myapp.io/hooks/deletion"


def test_check_and_dry_run_send_no_write(remote, declared):
    dry = remote("-v", "apply", "--dry-run")
    assert (dry.exit_code, dry.stdout.splitlines()) == (0, CREATED)
    assert human(dry.stderr) == "Plan: 4 to add, 0 to change, 0 to delete. Nothing changed (--dry-run).\n"
    check = remote("-v", "apply", "--check", "--json")
    assert check.exit_code == 8
    assert [c["action"] for c in json.loads(check.stdout)] == ["add"] * 4
    assert writes(dry.stderr) == writes(check.stderr) == []
    assert remote("queues", "list").stdout == ""
    both = remote("apply", "--check", "--dry-run")
    assert (both.exit_code, both.stderr) == (2, "Error: --dry-run and --check cannot be combined\n")


def test_prune_without_a_terminal_and_without_yes_changes_nothing_at_all(remote, declared, tmp_path):
    assert remote("apply").exit_code == 0
    seed_extra(remote)
    before = remote("export").stdout
    declared.write_text(FILE + '\n[[queues]]\nname = "new-queue"\n')

    refused = remote("-v", "apply", "--prune")
    assert refused.exit_code == 2
    assert human(refused.stderr) == (
        "Error: refusing to delete 2 resource(s) (--prune) without --yes in a non-interactive run; nothing changed\n"
        "Hint: add --yes to delete them, or run `discue apply --dry-run --prune` to see what would go\n"
    )
    assert refused.stdout == "" and writes(refused.stderr) == []
    assert remote("export").stdout == before  # not even the new queue was added


def test_prune_with_yes_deletes_exactly_what_the_file_does_not_declare(remote, declared):
    assert remote("apply").exit_code == 0
    seed_extra(remote)
    pruned = remote("apply", "--prune", "--yes")
    assert (pruned.exit_code, pruned.stdout) == (0, f"- listener {Q}/stray-listener\n- queue stray-queue\n")
    assert pruned.stderr == "Applied: 0 added, 0 changed, 2 deleted.\n"
    names = [line.split("\t")[1] for line in remote("queues", "list").stdout.splitlines()]
    assert sorted(names) == sorted([Q, "orders"])
    listeners = [line.split("\t")[1] for line in remote("listeners", "list", Q).stdout.splitlines()]
    assert sorted(listeners) == sorted([L, "audit"])
    assert remote("apply", "--prune", "--check").exit_code == 0


@pytest.mark.usefixtures("tty")
def test_prune_on_a_terminal_asks_and_a_no_changes_nothing(local, declared):
    assert local("apply").exit_code == 0
    assert local("queues", "create", "stray-queue").exit_code == 0
    declared.write_text(FILE + '\n[[queues]]\nname = "new-queue"\n')
    before = local("--no-color", "queues", "list").stdout

    answered_no = local("apply", "--prune", input="n\n")
    assert answered_no.exit_code == 2 and answered_no.stdout == ""
    assert answered_no.stderr == (
        "--prune deletes what the file does not declare:\n"
        "  - queue stray-queue (with its listeners and messages)\n"
        "Delete 1 queue(s) and 0 listener(s), and apply the rest? [y/N]: Nothing changed.\n"
    )
    assert local("--no-color", "queues", "list").stdout == before

    answered_yes = local("apply", "--prune", input="y\n")
    assert answered_yes.exit_code == 0
    assert answered_yes.stdout == "+ queue    new-queue\n- queue    stray-queue\n"
    assert answered_yes.stderr.endswith("[y/N]: Applied: 1 added, 0 changed, 1 deleted.\n")


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_is_refused_before_any_request(cli, httpmock, declared, case):
    text, message = MALFORMED[case]
    declared.write_text(text)
    result = cli("--api-key", "k", "apply", "--prune", "--yes")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: {message}")
    assert httpmock.requests == []


def test_a_missing_file_says_how_to_start_one(cli, httpmock):
    result = cli("--api-key", "k", "apply")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: cannot read discue.toml: No such file or directory\n"
        "Hint: write one (`discue export > discue.toml` starts it from the server) or pass -f FILE\n"
    )


def test_a_failure_part_way_says_what_was_applied_and_a_rerun_completes_it(remote, setup, declared):
    setup.transport = FailOnce(nth_write=3)
    failed = remote("apply")
    assert failed.exit_code == 1
    assert failed.stdout.splitlines() == CREATED[:2]
    assert failed.stderr == (
        f"Failed: + listener {Q}/audit\n"
        "Not applied (1):\n"
        "  + queue orders\n"
        "Applied 2 of 4 change(s); run `discue apply` again to complete the rest.\n"
        "Error: Injected failure (500)\n"
    )

    setup.transport = None
    rerun = remote("apply")
    assert (rerun.exit_code, rerun.stdout.splitlines()) == (0, CREATED[2:])
    assert rerun.stderr == "Applied: 2 added, 0 changed, 0 deleted.\n"
    assert remote("apply", "--check").exit_code == 0


def test_a_failure_part_way_with_json_keeps_stderr_one_json_object(remote, setup, declared):
    setup.transport = FailOnce(nth_write=2)
    failed = remote("apply", "-f", str(declared), "--json")
    assert failed.exit_code == 1
    assert json.loads(failed.stdout) == [{"action": "add", "kind": "queue", "queue": Q, "name": Q, "fields": []}]
    error = json.loads(failed.stderr)
    assert error["title"] == "Injected failure" and error["exit_code"] == 1
    assert error["hint"] == (
        f"failed: + listener {Q}/{L}; 2 more not applied. "
        f"Applied 1 of 4 change(s); run `discue apply -f {declared}` again to complete the rest."
    )


@pytest.mark.usefixtures("tty")
def test_on_a_terminal_the_plan_is_aligned_and_shows_old_and_new_values(local, declared):
    assert local("apply").exit_code == 0
    urls = ("--notify-url", "https://old.example/x", "--liveness-url", "https://old.example/l")
    assert local("listeners", "update", Q, L, *urls).exit_code == 0
    assert local("queues", "create", "stray").exit_code == 0
    result = local("apply", "--dry-run", "--prune")
    assert result.exit_code == 0
    assert result.stdout == (
        f"~ listener {Q}/{L}  notify_url, liveness_url\n"
        "    notify_url: https://old.example/x -> https://myapp.io/hooks/deletion\n"
        "    liveness_url: https://old.example/l -> https://myapp.io/hooks/live\n"
        "- queue    stray\n"
    )


@pytest.mark.usefixtures("tty")
def test_on_a_terminal_the_plan_is_colored_unless_color_is_off(local, declared, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    colored = local("apply", "--dry-run")
    assert "\x1b[1;32m+\x1b[0m \x1b[32mqueue   \x1b[0m" in colored.stdout
    plain = local("--no-color", "apply", "--dry-run")
    assert "\x1b" not in plain.stdout
    assert plain.stdout.splitlines()[0] == f"+ queue    {Q}"


def test_piped_the_plan_is_plain_even_with_color_allowed(local, declared, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    result = local("apply", "--dry-run")
    assert result.stdout.splitlines() == CREATED


def test_stdin_is_read_with_dash_and_named_in_errors(local):
    result = local("apply", "-f", "-", input="[[queues]\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: stdin:1: invalid TOML: ")


def test_the_alias_generation_is_matched_and_written_by_alias(cli, httpmock, tmp_path):
    """Replies shaped like discue's Terraform provider's API (docs/generations.md)."""
    path = tmp_path / "alias.toml"
    path.write_text(
        '[[queues]]\nname = "orders"\n'
        '[[queues.listeners]]\nname = "billing"\nnotify_url = "https://b.example/new"\nliveness_url = "https://b.example/live"\n'
        '[[queues]]\nname = "payments"\n'
        '[[queues.listeners]]\nname = "ledger"\nnotify_url = "https://l.example/n"\nliveness_url = "https://l.example/l"\n'
    )
    sent: dict[str, object] = {}

    def record(key: str, reply: dict):
        def respond(request: httpx.Request) -> httpx.Response:
            sent[key] = json.loads(request.content)
            return httpx.Response(200, json=reply)

        return respond

    listener = {"status": "enabled", "liveness_url": "https://b.example/live"}
    httpmock.register("GET", "/v1/queues", {"queues": [{"id": ALIAS_Q, "alias": "orders"}]})
    httpmock.register("GET", f"/v1/queues/{ALIAS_Q}", {"queue": {"id": ALIAS_Q, "alias": "orders"}})
    httpmock.register(
        "GET",
        f"/v1/queues/{ALIAS_Q}/listeners",
        {
            "listeners": [
                {"id": "L1", "alias": "billing", "notify_url": "https://b.example/old", **listener},
                {"id": "L2", "alias": "stale", "notify_url": "https://s.example/n", **listener},
            ]
        },
    )
    httpmock.register("PUT", f"/v1/queues/{ALIAS_Q}/listeners/L1", record("put", {"listener": {"id": "L1"}}))
    httpmock.register("POST", "/v1/queues", record("queue", {"queue": {"id": ALIAS_NEW, "alias": "payments"}}))
    httpmock.register("POST", f"/v1/queues/{ALIAS_NEW}/listeners", record("listener", {"listener": {"id": "L3"}}))
    httpmock.register("DELETE", f"/v1/queues/{ALIAS_Q}/listeners/L2", {"_links": {}})

    result = cli("--api-key", "k", "apply", "-f", str(path), "--prune", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "~ listener orders/billing notify_url",
        "+ queue payments",
        "+ listener payments/ledger",
        "- listener orders/stale",
    ]
    assert sent == {
        "put": {"notify_url": "https://b.example/new"},
        "queue": {"alias": "payments"},
        "listener": {"alias": "ledger", "notify_url": "https://l.example/n", "liveness_url": "https://l.example/l"},
    }


def test_a_schema_drift_is_put_back_and_a_dropped_schema_removed(cli, httpmock, tmp_path):
    """The 2023-04 shape: list items carry id and name, the queue itself its schema."""
    path = tmp_path / "schema.toml"
    path.write_text("[[queues]]\nname = 'a'\nschema = { userId = { type = 'string' } }\n[[queues]]\nname = 'b'\n")
    old = {"userId": {"type": "number", "required": True}}
    httpmock.register("GET", "/v1/queues", {"queues": [{"id": "QA", "name": "a"}, {"id": "QB", "name": "b"}]})
    for queue_id, name in (("QA", "a"), ("QB", "b")):
        httpmock.register("GET", f"/v1/queues/{queue_id}", {"queue": {"id": queue_id, "name": name, "schema": old}})
        httpmock.register("GET", f"/v1/queues/{queue_id}/listeners", {"listeners": []})
    bodies = []

    def put(request: httpx.Request) -> httpx.Response:
        bodies.append((request.url.path, json.loads(request.content)))
        return httpx.Response(200, json={"queue": {}})

    httpmock.register("PUT", "/v1/queues/QA", put)
    httpmock.register("PUT", "/v1/queues/QB", put)
    result = cli("--api-key", "k", "apply", "-f", str(path))
    assert (result.exit_code, result.stdout) == (0, "~ queue a schema\n~ queue b schema\n")
    assert bodies == [
        ("/v1/queues/QA", {"schema": {"userId": {"type": "string"}}}),
        ("/v1/queues/QB", {"schema": None}),
    ]


@pytest.mark.parametrize("bad_id", ["..", ".", ""])
def test_a_server_id_that_is_not_a_path_segment_never_addresses_another_resource(cli, setup, tmp_path, bad_id):
    """A buggy or hostile server answers a listener id of '..': pruning it must not DELETE the queue."""
    queue_id = "QQQQQQQQQQQQQQQQQQQQ1"
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method != "GET":
            return httpx.Response(200, json={"_links": {}})
        if request.url.path == "/v1/queues":
            return httpx.Response(200, json={"queues": [{"id": queue_id, "name": "keep"}]})
        if request.url.path.endswith("/listeners"):
            stale = {
                "id": bad_id,
                "name": "stale",
                "notify_url": "https://s.example/n",
                "liveness_url": "https://s.example/l",
            }
            return httpx.Response(200, json={"listeners": [stale]})
        return httpx.Response(200, json={"queue": {"id": queue_id, "name": "keep"}})

    setup.transport = httpx.MockTransport(answer)
    path = tmp_path / "keep.toml"
    path.write_text('[[queues]]\nname = "keep"\n')
    result = cli("--api-key", "k", "--api-version", "2023-04", "apply", "-f", str(path), "--prune", "--yes")
    assert result.exit_code == 2, result.stderr
    assert [s for s in seen if not s.startswith("GET ")] == []
