"""`apply` lists every problem of its file, each with its line (it once showed one and "1 more
problem(s)"), and TOML syntax errors lead with their line too."""

from __future__ import annotations

import json

import pytest

from discue_cli.commands.apply.model import FileProblems, load

FILE = """\
[[queues]]
name = 'a'
nmae = 'typo'

[[queues]]
name = 'b'
schema = { id = { type = 'strin' } }

  [[queues.listeners]]
  name = 'l1'
  notify_url = 'myapp.io/hook'
  liveness_url = 'http://a/live'

[[queues]]
name = 'a'
"""


def problems(text: str) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        load("discue.toml", text.encode())
    return caught.value.problems


def test_every_problem_is_listed_with_its_line():
    assert problems(FILE) == [
        "discue.toml:3: queue #1 'a': unknown key 'nmae' (expected name, schema, listeners)",
        "discue.toml:7: queue #2 'b': schema.id: type must be one of object, array, string, number, got 'strin'",
        "discue.toml:11: queue #2 'b', listener #1 'l1': notify_url: 'myapp.io/hook' is not an http(s) URL",
        "discue.toml:14: queue #3 'a': the name is declared twice (queue #1 and #3)",
    ]


def test_a_missing_name_and_a_schema_sub_table_point_at_their_lines():
    text = "[[queues]]\nschema = {}\n\n[[queues]]\nname = 'q'\n[queues.schema.a]\ntype = 3\n"
    assert problems(text) == [
        "discue.toml:1: queue #1: missing name",
        "discue.toml:2: queue #1: schema: an empty table (leave schema out for a queue without one)",
        "discue.toml:6: queue #2 'q': schema.a: type must be one of object, array, string, number, got 3",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[queues]]\nname = "a"\nname = "b"\n', "discue.toml:3: invalid TOML: Cannot overwrite a value (column 11)"),
        ("[[queues]]\nname = 'a'\nx = [1,\n", "discue.toml:3: invalid TOML: "),
    ],
)
def test_a_toml_error_leads_with_its_line(text, problem):
    assert problems(text)[0].startswith(problem)


def test_the_command_prints_each_problem_then_one_error_line(local, tmp_path):
    (tmp_path / "discue.toml").write_text(FILE)
    result = local("apply", "--dry-run")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [*problems(FILE), "Error: discue.toml: 4 problems; nothing was sent"]


def test_with_json_the_one_error_object_carries_every_problem(local, tmp_path):
    (tmp_path / "discue.toml").write_text(FILE)
    result = local("apply", "--json")
    assert (result.exit_code, result.stdout) == (2, "")
    error = json.loads(result.stderr)
    assert error["title"] == "discue.toml: 4 problems; nothing was sent: " + "; ".join(problems(FILE))


def test_one_problem_is_the_error_line_itself(local, tmp_path):
    (tmp_path / "discue.toml").write_text("[[queues]]\nname = 'a'\nnmae = 'b'\n")
    result = local("apply")
    assert result.stderr == (
        "Error: discue.toml:3: queue #1 'a': unknown key 'nmae' (expected name, schema, listeners)\n"
    )
