"""apply's pure parts: the file checked whole, the plan as a diff, export's TOML read back by apply."""

from __future__ import annotations

import re

import pytest

from discue_cli.commands.apply.model import Declared, ListenerSpec, QueueSpec, load
from discue_cli.commands.apply.plan import Listener, Queue, plan
from discue_cli.commands.apply.toml_out import export_text
from discue_cli.errors import UsageError
from discue_cli.output.plan import change_line

GOOD = b"""
[[queues]]
name = "myapp.io/q"
schema = { userId = { type = "string" } }

  [[queues.listeners]]
  name = "l1"
  notify_url = "https://myapp.io/n"
  liveness_url = "https://myapp.io/l"
"""


def problem(text: str, generation: str | None = None) -> UsageError:
    with pytest.raises(UsageError) as caught:
        load("discue.toml", text.encode(), generation)
    return caught.value


def test_a_good_file_reads_into_queues_and_listeners():
    declared = load("discue.toml", GOOD)
    assert declared.queues == [
        QueueSpec(
            "myapp.io/q",
            {"userId": {"type": "string"}},
            (ListenerSpec("l1", "https://myapp.io/n", "https://myapp.io/l"),),
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[queues]]\nname = \n", "discue.toml: invalid TOML: Invalid value (column 8)"),
        ("", "discue.toml: no queues declared (write `queues = []` to declare that there are none)"),
        ("queues = []\nqueue = 1\n", "discue.toml: unknown key 'queue' (expected queues)"),
        ('queues = []\n"a\\u001b[2J" = 1\n', "discue.toml: unknown key 'a\\x1b[2J' (expected queues)"),
        (
            "[[queues]]\nname = 'a'\nnmae = 'b'\n",
            "discue.toml: queue #1 'a': unknown key 'nmae' (expected name, schema, listeners)",
        ),
        ("[[queues]]\nschema = { a = { type = 'string' } }\n", "discue.toml: queue #1: missing name"),
        ("[[queues]]\nname = ''\n", "discue.toml: queue #1: name must be a non-empty string"),
        ("[[queues]]\nname = 3\n", "discue.toml: queue #1: name must be a non-empty string"),
        ('[[queues]]\nname = "a\\u0007"\n', "discue.toml: queue #1: name contains a control character"),
        (
            "[[queues]]\nname = 'a'\n[[queues]]\nname = 'a'\n",
            "discue.toml: queue #2 'a': the name is declared twice (queue #1 and #2)",
        ),
        ("queues = 'a'\n", "discue.toml: queues: expected [[queues]] tables"),
        ("queues = ['a']\n", "discue.toml: queue #1: expected a table"),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nnotify_url = 'http://a'\nliveness_url = 'http://a'\n",
            "discue.toml: queue #1 'q', listener #1: missing name",
        ),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nliveness_url = 'http://a'\n",
            "discue.toml: queue #1 'q', listener #1 'l': notify_url: missing",
        ),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nnotify_url = 'ftp://a'\nliveness_url = 'http://a'\n",
            "discue.toml: queue #1 'q', listener #1 'l': notify_url: 'ftp://a' is not an http(s) URL",
        ),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nnotify_url = 'http://a'\nliveness_url = 'https:///x'\n",
            "discue.toml: queue #1 'q', listener #1 'l': liveness_url: 'https:///x' is not an http(s) URL",
        ),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nnotify_url = 'http://a:99999/'\nliveness_url = 'http://a'\n",
            "discue.toml: queue #1 'q', listener #1 'l': notify_url: 'http://a:99999/' has an invalid port (1-65535)",
        ),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nnotify_url = 'http://a b'\nliveness_url = 'http://a'\n",
            "discue.toml: queue #1 'q', listener #1 'l': notify_url: a URL cannot contain spaces or control characters",
        ),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nnotify_url = 'http://a'\nliveness_url = 'http://a'\n"
            "[[queues.listeners]]\nname = 'l'\nnotify_url = 'http://a'\nliveness_url = 'http://a'\n",
            "discue.toml: queue #1 'q', listener #2 'l': the name is declared twice in this queue (#1 and #2)",
        ),
        (
            "[[queues]]\nname = 'q'\n[[queues.listeners]]\nname = 'l'\nnotify_url = 'http://a'\n"
            "liveness_url = 'http://a'\nurl = 1\n",
            "discue.toml: queue #1 'q', listener #1 'l': unknown key 'url' (expected name, notify_url, liveness_url)",
        ),
        (
            "[[queues]]\nname = 'q'\nlisteners = 1\n",
            "discue.toml: queue #1 'q': listeners: expected [[queues.listeners]] tables",
        ),
        (
            "[[queues]]\nname = 'q'\nschema = 'x'\n",
            "discue.toml: queue #1 'q': schema: expected a table of field rules",
        ),
        ("[[queues]]\nname = 'q'\nschema = {}\n", "discue.toml: queue #1 'q': schema: an empty table"),
        (
            "[[queues]]\nname = 'q'\nschema = { a = 1 }\n",
            "discue.toml: queue #1 'q': schema.a: expected a rule table with a type",
        ),
        (
            "[[queues]]\nname = 'q'\nschema = { a = { type = 'date' } }\n",
            "discue.toml: queue #1 'q': schema.a: type must be one of",
        ),
        (
            "[[queues]]\nname = 'q'\nschema = { a = { type = 'string', size = 3 } }\n",
            "discue.toml: queue #1 'q': schema.a: unknown key 'size' for a string rule",
        ),
        (
            "[[queues]]\nname = 'q'\nschema = { a = { type = 'object' } }\n",
            "discue.toml: queue #1 'q': schema.a.props: an object rule needs a table of at least one nested rule",
        ),
        (
            "[[queues]]\nname = 'q'\nschema = { a = { type = 'array', items = { type = 'number', min = 'x' } } }\n",
            "discue.toml: queue #1 'q': schema.a.items.min: expected a number",
        ),
        (
            "[[queues]]\nname = 'q'\nschema = { a = { type = 'string', enum = [] } }\n",
            "discue.toml: queue #1 'q': schema.a.enum: expected a list of strings",
        ),
        (
            "[[queues]]\nname = 'q'\nschema = { a = { type = 'string', required = 'no' } }\n",
            "discue.toml: queue #1 'q': schema.a.required: expected true or false",
        ),
    ],
)
def test_each_malformed_file_is_refused_with_the_file_name(text, message):
    # (the line each problem is on is pinned in test_apply_problems.py)
    assert re.sub(r"^discue.toml:\d+: ", "discue.toml: ", problem(text).title).startswith(message)


