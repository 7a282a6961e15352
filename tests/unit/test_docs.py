"""The documents in step with the CLI: the README's command table, the exit codes, the options, the topics,
and the pages shipped in the package (a wheel's files, and an editable checkout)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import typer

from discue_cli.app import build_app
from discue_cli.commands._help import TOPICS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def docs_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.glob("*.md")))


def commands() -> dict[str, object]:
    """Every command a user can run (no groups, nothing hidden), by its path: {'queues list': ..., 'stats': ...}."""
    found = {}

    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs is None:
            if not command.hidden:
                found[" ".join(path)] = command
            return
        for name, sub in subs.items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(build_app()), [])
    return found


def command_of_row(row: str) -> str:
    """'| `queues create NAME [--schema ...]` | ...' -> 'queues create': the lowercase words before any other."""
    words = row.split("`")[1].split()
    return " ".join(words[: next((i for i, w in enumerate(words) if not re.fullmatch(r"[a-z][a-z-]*", w)), None)])


def test_every_command_has_its_line_in_the_readme_table():
    table = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert sorted(map(command_of_row, rows)) == sorted(commands()), "one row per command in README.md's table"


def test_every_exit_code_is_in_the_exit_codes_page():
    tree = ast.parse((ROOT / "discue_cli" / "errors.py").read_text())
    codes = {
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", getattr(t, "attr", None)) == "exit_code" for t in node.targets)
        and isinstance(node.value, ast.Constant)
    }
    codes |= {0, 8, 129, 143}  # success; apply --check (SilentExit(8)); 128 + SIGHUP, SIGTERM (Stopped)
    assert {1, 2, 3, 4, 5, 6, 7, 130} <= codes
    page = (DOCS / "exit-codes.md").read_text()
    listed = {int(m) for m in re.findall(r"^\| (\d+) \|", page, re.M)}
    assert listed == codes


def test_every_global_option_and_every_option_of_messages_add_is_documented():
    text = docs_text()
    root = typer.main.get_command(build_app())
    options = [o for p in root.params for o in p.opts if o.startswith("--") and o not in ("--help",)]
    options += [o for p in commands()["messages add"].params for o in p.opts if o.startswith("-") and o != "--help"]
    assert "--rate" in options and "--api-version" in options
    missing = [o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text)]
    assert missing == []


def test_every_page_is_a_topic_and_no_topic_is_a_command():
    assert sorted(TOPICS) == sorted(page.stem for page in DOCS.glob("*.md"))
    first_words = {path.split()[0] for path in commands()}
    assert not set(TOPICS) & first_words
    for topic in TOPICS:
        assert f"(docs/{topic}.md)" in README, f"README links docs/{topic}.md"


def test_the_readme_is_a_front_door():
    assert len(README.splitlines()) <= 200
    for link in ("CONTRIBUTING.md", "bench/README.md"):
        assert f"]({link})" in README and (ROOT / link).is_file()


def test_every_package_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "discue_cli").rglob("__init__.py")}
    assert listed == found | {"discue_cli.docs"}


def test_the_pages_are_resources_of_the_built_wheel(tmp_path):
    # built from a copy: setuptools writes build/ and *.egg-info beside the sources it builds
    source = tmp_path / "source"
    source.mkdir()
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source)
    for folder in ("discue_cli", "docs"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("discue_cli-*.whl")
    with zipfile.ZipFile(wheel) as zipped:
        names = set(zipped.namelist())
        zipped.extractall(tmp_path / "site")
    assert {f"discue_cli/docs/{topic}.md" for topic in TOPICS} <= names
    # read as an installed package reads them: importlib.resources, the wheel's files alone on the path
    read = (
        "import sys; sys.path.insert(0, sys.argv[1]); from importlib.resources import files; "
        "print(files('discue_cli.docs').joinpath('exit-codes.md').read_text(), end='')"
    )
    shown = subprocess.run(
        [sys.executable, "-S", "-c", read, str(tmp_path / "site")], capture_output=True, text=True, timeout=60
    )
    assert shown.stdout == (DOCS / "exit-codes.md").read_text()


def test_an_editable_checkout_reads_the_pages_beside_the_package():
    from discue_cli.commands.help import topic_page

    assert topic_page("settings") == (DOCS / "settings.md").read_text()
