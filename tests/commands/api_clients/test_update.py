"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.stubs import NAME, K, expect, named

api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_api_clients_create_and_update(api, httpmock, gen):
    reply = {"api_client": named(gen, K, "example.com/dev")}
    expect(httpmock, "POST", "/api_clients", reply, None)
    result = api("api-clients", "create", gen=gen)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"{K}\texample.com/dev\n",
        "Created API client example.com/dev.\n",
    )
    renamed = {"api_client": named(gen, K, "example.com/prod")}
    expect(httpmock, "PUT", f"/api_clients/{K}", renamed, {NAME[gen]: "example.com/prod"})
    result = api("api-clients", "update", K, "--name", "example.com/prod", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{K}\texample.com/prod\n")