def test_every_problem_is_listed_and_counted():
    error = problem("[[queues]]\nname = ''\n[[queues]]\nx = 1\n")
    assert error.title == "discue.toml: 3 problems; nothing was sent"
    assert error.problems == [
        "discue.toml:2: queue #1: name must be a non-empty string",
        "discue.toml:3: queue #2: missing name",
        "discue.toml:4: queue #2: unknown key 'x' (expected name, schema, listeners)",
    ]


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(UsageError, match=r"^discue.toml: not UTF-8 text$"):
        load("discue.toml", b"queues = []\n# \xff\n")


def test_a_schema_is_refused_in_the_generation_that_has_none():
    text = "[[queues]]\nname = 'q'\nschema = { a = { type = 'string' } }\n"
    assert (
        problem(text, "2022-05").title == "discue.toml:3: queue #1 'q': the 2022-05 API generation has no queue schemas"
    )
    for generation in (None, "2023-04", "2024-08"):
        assert load("discue.toml", text.encode(), generation).queues[0].schema == {"a": {"type": "string"}}


def server(*queues: Queue) -> list[Queue]:
    return list(queues)


L1 = ListenerSpec("l1", "https://a/n", "https://a/l")


def lines(changes) -> list[str]:
    return [change_line(c) for c in changes]


def test_everything_missing_is_added_in_file_order():
    declared = Declared([QueueSpec("b", None, (L1,)), QueueSpec("a")])
    changes = plan(declared, [], prune=False)
    assert lines(changes) == ["+ queue b", "+ listener b/l1", "+ queue a"]
    assert changes[1].values == {"notify_url": "https://a/n", "liveness_url": "https://a/l"}


def test_a_server_that_matches_needs_nothing():
    declared = Declared([QueueSpec("a", {"x": {"type": "string"}}, (L1,))])
    current = Queue(
        "Q", "a", {"x": {"type": "string", "required": True}}, [Listener("L", "l1", "https://a/n", "https://a/l")]
    )
    assert plan(declared, [current], prune=True) == []


def test_only_the_fields_that_differ_are_changed():
    declared = Declared([QueueSpec("a", None, (L1,))])
    current = Queue("Q", "a", None, [Listener("L", "l1", "https://old/n", "https://a/l")])
    [change] = plan(declared, [current], prune=False)
    assert change_line(change) == "~ listener a/l1 notify_url"
    assert (change.values, change.before, change.queue_id, change.listener_id) == (
        {"notify_url": "https://a/n"},
        {"notify_url": "https://old/n"},
        "Q",
        "L",
    )


