"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.api_keys.helpers import key_object
from tests.conftest import UUID
from tests.stubs import K, expect

api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_api_keys_list_update_scopes_and_delete(api, httpmock, gen):
    scopes = [{"resource": "queues", "access": "read", "targets": ["*"]}] if gen == "2023-04" else {}
    expect(httpmock, "GET", "/api_keys", {"api_keys": [key_object(gen, scopes)]})
    assert api("api-keys", "list", gen=gen).stdout.split("\t")[:2] == [K, "ci"]
    sent = (
        [{"resource": "events", "access": "read", "targets": ["*"]}]
        if gen == "2023-04"
        else {"events": {"access": "read", "targets": ["*"]}}
    )
    expect(httpmock, "PUT", f"/api_keys/{K}", {}, {"scopes": sent})
    expect(httpmock, "GET", f"/api_keys/{K}", {"api_key": key_object(gen, sent)})
    assert api("api-keys", "update", K, "--scope", "events:read", "-q", gen=gen).stdout == f"{K}\n"
    expect(httpmock, "GET", f"/api_keys/{K}", {"api_key": key_object(gen, sent)})
    expect(httpmock, "DELETE", f"/api_keys/{K}", {"_links": {}})
    assert api("api-keys", "delete", K, "--yes", "-q", gen=gen).stdout == f"{K}\n"


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_api_keys_lifecycle(local):
    result = local("api-keys", "create", "--name", "ci")
    key_id, name, secret = result.stdout.rstrip("\n").split("\t")
    assert UUID.fullmatch(key_id) and name == "ci" and len(secret) > 40
    assert result.stderr == "Store the key now: the API never shows it again.\n"
    listing = local("api-keys", "list", "--embed")
    assert secret not in listing.stdout
    fields = listing.stdout.rstrip("\n").split("\t")
    assert (fields[0], fields[1], fields[-2], fields[-1]) == (key_id, "ci", secret[:3], "enabled")
    result = local("api-keys", "update", key_id, "--status", "disabled", "--jq", ".api_key.status")
    assert result.stdout == "disabled\n"
    result = local("api-keys", "update", key_id, "--status", "paused")
    assert result.exit_code == 2
    assert local("api-keys", "delete", key_id, "--yes", "-q").stdout == f"{key_id}\n"
    assert local("api-keys", "get", key_id).exit_code == 4
