"""The three API generations the local discue serves, as views of one database.

2022-05 is the v0.1.0 reference; 2023-04 the docs as of April 2023; 2024-08 the API that discue's
Terraform provider speaks (`alias`, scopes keyed by resource, domains). See docs/generations.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from discue_cli.emulator.store import IdFactory, short_id, uuid_id
from discue_cli.generations import DEFAULT, GENERATIONS

PROTECTED = ("api_clients", "api_keys", "subscriptions")  # scopes the API cannot set
SCOPE_RESOURCES = {
    "2023-04": ("api_clients", "api_keys", "events", "queues", "listeners", "messages", "schemas", "stats")
    + ("subscriptions",),
    "2024-08": ("api_clients", "api_keys", "channels", "domains", "events", "listeners", "messages", "queues")
    + ("schemas", "stats", "subscriptions", "topics"),
}


@dataclass(frozen=True)
class Generation:
    label: str

    def since(self, label: str) -> bool:
        return self.label >= label  # the labels are dates: they sort as they happened

    @property
    def name_key(self) -> str:
        """What requests and replies call a resource's name."""
        return "alias" if self.since("2024-08") else "name"

    @property
    def new_id(self) -> IdFactory:
        return short_id if self.since("2023-04") else uuid_id

    @property
    def embed(self) -> bool:
        """Lists of briefs with `_embed`/`_embedded` (2022-05), or lists of whole objects."""
        return not self.since("2023-04")

    @property
    def scopes_shape(self) -> str | None:
        return None if not self.since("2023-04") else "list" if not self.since("2024-08") else "object"

    @property
    def scope_resources(self) -> tuple[str, ...]:
        return SCOPE_RESOURCES["2024-08" if self.since("2024-08") else "2023-04"]

    @property
    def settable_scopes(self) -> tuple[str, ...]:
        return tuple(r for r in self.scope_resources if r not in PROTECTED)


def generation(label: str | None) -> Generation:
    label = label or DEFAULT
    if label not in GENERATIONS:
        raise ValueError(f"unknown API generation {label!r}: expected one of {', '.join(GENERATIONS)}")
    return Generation(label)
