"""What `emulator serve` runs on: uvicorn with httptools (the `httptools` dependency; uvicorn's
http="auto" picks it up), rather than the pure-Python h11 it falls back to."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the server's memory map")
def test_emulator_serve_parses_http_with_httptools(served):
    import httpx

    httpx.get(served.endpoint + "/queues", headers={"X-API-KEY": served.key}).raise_for_status()
    mapped = Path(f"/proc/{served.process.pid}/maps").read_text()
    assert "/httptools/parser/" in mapped
