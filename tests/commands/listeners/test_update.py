"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.helpers import make_listener, make_queue
from tests.stubs import NAME, L, Q, expect, listener

api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_listeners_update_and_delete(api, httpmock, gen):
    expect(httpmock, "PUT", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen, "sender")}, {NAME[gen]: "sender"})
    assert api("listeners", "update", Q, L, "--name", "sender", "-q", gen=gen).stdout == f"{L}\n"
    expect(httpmock, "GET", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen, "sender")})
    expect(httpmock, "DELETE", f"/queues/{Q}/listeners/{L}", {"_links": {}})
    assert api("listeners", "delete", Q, L, "--yes", "-q", gen=gen).stdout == f"{L}\n"


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_listener_update_and_delete(local):
    make_queue(local)
    listener_id = make_listener(local)
    result = local("listeners", "update", "orders", "mailer", "--name", "sender", "--notify-url", "http://n.test/x")
    assert result.stdout == f"{listener_id}\tsender\n"
    notify = local("listeners", "get", "orders", "sender", "--jq", ".listener.notify_url").stdout
    assert notify == "http://n.test/x\n"
    assert local("listeners", "update", "orders", "sender").exit_code == 2
    result = local("listeners", "delete", "orders", "sender", "--yes", "-q")
    assert (result.exit_code, result.stdout) == (0, f"{listener_id}\n")
    assert local("listeners", "get", "orders", "sender").exit_code == 4
