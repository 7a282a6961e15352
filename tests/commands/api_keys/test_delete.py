"""Tracebacks that must not happen and exit codes that must be right: a full disk, a broken config,
absurd input, a non-ASCII key, deleting the key in use."""

from __future__ import annotations

import httpx


def test_deleting_the_key_in_use_with_others_deletes_it_last(cli, httpmock):
    key = "abc-secret-0123456789"
    deleted: list[str] = []
    keys = {"k1": {"id": "k1", "name": "mine", "key": "abc"}, "k2": {"id": "k2", "name": "other", "key": "xyz"}}
    for key_id, body in keys.items():
        httpmock.register("GET", f"/v1/api_keys/{key_id}", {"api_key": body})

        def delete(request, key_id=key_id):
            deleted.append(key_id)
            return httpx.Response(204)

        httpmock.register("DELETE", f"/v1/api_keys/{key_id}", delete)
    result = cli(
        "--api-endpoint", "http://api.test/v1", "--api-key", key, "api-keys", "delete", "k1", "k2", "--yes", "-q"
    )
    assert result.exit_code == 0, result.stderr
    assert deleted == ["k2", "k1"]
    assert result.stdout == "k2\nk1\n"
    assert result.stderr == "mine is the key this command uses: it is deleted last.\n"


def test_deleting_keys_checks_every_target_before_deleting_any(cli, httpmock):
    httpmock.register("GET", "/v1/api_keys/k1", {"api_key": {"id": "k1", "name": "a", "key": "zzz"}})
    httpmock.register("GET", "/v1/api_keys/nope", {"title": "Not Found", "status": 404}, status=404)
    result = cli(
        "--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "api-keys", "delete", "k1", "nope", "--yes"
    )
    assert (result.exit_code, result.stderr) == (4, "Error: Not Found (404)\nHint: there is no API key 'nope'\n")
