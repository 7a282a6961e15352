"""The pure formatting pieces, without a command around them."""

from discue_cli.output.formats import columns, flatten, human, message_line, tsv_cell, tsv_row


def test_tsv_cells_never_carry_raw_tabs_or_newlines():
    assert tsv_cell("a\tb\nc\\d\r") == "a\\tb\\nc\\\\d\\r"
    assert tsv_cell(None) == ""
    assert tsv_cell(True) == "true"
    assert tsv_cell({"a": [1, "é"]}) == '{"a":[1,"é"]}'


def test_columns_put_id_and_name_first_and_skip_private_keys():
    assert columns([{"b": 1, "name": "n", "_links": {}, "id": "i"}, {"c": 2}]) == ["id", "name", "b", "c"]
    assert tsv_row({"id": "i", "c": "x"}, ["id", "name", "c"]) == "i\t\tx"


def test_human_values():
    assert human("created_at", 0) == "1970-01-01 00:00:00Z"
    assert human("created_at", 10**20) == str(10**20)
    assert human("listeners", [{"name": "a"}, {"id": "b"}]) == "a, b"
    assert human("x", []) == "-"
    assert human("x", None) == "-"
    assert human("ok", False) == "no"


def test_flatten_uses_dotted_keys():
    assert flatten({"name": "n", "id": "i", "liveness": {"state": "up"}}) == [
        ("id", "i"),
        ("name", "n"),
        ("liveness.state", "up"),
    ]


def test_message_line_in_each_mode():
    message = {"id": "m1", "name": None, "data": "x\ty", "created_at": 0}
    expected = '{"id":"m1","name":null,"data":"x\\ty","created_at":0}'
    assert message_line(message, as_json=True, terminal=False) == expected
    assert message_line(message, as_json=False, terminal=True) == "00:00:00  m1  x\\ty"  # one line, controls shown
    assert message_line(message, as_json=False, terminal=False) == "m1\t\tx\\ty\t0"


def test_a_watched_message_of_the_documented_shape_shows_when_it_was_seen_and_its_name():
    import re

    line = message_line({"id": "m1", "name": "named-one"}, as_json=False, terminal=True)
    assert re.fullmatch(r"\d\d:\d\d:\d\d  m1  named-one", line), line
