"""Pagination as discue's API overview plans it (`?page`, `?per_page` up to 100, 10 by default; "not yet
available"): served only on request (`emulator serve --page-size N`), so that clients can be tested
against it. A page's reply links the next page (`_links.next`) while there is one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from discue_cli.emulator.web import Problem

if TYPE_CHECKING:
    from discue_cli.emulator.views import Call

MAX_PER_PAGE = 100


def whole_number(call: Call, name: str, low: int, high: int) -> int | None:
    values = call.request.query_params.getlist(name)
    if not values:
        return None
    value = values[0]
    if len(values) > 1 or not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise Problem(400, f"{name}: expected a whole number from {low} to {high}")
    return int(value)


@dataclass(frozen=True)
class Page:
    number: int
    per_page: int

    @classmethod
    def asked(cls, call: Call) -> Page | None:
        """The page a listing request asks for; None when the server does not paginate."""
        size = getattr(call.request.app.state, "page_size", None)
        if not size:
            return None
        number = whole_number(call, "page", 1, 2**31)
        per_page = whole_number(call, "per_page", 1, MAX_PER_PAGE)
        return cls(number or 1, per_page or size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    def of(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """This page's rows and, when there is a next page, its first row (so the caller knows)."""
        return rows[self.offset : self.offset + self.per_page + 1]

    def query(self, number: int) -> str:
        return f"?page={number}&per_page={self.per_page}"
