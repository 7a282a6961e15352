"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.helpers import make_listener, make_queue
from tests.conftest import LISTENER_URLS, UUID
from tests.stubs import NAME, L, Q, expect, listener

api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_listeners_add_writes_the_generations_name_field(api, httpmock, gen):
    body = {NAME[gen]: "mailer", "notify_url": "https://myapp.io/hook", "liveness_url": "https://myapp.io/live"}
    expect(httpmock, "POST", f"/queues/{Q}/listeners", {"listener": listener(gen)}, body)
    urls = ("--notify-url", "https://myapp.io/hook", "--liveness-url", "https://myapp.io/live")
    assert api("listeners", "add", Q, "mailer", *urls, "-q", gen=gen).stdout == f"{L}\n"


@BOTH
def test_listeners_add_if_not_exists_creates_no_duplicate(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}/listeners", {"listeners": [listener(gen)]})
    expect(httpmock, "GET", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen)})
    urls = ("--notify-url", "https://myapp.io/hook", "--liveness-url", "https://myapp.io/live")
    result = api("listeners", "add", Q, "mailer", *urls, "--if-not-exists", "-q", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{L}\n")
    assert [r.method for r in httpmock.requests] == ["GET", "GET"]  # no POST: no duplicate


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


NOTIFY = LISTENER_URLS


def test_listener_add_piped_prints_what_the_api_answers(local):
    make_queue(local)
    result = local("listeners", "add", "orders", "mailer", *NOTIFY)
    listener_id = result.stdout.split("\t")[0]
    assert UUID.fullmatch(listener_id)
    assert result.stdout == f"{listener_id}\tmailer\n"  # the docs' reply to adding a listener: {id, name}
    assert local("listeners", "get", "orders", "mailer").stdout == (
        f"{listener_id}\tmailer\thttp://127.0.0.1:1/notify\thttp://127.0.0.1:1/live\t"
        '{"state":"unknown","success_count":0,"failure_count":0}\t'
        '{"acknowledged_count":0,"missed":[],"missed_count":0}\n'
    )


def test_listener_bad_urls_are_refused_before_any_request(local):
    make_queue(local)
    result = local(
        "-v", "listeners", "add", "orders", "x", "--notify-url", "myapp.io/hook", "--liveness-url", "http://ok.test/l"
    )
    assert (result.exit_code, result.stderr) == (2, "Error: --notify-url: 'myapp.io/hook' is not an http(s) URL\n")
    result = local("listeners", "update", "orders", "x", "--liveness-url", "ftp://x")
    assert (result.exit_code, result.stderr) == (2, "Error: --liveness-url: 'ftp://x' is not an http(s) URL\n")


def test_listener_if_not_exists(local):
    make_queue(local)
    listener_id = make_listener(local)
    result = local("listeners", "add", "orders", "mailer", *NOTIFY, "--if-not-exists", "-q")
    assert (result.exit_code, result.stdout) == (0, f"{listener_id}\n")
    assert local("listeners", "list", "orders", "-q").stdout == f"{listener_id}\n"


def test_listener_if_not_exists_warns_about_each_field_that_differs(local):
    make_queue(local)
    listener_id = make_listener(local)
    urls = ("--notify-url", "http://new.test/notify", "--liveness-url", "http://127.0.0.1:1/live")
    result = local("listeners", "add", "orders", "mailer", *urls, "--if-not-exists", "-q")
    assert (result.exit_code, result.stdout) == (0, f"{listener_id}\n")
    assert result.stderr == (
        "Warning: listener 'mailer' exists and was left as it is; it differs from what was given:\n"
        "  notify_url: 'http://127.0.0.1:1/notify' (given: 'http://new.test/notify')\n"
        "Hint: change it with `discue listeners update orders mailer --notify-url http://new.test/notify`,"
        " or keep listeners as a file says with `discue apply`\n"
    )
    same = local("listeners", "add", "orders", "mailer", *NOTIFY, "--if-not-exists", "-q")
    assert (same.exit_code, same.stdout, same.stderr) == (0, f"{listener_id}\n", "")
