"""The ranges in pyproject.toml stay true: every library discue_cli imports is declared, and
constraints-floor.txt (where the README's test command runs the suite a second time) installs each
runtime dependency at exactly the lowest version its range allows."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def declared() -> list[Requirement]:
    return [Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            package, _, version = line.partition("==")
            found[canonicalize_name(package)] = version.strip()
    return found


def imported_tops() -> set[str]:
    tops = set()
    for path in (ROOT / "discue_cli").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                tops.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.split(".")[0])
    return {t for t in tops if t not in sys.stdlib_module_names and t not in ("discue_cli", "__future__")}


def test_every_library_imported_is_declared():
    names = {canonicalize_name(r.name) for r in declared()}
    assert sorted(t for t in imported_tops() if canonicalize_name(t) not in names) == []


def test_each_dependency_has_a_lower_bound_and_the_floor_file_pins_it():
    floor = pins("constraints-floor.txt")
    wrong = []
    for requirement in declared():
        lows = [s.version for s in requirement.specifier if s.operator == ">="]
        pinned = floor.get(canonicalize_name(requirement.name))
        if len(lows) != 1 or pinned is None or Version(lows[0]) != Version(pinned):
            wrong.append(f"{requirement}: floor file has {pinned}")
    assert wrong == []


def test_the_verified_versions_are_inside_the_ranges():
    verified = pins("constraints.txt")
    outside = [
        f"{r}: constraints.txt has {verified.get(canonicalize_name(r.name))}"
        for r in declared()
        if not r.specifier.contains(verified.get(canonicalize_name(r.name), "0"))
    ]
    assert outside == []


def test_ci_runs_the_readmes_test_command_and_it_runs_the_floor_too():
    readme = (ROOT / "README.md").read_text()
    command = readme.split("## Run the tests", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    assert command.endswith("&& .ci/floor")
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()
