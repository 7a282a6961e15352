"""stats, events and domains, piped and on a terminal, against replies copied from the docs and the provider."""

from __future__ import annotations

import json

from tests import stubs
from tests.stubs import expect

api = stubs.api  # the fixture


D = "dOm4in_Id_0123456789x"


CHALLENGE = {
    "https": {
        "file_content": "c0ntent",
        "file_name": "discue-challenge.txt",
        "context_path": "/.well-known/discue",
        "created_at": 1724851200000,
        "expires_at": 1724937600000,
    }
}


def domain(verified: bool = False, port: int = 443) -> dict:
    verification = {"verified": verified, "verified_at": 1724851300000 if verified else None}
    fields = {"hostname": "hooks.myapp.io", "port": port, "challenge": CHALLENGE, "verification": verification}
    return {"id": D, "alias": "hooks", **fields}


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
