"""The peer the local discue is measured against: a bare Starlette app under uvicorn with the same
routes and JSON shapes, data in memory, no validation, no SQLite. Run: python bench/peer.py PORT [HTTP]
where HTTP is uvicorn's parser: auto (httptools when installed, as for the local discue) or h11 (what
`pip install starlette uvicorn` alone gives)."""

from __future__ import annotations

import json
import sys
import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

QUEUES: dict[str, dict] = {}
MESSAGES: dict[str, list[dict]] = {}


def reply(body: dict) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


async def queues(request: Request) -> Response:
    if request.method == "POST":
        data = await request.json()
        queue = {"id": str(uuid.uuid4()), "name": data["name"]}
        QUEUES[queue["id"]] = queue
        MESSAGES[queue["id"]] = []
        return reply({"queue": queue})
    return reply({"queues": list(QUEUES.values()), "_links": {"self": {"href": str(request.url)}}})


async def messages(request: Request) -> Response:
    queue_id = request.path_params["queue_id"]
    if request.method == "POST":
        data = await request.json()
        message = {"id": str(uuid.uuid4()), "name": None, "data": data["data"]}
        MESSAGES[queue_id].append(message)
        return reply({"message": {"id": message["id"], "name": None}})
    return reply({"messages": [{"id": m["id"], "name": m["name"]} for m in MESSAGES[queue_id]]})


app = Starlette(
    routes=[
        Route("/v1/queues", queues, methods=["GET", "POST"]),
        Route("/v1/queues/{queue_id}/messages", messages, methods=["GET", "POST"]),
    ]
)

if __name__ == "__main__":
    import uvicorn

    http = sys.argv[2] if len(sys.argv) > 2 else "auto"
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False, http=http)
