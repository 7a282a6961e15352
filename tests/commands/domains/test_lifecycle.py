"""stats, events and domains, piped and on a terminal, against replies copied from the docs and the provider."""

from __future__ import annotations

import json

from tests import stubs
from tests.commands.domains.helpers import D, domain
from tests.stubs import expect

api = stubs.api  # the fixture


def test_domains_list_get_update_delete_piped(api, httpmock):
    expect(httpmock, "GET", "/domains", {"domains": [domain(verified=True)]})
    result = api("domains", "list", gen="2024-08")
    fields = result.stdout.rstrip("\n").split("\t")
    assert fields[:4] == [D, "hooks", "hooks.myapp.io", "443"]
    assert json.loads(fields[5]) == {"verified": True, "verified_at": 1724851300000}
    assert result.stderr == ""  # verified: no challenge to pass
    expect(httpmock, "GET", "/domains", {"domains": [domain()]})
    expect(httpmock, "GET", f"/domains/{D}", {"domain": domain()})
    assert api("domains", "get", "hooks", "-q", gen="2024-08").stdout == f"{D}\n"
    expect(httpmock, "PUT", f"/domains/{D}", {"domain": domain(port=1024)}, {"port": 1024})
    assert api("domains", "update", D, "--port", "1024", "-q", gen="2024-08").stdout == f"{D}\n"
    expect(httpmock, "GET", f"/domains/{D}", {"domain": domain()})
    expect(httpmock, "DELETE", f"/domains/{D}", {"_links": {}})
    assert api("domains", "delete", D, "--yes", "-q", gen="2024-08").stdout == f"{D}\n"
