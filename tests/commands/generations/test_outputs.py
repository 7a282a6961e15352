"""What list/get/create/update/delete print, piped and on a terminal, in the 2023-04 and 2024-08 generations
(the older modules pin 2022-05): the second column and the NAME column come from `name`, or from `alias`
in 2024-08, while --json prints the reply as the API sent it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LISTENER_URLS

NOTIFY, LIVE = LISTENER_URLS[1], LISTENER_URLS[3]
LIVENESS = '{"state":"unknown","success_count":0,"failure_count":0}'
DELIVERY = '{"acknowledged_count":0,"missed":[],"missed_count":0}'


@pytest.fixture(params=["2023-04", "2024-08"])
def gen(request, local):
    def invoke(*args: str, **kwargs):
        return local("--api-version", request.param, *args, **kwargs)

    invoke.name_key = "alias" if request.param == "2024-08" else "name"
    invoke.status = "\tenabled" if request.param == "2024-08" else ""  # 2024-08's listener status
    return invoke


def out(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_queues_piped(gen):
    created = out(gen("queues", "create", "orders"))
    queue_id = created.split("\t")[0]
    assert created == f"{queue_id}\torders\t\n"  # id, name, schema (none)
    other = out(gen("queues", "create", "a.io/two", "-q")).strip()
    assert out(gen("queues", "list")) == f"{queue_id}\torders\n{other}\ta.io/two\n"  # the docs' {id, name}
    assert out(gen("queues", "get", "orders")) == f"{queue_id}\torders\t\n"
    body = json.loads(out(gen("queues", "get", "orders", "--json")))
    assert body["queue"] == {"id": queue_id, gen.name_key: "orders", "schema": None}
    assert out(gen("queues", "update", "orders", "--name", "renamed")) == f"{queue_id}\trenamed\t\n"
    deleted = gen("queues", "delete", "renamed", "a.io/two", "--yes")
    assert (deleted.exit_code, deleted.stdout, deleted.stderr) == (
        0,
        f"{queue_id}\trenamed\t\n{other}\ta.io/two\t\n",
        "",
    )
    assert out(gen("queues", "list")) == ""


@pytest.mark.usefixtures("tty")
def test_queues_on_a_terminal(gen):
    queue_id = out(gen("queues", "create", "orders", "-q")).strip()
    view = f"id      {queue_id}\nname    {{}}\nschema  -\n"
    assert out(gen("queues", "get", "orders")) == view.format("orders")
    table = f"ID                     NAME\n{queue_id}  orders\n"
    assert out(gen("queues", "list")) == table
    assert out(gen("queues", "update", "orders", "--name", "renamed")) == view.format("renamed")
    deleted = gen("queues", "delete", "renamed", input="y\n")
    assert (deleted.exit_code, deleted.stdout) == (0, "")
    assert deleted.stderr.endswith("[y/N]: Deleted 1 queue: renamed\n")
    empty = gen("queues", "list")
    assert (empty.exit_code, empty.stdout, empty.stderr) == (0, "", "No queues.\n")


def test_listeners_piped(gen):
    out(gen("queues", "create", "orders", "-q"))
    added = out(gen("listeners", "add", "orders", "mailer", *LISTENER_URLS))
    listener_id = added.split("\t")[0]
    row = f"{NOTIFY}\t{LIVE}{gen.status}\t{LIVENESS}\t{DELIVERY}\n"
    written = "\n" if gen.name_key == "name" else f"\t{row}"  # 2023-04 answers a write with {id, name}
    assert added == f"{listener_id}\tmailer{written}"
    assert out(gen("listeners", "list", "orders")) == f"{listener_id}\tmailer\t{row}"
    assert out(gen("listeners", "list")) == f"{listener_id}\tmailer\torders\t{row}"  # the queue's name third
    body = json.loads(out(gen("listeners", "get", "orders", "mailer", "--json")))
    assert body["listener"][gen.name_key] == "mailer"
    assert out(gen("listeners", "update", "orders", "mailer", "--name", "sender")) == f"{listener_id}\tsender{written}"
    assert out(gen("listeners", "delete", "orders", "sender", "--yes")) == f"{listener_id}\tsender\t{row}"
    assert out(gen("listeners", "list", "orders")) == ""


@pytest.mark.usefixtures("tty")
def test_listeners_on_a_terminal(gen, monkeypatch):
    monkeypatch.setenv("COLUMNS", "86")  # the four first columns whole
    out(gen("queues", "create", "orders", "-q"))
    listener_id = out(gen("listeners", "add", "orders", "mailer", *LISTENER_URLS, "-q")).strip()
    listed = gen("listeners", "list", "orders")
    header = "ID                     NAME    NOTIFY_URL                 LIVENESS_URL\n"
    assert listed.stdout == f"{header}{listener_id}  mailer  {NOTIFY}  {LIVE}\n"
    hidden = "status, liveness, messages" if gen.status else "liveness, messages"
    assert listed.stderr == f"Not shown at this width: {hidden} (--json or a pipe shows every field).\n"
    shown = out(gen("listeners", "get", "orders", "mailer")).splitlines()
    assert shown[:2] == [f"id                           {listener_id}", "name                         mailer"]
    deleted = gen("listeners", "delete", "orders", "mailer", input="y\n")
    assert (deleted.exit_code, deleted.stdout) == (0, "")
    assert deleted.stderr == (
        "Delete 1 listener(s) (mailer)? They get no more messages. [y/N]: Deleted 1 listener: mailer\n"
    )


def test_messages_piped_and_on_a_terminal(gen, setup):
    out(gen("queues", "create", "orders", "-q"))
    added = out(gen("messages", "add", "orders", "hello", "--name", "greeting"))
    message_id = added.split("\t")[0]
    row = f"{message_id}\tgreeting\n"  # the docs' message: {id, name}
    assert added == row
    assert out(gen("messages", "list", "orders")) == row
    body = json.loads(out(gen("messages", "get", "orders", message_id, "--json")))
    assert body["message"][gen.name_key] == "greeting"
    setup.tty = {"stdin_tty": True, "stdout_tty": True, "stderr_tty": True}
    listed = out(gen("messages", "list", "orders")).splitlines()
    assert listed[0].split() == ["ID", "NAME"]
    assert listed[1].split() == [message_id, "greeting"]
