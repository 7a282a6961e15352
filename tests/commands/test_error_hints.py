"""The hint line under an HTTP error: what a 403 or a 404 most likely means."""

from __future__ import annotations

KEY = ("--api-key", "k" * 20)


def test_a_403_hints_at_the_key_s_scopes_and_status(cli, httpmock):
    title = "Forbidden: this API key has no write scope on queues for this target"
    httpmock.register("POST", "/v1/queues", {"title": title, "status": 403}, status=403)
    result = cli("--api-endpoint", "http://api.test/v1", *KEY, "--api-version", "2023-04", "queues", "create", "q")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"Error: {title} (403)\n"
        "Hint: the key lacks the scope for this, or is disabled: `discue api-keys get ID` shows its scopes and "
        "status, `discue auth status` which key is in use and where it comes from\n"
    )


def test_a_404_on_a_listing_hints_that_the_endpoint_may_be_wrong(cli, httpmock):
    httpmock.register("GET", "/v2/queues", {"title": "Not Found", "status": 404}, status=404)
    result = cli("--api-endpoint", "http://u:pw@api.test/v2", *KEY, "--api-version", "auto", "queues", "list")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == (
        "Error: Not Found (404)\n"
        "Hint: nothing lists at http://***@api.test/v2/queues: is the endpoint right (--api-endpoint, "
        "DISCUE_API_ENDPOINT, `discue auth status`)?\n"
    )


def test_a_404_on_one_resource_keeps_its_own_hint(cli, httpmock):
    queue_id = "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b"
    httpmock.register("GET", f"/v1/queues/{queue_id}", {"title": "Not Found", "status": 404}, status=404)
    httpmock.register("GET", "/v1/queues", {"queues": []})  # an id-shaped ref no id matches may be a name
    result = cli("--api-endpoint", "http://api.test/v1", *KEY, "queues", "get", queue_id)
    assert (result.exit_code, result.stderr) == (4, f"Error: Not Found (404)\nHint: there is no queue '{queue_id}'\n")
