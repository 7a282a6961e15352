"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import json

import pytest

from tests import stubs
from tests.commands.helpers import make_listener, make_queue
from tests.conftest import LISTENER_URLS
from tests.stubs import L, M, Q, expect, listener, queues_reply

api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_listeners_list_and_get_by_name_or_alias(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}/listeners", {"listeners": [listener(gen)]}, None)
    result = api("listeners", "list", Q, gen=gen)
    assert result.stdout.split("\t")[:2] == [L, "mailer"]
    expect(httpmock, "GET", f"/queues/{Q}/listeners", {"listeners": [listener(gen)]})
    expect(httpmock, "GET", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen)})
    assert api("listeners", "get", Q, "mailer", "-q", gen=gen).stdout == f"{L}\n"


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


NOTIFY = LISTENER_URLS


def test_listener_list_piped_for_one_queue_and_all(local):
    make_queue(local)
    first = make_listener(local, name="a")
    second = make_listener(local, name="b")
    assert local("listeners", "list", "orders").stdout == f"{first}\ta\n{second}\tb\n"
    assert local("listeners", "list").stdout == f"{first}\ta\torders\n{second}\tb\torders\n"


def test_listener_list_on_a_terminal(local, tty):
    make_queue(local)
    first = make_listener(local, name="a")
    result = local("listeners", "list", "orders")
    assert result.stdout == f"ID                                    NAME\n{first}  a\n"


def test_listener_embed_lists_full_resources(local):
    make_queue(local)
    make_listener(local)
    body = json.loads(local("listeners", "list", "orders", "--embed", "--json").stdout)
    assert body["_embedded"]["listeners"][0]["liveness"]["state"] == "unknown"
    lines = local("listeners", "list", "orders", "--embed").stdout.splitlines()
    assert lines[0].split("\t")[1:4] == ["mailer", "http://127.0.0.1:1/notify", "http://127.0.0.1:1/live"]


def two_mailers(local) -> tuple[str, str]:
    for queue in ("orders", "billing"):
        local("queues", "create", queue)
    first = local("listeners", "add", "orders", "mailer", *LISTENER_URLS, "-q").stdout.strip()
    second = local("listeners", "add", "billing", "mailer", *LISTENER_URLS, "-q").stdout.strip()
    return first, second


DOCS_LISTENER = {
    "liveness": {"state": "stable", "success_count": 1, "failure_count": 1},
    "messages": {"acknowledged_count": 312, "missed": [], "missed_count": 0},
    "notify_url": "https://myapp.io/deletion/listener",
    "liveness_url": "https://myapp.io/live",
}


def docs_listeners(queue_id: str, *items: tuple[str, str]) -> dict:
    """GET /queues/{id}/listeners as the docs print it (`_links.self` a plain string there)."""
    links = {name: {"href": f"https://api.discue.io/queues/{queue_id}/listeners/{i}"} for i, name in items}
    return {
        "listeners": [{"id": i, "name": name, **DOCS_LISTENER} for i, name in items],
        "_links": {"self": f"https://api.discue.io/queues/{queue_id}/listeners", **links},
    }


@pytest.fixture
def two_queues_in_the_docs_shape(httpmock):
    from tests.stubs import L, Q, expect

    expect(httpmock, "GET", "/queues", queues_reply("2023-04", (Q, "orders"), (M, "billing")))
    expect(httpmock, "GET", f"/queues/{Q}/listeners", docs_listeners(Q, (L, "mailer")))
    expect(httpmock, "GET", f"/queues/{M}/listeners", docs_listeners(M, ("x" * 21, "mailer")))
    return L, "x" * 21


def docs_cli(cli, *args: str, **kwargs):
    from tests.stubs import ENDPOINT, KEY

    return cli("--api-endpoint", ENDPOINT, "--api-key", KEY, "--api-version", "2023-04", *args, **kwargs)


def test_all_listeners_piped_carry_the_queue_name_third(local):
    first, second = two_mailers(local)
    assert local("listeners", "list").stdout == f"{first}\tmailer\torders\n{second}\tmailer\tbilling\n"
    assert local("listeners", "list", "orders").stdout == f"{first}\tmailer\n"  # one queue: no column


def test_all_listeners_on_a_terminal_have_a_queue_column(local, tty):
    first, second = two_mailers(local)
    assert local("listeners", "list").stdout == (
        f"ID                                    NAME    QUEUE\n{first}  mailer  orders\n{second}  mailer  billing\n"
    )


def test_json_and_ids_of_all_listeners_are_unchanged(local):
    first, second = two_mailers(local)
    body = json.loads(local("listeners", "list", "--json").stdout)
    assert body["listeners"] == [{"id": first, "name": "mailer"}, {"id": second, "name": "mailer"}]
    assert local("listeners", "list", "-q").stdout == f"{first}\n{second}\n"


def test_all_listeners_name_their_queue_from_per_queue_lists_piped(cli, two_queues_in_the_docs_shape):
    first, second = two_queues_in_the_docs_shape
    result = docs_cli(cli, "listeners", "list")
    assert (result.exit_code, result.stderr) == (0, "")
    rest = (
        '{"state":"stable","success_count":1,"failure_count":1}\t'
        '{"acknowledged_count":312,"missed":[],"missed_count":0}\t'
        "https://myapp.io/deletion/listener\thttps://myapp.io/live"
    )
    assert result.stdout == f"{first}\tmailer\torders\t{rest}\n{second}\tmailer\tbilling\t{rest}\n"


def test_all_listeners_on_a_terminal_have_a_queue_column_without_queue_ids(cli, tty, two_queues_in_the_docs_shape):
    first, second = two_queues_in_the_docs_shape
    result = docs_cli(cli, "listeners", "list", env={"COLUMNS": "200"})
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "QUEUE", "LIVENESS", "MESSAGES", "NOTIFY_URL", "LIVENESS_URL"]
    assert [line.split()[:3] for line in lines[1:]] == [[first, "mailer", "orders"], [second, "mailer", "billing"]]
