"""The pure side of api.generations: what replies show, how `auto` updates, bodies, and path segments."""

from __future__ import annotations

import pytest

from discue_cli.api import segment
from discue_cli.api.generations import Tracker, detect, display, looks_like_id, parse_scope, scopes_body
from discue_cli.errors import UsageError

UUID = "180994c-b6b2-4d0e-b7ad-414716e83386"  # the docs' own 7-digit first group
NANO = "_Tzrg1O3jk4_FZTAEThNq"


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ({"queues": [{"id": NANO, "alias": "a"}]}, ("2024-08", True)),
        ({"api_key": {"id": NANO, "alias": "k", "scopes": {}}}, ("2024-08", True)),
        ({"domain": {"id": NANO}}, ("2024-08", True)),
        ({"queues": [{"id": UUID, "name": "a"}], "_embedded": {"queues": []}}, ("2022-05", True)),
        ({"queue": {"id": UUID, "name": "a", "listeners": []}}, ("2022-05", True)),
        ({"queue": {"id": UUID, "name": "a", "schema": None}}, ("2023-04", True)),
        ({"api_keys": [{"id": UUID, "name": "k", "scopes": []}]}, ("2023-04", True)),
        ({"queues": [{"id": UUID, "name": "a"}, {"id": NANO, "name": "b"}]}, ("2023-04", False)),
        ({"queues": [{"id": UUID, "name": "a"}]}, ("2022-05", False)),
        ({"queues": []}, None),
        ({"message": {"id": NANO, "name": "m"}}, None),  # messages are not told apart by the sources
        ({"queues": "nope", "queue": 3}, None),
    ],
)
def test_detect(body, found):
    assert detect(body) == found


def test_a_hint_fills_a_gap_but_never_overrides_a_sure_sign():
    state = Tracker()
    state.observe({"queues": [{"id": UUID, "name": "a"}]})
    assert state.known == "2022-05"
    state.observe({"queue": {"id": UUID, "name": "a", "schema": None}})
    assert state.known == "2023-04"
    state.observe({"queues": [{"id": UUID, "name": "a"}]})  # an old queue keeps its UUID
    assert state.known == "2023-04"


def test_a_name_without_alias_moves_a_2024_08_endpoint_back():
    state = Tracker(known="2024-08")
    state.observe({"queues": [{"id": NANO, "name": "a"}]})
    assert state.known == "2023-04"


def test_a_pinned_generation_never_changes():
    state = Tracker.start("2022-05", "http://x", None)
    state.observe({"queues": [{"id": NANO, "alias": "a"}]})
    assert (state.known, state.how) == ("2022-05", "pinned by --api-version")


def test_display_puts_the_alias_in_the_name_column_and_leaves_the_rest():
    item = {"status": "enabled", "alias": "a", "id": NANO}
    assert list(display(item).items()) == [("id", NANO), ("name", "a"), ("status", "enabled")]
    assert item == {"status": "enabled", "alias": "a", "id": NANO}
    assert display({"id": 1, "name": "n", "alias": "a"}) == {"id": 1, "name": "n", "alias": "a"}


@pytest.mark.parametrize(
    ("ref", "is_id"),
    [(UUID, True), (NANO, True), ("myapp.io/orders", False), ("orders", False), (NANO + "x", False)],
)
def test_looks_like_id(ref, is_id):
    assert looks_like_id(ref) is is_id


def test_scopes_in_each_shape():
    scopes = [parse_scope("queues:write"), parse_scope(f"messages:read:{NANO},*")]
    assert scopes == [
        {"resource": "queues", "access": "write", "targets": ["*"]},
        {"resource": "messages", "access": "read", "targets": [NANO, "*"]},
    ]
    assert scopes_body(scopes, "2023-04") == scopes
    assert scopes_body(scopes, "2024-08") == {
        "queues": {"access": "write", "targets": ["*"]},
        "messages": {"access": "read", "targets": [NANO, "*"]},
    }


@pytest.mark.parametrize(
    ("value", "sent"),
    [("abc", "abc"), ("a/b", "a%2Fb"), ("../x", "..%2Fx"), ("a b?#%", "a%20b%3F%23%25"), ("é", "%C3%A9")],
)
def test_segment_encodes_everything_but_unreserved_characters(value, sent):
    assert segment(value, "id") == sent


@pytest.mark.parametrize("value", ["", ".", "..", "a\tb", "\x7f"])
def test_segment_refuses_what_would_move_the_path(value):
    with pytest.raises(UsageError):
        segment(value, "id")
