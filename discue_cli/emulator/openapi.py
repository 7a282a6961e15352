"""The OpenAPI 3 document of the generation served, made from the endpoint table (endpoints.py):
the same field rules check requests and describe them here."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from discue_cli.emulator.endpoints import Endpoint, by_path
from discue_cli.emulator.fields import PRETTY
from discue_cli.emulator.generations import DEFAULT, Generation, generation
from discue_cli.emulator.views import components, ref


def path_param(name: str) -> dict[str, Any]:
    what = name.removesuffix("_id").replace("_", " ")
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
        "description": f"Id of the target {what}",
    }


def operation(endpoint: Endpoint, gen: Generation) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": HTTPStatus(endpoint.ok_status).phrase}
    if endpoint.reply:
        ok["content"] = {"application/json": {"schema": ref(endpoint.reply)}}
    responses = {str(endpoint.ok_status): ok}
    for status in endpoint.statuses(gen):
        responses[str(status)] = {
            "description": HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": ref("Error")}},
        }
    params = [path_param(name) for name in re.findall(r"{(\w+)}", endpoint.path)]
    params += [param.openapi() for param in (*endpoint.query, PRETTY)]
    op: dict[str, Any] = {"summary": endpoint.summary, "parameters": params, "responses": responses}
    if endpoint.body is not None:
        op["requestBody"] = endpoint.body.openapi()
    return op


def document(server: str = "", api_generation: str = DEFAULT) -> dict[str, Any]:
    gen = generation(api_generation)
    paths = {
        path: {method.lower(): operation(endpoint, gen) for method, endpoint in methods.items()}
        for path, methods in by_path(gen).items()
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "discue scheduling and queueing API", "version": "0.1.0", "x-api-generation": gen.label},
        "servers": [{"url": f"{server}/v1" if not server.endswith("/v1") else server}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": components(gen),
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"}},
        },
    }
