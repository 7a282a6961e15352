"""Helpers the domains tests share: one domain in the 2024-08 shape."""

from __future__ import annotations

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
