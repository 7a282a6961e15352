"""Fuzz the local discue of each API generation against its own OpenAPI document with schemathesis.

Bounded: a few examples per operation and no deadline, so the whole run stays in seconds.
Every response must be documented, match its schema, and never be a 5xx; 405s must list the
path's methods; requests without a key must get 401.

Two checks are left out on purpose: `positive_data_acceptance` (a valid queue name that already
exists is rightly refused with 422, a state the document cannot express; so is a message that
breaks its queue's schema) and `negative_data_rejection` (it also demands 400 for unknown query
parameters, which the local discue ignores, as tolerant servers do). Malformed values of documented
parameters and bodies are still rejected with 400; tests/emulator pins those.
"""

from __future__ import annotations

from contextlib import ExitStack

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from discue_cli.emulator.generations import GENERATIONS
from discue_cli.emulator.openapi import document
from tests.emulator.serving import serve_in_thread


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with ExitStack() as stack:
        yield {
            gen: stack.enter_context(serve_in_thread(tmp_path_factory.mktemp("fuzz") / f"{gen}.sqlite3", gen))
            for gen in GENERATIONS
        }


@pytest.mark.parametrize("gen", GENERATIONS)
def test_the_served_document_is_the_one_fuzzed(servers, gen):
    server = servers[gen]
    served = httpx.get(server.endpoint.removesuffix("/v1") + "/openapi.json").json()
    assert served["paths"] == document(api_generation=gen)["paths"]
    assert served["info"]["x-api-generation"] == gen
    assert served["servers"] == [{"url": server.endpoint}]


def conformance(gen: str):
    schema = schemathesis.openapi.from_dict(document(api_generation=gen))

    @schema.parametrize()
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def test(case, servers):
        server = servers[gen]
        case.call_and_validate(
            base_url=server.endpoint,
            headers={"X-API-KEY": server.key},
            excluded_checks=[positive_data_acceptance, negative_data_rejection],
        )

    return test


test_2022_05_conforms = conformance("2022-05")
test_2023_04_conforms = conformance("2023-04")
test_2024_08_conforms = conformance("2024-08")
