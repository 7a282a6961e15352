"""stats, events and domains, piped and on a terminal, against replies copied from the docs and the provider."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.domains.helpers import D, domain
from tests.stubs import expect

api = stubs.api  # the fixture


def test_domains_create_shows_the_challenge_and_how_to_pass_it(api, httpmock, tty):
    body = {"alias": "hooks", "hostname": "hooks.myapp.io", "port": 8443}
    expect(httpmock, "POST", "/domains", {"domain": domain(port=8443)}, body)
    result = api("domains", "create", "hooks", "--hostname", "hooks.myapp.io", "--port", "8443", gen="2024-08")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"id                            {D}\n"
        "name                          hooks\n"
        "hostname                      hooks.myapp.io\n"
        "port                          8443\n"
        "challenge.https.file_content  c0ntent\n"
        "challenge.https.file_name     discue-challenge.txt\n"
        "challenge.https.context_path  /.well-known/discue\n"
        "challenge.https.created_at    2024-08-28 13:20:00Z\n"
        "challenge.https.expires_at    2024-08-29 13:20:00Z\n"
        "verification.verified         no\n"
        "verification.verified_at      -\n"
    )
    assert result.stderr == (
        "To verify hooks.myapp.io, serve exactly the challenge's file_content at "
        "https://hooks.myapp.io:8443/.well-known/discue/discue-challenge.txt\n"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("create", "hooks", "--hostname", "not a host"), "Error: --hostname: 'not a host' is not a host name"),
        (("create", "hooks", "--hostname", "a.io", "--port", "1023"), "Error: --port: 1023 is not allowed"),
        (("create", "hooks", "--hostname", "a.io", "--port", "22"), "Error: --port: 22 is not allowed"),
        (("create", " ", "--hostname", "a.io"), "Error: the domain alias is empty"),
        (("update", "hooks"), "Error: nothing to change: give --alias, --hostname or --port"),
    ],
)
def test_domains_bad_input_is_exit_2_before_any_request(api, httpmock, args, error):
    result = api("domains", *args, gen="2024-08")
    assert result.exit_code == 2
    assert result.stderr.startswith(error)
    assert httpmock.requests == []
