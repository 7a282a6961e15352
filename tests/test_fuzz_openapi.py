"""Fuzz the served local discue against its own OpenAPI document with schemathesis.

Bounded: a few examples per operation and no deadline, so the whole run stays in seconds.
Every response must be documented, match its schema, and never be a 5xx; 405s must list the
path's methods; requests without a key must get 401.

Two checks are left out on purpose: `positive_data_acceptance` (a valid queue name that already
exists is rightly refused with 422, a state the document cannot express) and
`negative_data_rejection` (it also demands 400 for unknown query parameters, which the local
discue ignores, as tolerant servers do). Malformed values of documented parameters (`pretty`,
`_embed`) and bodies are still rejected with 400; test_emulator.py pins those.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from discue_cli.emulator.openapi import document
from tests.conftest import start_server

schema = schemathesis.openapi.from_dict(document())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = start_server(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3", "--no-deliver")
    yield served
    served.stop()


def test_the_served_document_is_the_one_fuzzed(server):
    root = server.endpoint.removesuffix("/v1")
    served = httpx.get(root + "/openapi.json").json()
    assert served["paths"] == document()["paths"]
    assert served["servers"] == [{"url": server.endpoint}]


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms(case, server):
    case.call_and_validate(
        base_url=server.endpoint,
        headers={"X-API-KEY": server.key},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