def test_a_schema_that_differs_or_goes_is_a_queue_change():
    declared = Declared([QueueSpec("a", {"x": {"type": "number"}}), QueueSpec("b")])
    current = [Queue("Q", "a", {"x": {"type": "string"}}), Queue("R", "b", {"x": {"type": "string"}})]
    changes = plan(declared, current, prune=False)
    assert lines(changes) == ["~ queue a schema", "~ queue b schema"]
    assert [c.values for c in changes] == [{"schema": {"x": {"type": "number"}}}, {"schema": None}]


def test_prune_deletes_last_and_only_what_the_file_does_not_declare():
    declared = Declared([QueueSpec("a", None, (L1,)), QueueSpec("new")])
    current = [
        Queue("Q2", "z-old", None, []),
        Queue(
            "Q",
            "a",
            None,
            [Listener("L2", "stale", "https://x", "https://x"), Listener("L", "l1", "https://a/n", "https://a/l")],
        ),
        Queue("Q3", "b-old", None, []),
    ]
    assert lines(plan(declared, current, prune=False)) == ["+ queue new"]
    changes = plan(declared, current, prune=True)
    assert lines(changes) == ["+ queue new", "- listener a/stale", "- queue b-old", "- queue z-old"]
    assert [(c.queue_id, c.listener_id) for c in changes[1:]] == [("Q", "L2"), ("Q3", None), ("Q2", None)]


def test_two_server_resources_under_one_declared_name_are_refused():
    declared = Declared([QueueSpec("a", None, (L1,))])
    twins = [Listener("L1", "l1", "https://a/n", "https://a/l"), Listener("L2", "l1", "https://a/n", "https://a/l")]
    with pytest.raises(UsageError, match=r"several listeners in queue 'a' named 'l1' \(ids L1, L2\)"):
        plan(declared, [Queue("Q", "a", None, twins)], prune=False)
    # undeclared twins are no obstacle: prune removes both
    changes = plan(Declared([]), [Queue("Q1", "dup"), Queue("Q2", "dup")], prune=True)
    assert [c.queue_id for c in changes] == ["Q1", "Q2"]


def test_json_changes_have_the_documented_shape():
    [change] = plan(Declared([QueueSpec("a", None, (L1,))]), [Queue("Q", "a")], prune=False)
    assert change.as_json() == {
        "action": "add",
        "kind": "listener",
        "queue": "a",
        "name": "l1",
        "fields": ["notify_url", "liveness_url"],
    }


def test_names_with_control_characters_are_shown_escaped():
    [change] = plan(Declared([]), [Queue("Q", "evil\x1b[31m\nname")], prune=True)
    assert change_line(change) == "- queue evil\\x1b[31m\\nname"


def test_an_export_reads_back_as_the_same_declarations():
    schema = {
        "person": {"type": "object", "props": {"name": {"type": "string", "pattern": "^a", "required": True}}},
        "weird key": {"type": "array", "items": {"type": "string", "enum": ["x", 'quo"te']}},
        "count": {"type": "number", "min": 0, "max": 1.5},
    }
    queues = [
        Queue("Q2", "z", None, []),
        Queue(
            "Q1",
            'a/"quoted"\\name',
            schema,
            [
                Listener("L2", "m", "https://m/n", "https://m/l"),
                Listener("L1", "k", "http://k:8080/n?a=1", "http://k/l"),
            ],
        ),
    ]
    text = export_text(queues)
    declared = load("export", text.encode())
    assert [q.name for q in declared.queues] == ['a/"quoted"\\name', "z"]
    assert declared.queues[0].schema == schema
    assert [listener.name for listener in declared.queues[0].listeners] == ["k", "m"]
    assert plan(declared, queues, prune=True) == []


def test_an_export_of_nothing_declares_no_queues():
    assert export_text([]) == "queues = []\n"
    assert load("export", b"queues = []\n").queues == []


def test_the_readme_example_file_is_valid():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    [example] = re.findall(r"```toml\n# discue.toml\n(.*?)```", readme, re.S)
    declared = load("README.md", example.encode(), "2023-04")
    assert [q.name for q in declared.queues] == ["myapp.io/deletion-request-queue", "myapp.io/orders"]
    assert len(declared.queues[0].listeners) == 2 and declared.queues[0].schema is not None
