"""A registry of HTTP stubs, like gh's httpmock: each stub answers one method and path; a request no
stub answers fails the test, and so does a stub that was never called."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Stub:
    method: str
    path: str
    respond: Callable[[httpx.Request], httpx.Response]
    times: int | None = 1  # None: any number of calls
    calls: list[httpx.Request] = field(default_factory=list)


class HttpMock:
    def __init__(self) -> None:
        self.stubs: list[Stub] = []
        self.requests: list[httpx.Request] = []
        self.unmatched: list[str] = []

    def register(
        self, method: str, path: str, reply: Any = None, *, status: int = 200, times: int | None = 1
    ) -> Stub:
        """Answer `method path` with `reply` (a JSON value, or a function of the request)."""
        respond = reply if callable(reply) else (lambda _request: httpx.Response(status, json=reply))
        stub = Stub(method.upper(), path, respond, times)
        self.stubs.append(stub)
        return stub

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for stub in self.stubs:
            exhausted = stub.times is not None and len(stub.calls) >= stub.times
            if stub.method == request.method and stub.path == request.url.path and not exhausted:
                stub.calls.append(request)
                return stub.respond(request)
        self.unmatched.append(f"{request.method} {request.url.path}")
        return httpx.Response(599, json={"title": "no stub for this request", "status": 599})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def verify(self) -> None:
        unused = [f"{s.method} {s.path}" for s in self.stubs if not s.calls]
        assert not self.unmatched, f"requests no stub answered: {self.unmatched}"
        assert not unused, f"stubs never called: {unused}"
