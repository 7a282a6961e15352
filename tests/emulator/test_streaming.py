"""The streamed JSON of a long listing is byte for byte what json.dumps makes of the whole body."""

from __future__ import annotations

import json

import pytest

from discue_cli.emulator.streaming import Lazy, chunks, encode

ITEMS = [
    {"id": "a", "name": None, "data": "line\nbreak", "nested": {"k": [1, 2, {}], "e": []}},
    {"id": "b", "name": "ünïcödé ✓", "data": '"quoted" \\ \u2028', "nested": {}},
    {"id": "c", "name": "itself", "data": "", "nested": {"deep": {"deeper": [[], [{}]]}}},
]


def whole(pretty: bool, body: dict) -> str:
    if pretty:
        return json.dumps(body, indent=2, ensure_ascii=False)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_streamed_listing_matches_json_dumps(pretty, count):
    items = ITEMS[:count]
    links = [("self", {"href": "http://h/v1/messages"})] + [(i["name"] or i["id"], {"href": i["id"]}) for i in items]
    body = {"messages": [i["id"] for i in items], "_embedded": {"messages": items}, "_links": dict(links)}
    lazy = {
        "messages": Lazy(lambda: (i["id"] for i in items)),
        "_embedded": {"messages": Lazy(lambda: iter(items))},
        "_links": Lazy(lambda: iter(links), pairs=True),
    }
    assert "".join(encode(lazy, pretty)) == whole(pretty, body)
    assert b"".join(chunks(encode(lazy, pretty), size=7)).decode("utf-8") == whole(pretty, body)


def test_an_empty_lazy_object_is_braces_and_the_make_is_called_when_written():
    calls = []
    pieces = encode({"_links": Lazy(lambda: calls.append(1) or iter(()), pairs=True)}, pretty=False)
    assert calls == []
    assert "".join(pieces) == '{"_links":{}}' and calls == [1]


def test_chunks_hold_about_the_size_asked():
    sizes = [len(c) for c in chunks(("x" * 10 for _ in range(100)), size=64)]
    assert sizes == [70] * 14 + [20]
