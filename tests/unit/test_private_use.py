"""Built on the libraries, never inside them (CONTRIBUTING.md): discue_cli uses no private attribute, private
module or internal module of another package, so a new release of a dependency is a routine upgrade.

Read from the source (AST), not by running it:
- an attribute `x._name` (or getattr/setattr/hasattr/delattr with "_name") is ours only on `self`/`cls`,
  on a name imported from discue_cli, or when `_name` is defined by discue_cli's own classes and appears
  nowhere in the source of a library we import (so a clash with a library's private name counts too);
- a module imported from another package must be one that package documents (PUBLIC below; a new
  dependency fails until its public modules are written down) and have no `_part`;
- no string names another package's private module (`"httpx._main"`), and nothing writes to sys.modules.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "discue_cli"

# The modules each library documents as its interface. The standard library: any module without a `_part`.
PUBLIC = {
    "typer": {"typer", "typer.core", "typer.testing"},
    "httpx": {"httpx"},
    "httpcore": {"httpcore"},
    "uvicorn": {"uvicorn"},  # uvicorn.Config and uvicorn.Server; uvicorn.protocols etc. are its inside
    "starlette": {
        f"starlette.{name}"
        for name in [
            "applications",
            "authentication",
            "background",
            "concurrency",
            "config",
            "convertors",
            "datastructures",
            "endpoints",
            "exceptions",
            "requests",
            "responses",
            "routing",
            "schemas",
            "staticfiles",
            "status",
            "templating",
            "testclient",
            "types",
            "websockets",
            "middleware",
            "middleware.base",
            "middleware.cors",
            "middleware.gzip",
            "middleware.httpsredirect",
            "middleware.sessions",
            "middleware.trustedhost",
            "middleware.wsgi",
        ]
    },
    # rich's API reference (rich.readthedocs.io, "Reference"); rich.cells and the like are not in it.
    "rich": {
        f"rich.{name}"
        for name in [
            "abc",
            "align",
            "bar",
            "box",
            "color",
            "columns",
            "console",
            "emoji",
            "highlighter",
            "json",
            "layout",
            "live",
            "logging",
            "markdown",
            "markup",
            "measure",
            "padding",
            "panel",
            "pretty",
            "progress",
            "progress_bar",
            "prompt",
            "protocol",
            "rule",
            "segment",
            "spinner",
            "status",
            "style",
            "styled",
            "syntax",
            "table",
            "text",
            "theme",
            "traceback",
            "tree",
        ]
    }
    | {"rich"},
    "platformdirs": {"platformdirs"},
    "jq": {"jq"},
    "regex": {"regex"},
    "tomli_w": {"tomli_w"},
    "tomlkit": {"tomlkit"},
    "ijson": {"ijson"},
    # Textual's API reference (textual.textualize.io/api): the app, bindings and widgets `top` uses
    "textual": {"textual", "textual.app", "textual.binding", "textual.widgets", "textual.containers", "textual.screen"},
}

ATTRIBUTE_CALLS = ("getattr", "setattr", "hasattr", "delattr")
MODULES_WRITES = ("setdefault", "update", "pop", "popitem", "clear", "__setitem__")
# Named with an underscore, documented as public all the same.
DOCUMENTED = {"os._exit"}  # https://docs.python.org/3/library/os.html#os._exit

def is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def ours(module: str) -> bool:
    return module == "discue_cli" or module.startswith("discue_cli.")


def sources() -> dict[str, ast.Module]:
    return {str(p.relative_to(PACKAGE)): ast.parse(p.read_text()) for p in sorted(PACKAGE.rglob("*.py"))}


def third_party_tops(trees) -> set[str]:
    tops = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                tops.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.split(".")[0])
    return {t for t in tops if t != "discue_cli" and t != "__future__"}


def installed_requirements(dist: str, seen: set[str]) -> None:
    """The distributions `dist` needs at run time (no extras), transitively."""
    if dist.lower() in seen:
        return
    requirements = importlib.metadata.requires(dist) or []
    seen.add(dist.lower())
    for req in requirements:
        if "extra ==" in req:
            continue
        name = re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]
        try:
            installed_requirements(name, seen)
        except importlib.metadata.PackageNotFoundError:
            continue  # a marker for another platform or Python


@cache
def foreign_private_names() -> frozenset[str]:
    """Every `_name` in the source of what discue_cli imports: our dependencies' and the standard library's."""
    files: set[Path] = set()
    dists: set[str] = set()
    installed_requirements("discue-cli", dists)
    for dist in dists - {"discue-cli"}:
        files.update(Path(f.locate()) for f in importlib.metadata.distribution(dist).files or [] if f.suffix == ".py")
    for top in third_party_tops(sources().values()) | {"asyncio"}:
        spec = importlib.util.find_spec(top)
        if spec and spec.origin and spec.origin.endswith(".py"):
            origin = Path(spec.origin)
            files.update(origin.parent.rglob("*.py") if origin.name == "__init__.py" else [origin])
    names: set[str] = set()
    for path in files:
        names.update(re.findall(r"\b_[A-Za-z0-9]\w*", path.read_text(errors="replace")))
    return frozenset(n for n in names if private(n))


def own_private_names(trees) -> set[str]:
    """The `_names` discue_cli's classes define: methods, class attributes, self._x = ..."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        names.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        names.add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        names.update(t.id for t in item.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and is_self(node.value):
                names.add(node.attr)
    return {n for n in names if private(n)}


def module_offences(node: ast.AST) -> list[str]:
    """An import of another package's private or undocumented module, or of a private name from it."""
    if isinstance(node, ast.Import):
        modules, names = [a.name for a in node.names], []
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        modules, names = [node.module], [a.name for a in node.names]
    else:
        return []
    found = []
    for module in modules:
        if ours(module) or module == "__future__":
            continue
        top = module.split(".")[0]
        inside = any(private(part) for part in module.split("."))
        undocumented = top in PUBLIC and module not in PUBLIC[top]
        unknown = top not in PUBLIC and top not in sys.stdlib_module_names
        if inside or undocumented or unknown or any(private(n) for n in names):
            found.append(ast.unparse(node))
    return found


def bound_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names a file binds by import: (ours, another package's)."""
    mine, theirs = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                (mine if ours(a.name) else theirs).add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            is_ours = node.level > 0 or ours(node.module or "")
            (mine if is_ours else theirs).update(a.asname or a.name for a in node.names)
    return mine, theirs


def reaches(path: str, tree: ast.Module, own: set[str], foreign: frozenset[str]) -> list[str]:
    """What one file reaches inside other packages."""
    mine, theirs = bound_names(tree)
    found = []

    def reach(base: ast.expr, attr: str, shown: str) -> None:
        name = base.id if isinstance(base, ast.Name) else None
        if not private(attr) or is_self(base) or name in mine or f"{name}.{attr}" in DOCUMENTED:
            return
        if name in theirs or attr not in own:
            found.append(f"{path}: {shown}")

    for node in ast.walk(tree):
        found.extend(f"{path}: {text}" for text in module_offences(node))
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b).split(".")[0] in theirs for b in node.bases):
            # a subclass of another package's class: self._name of that class's inside is its inside
            found.extend(
                f"{path}: {node.name}: {ast.unparse(inner)}"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Attribute) and inner.attr in foreign and is_self(inner.value)
            )
        elif isinstance(node, ast.Attribute):
            reach(node.value, node.attr, ast.unparse(node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ATTRIBUTE_CALLS:
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                reach(node.args[0], name.value, ast.unparse(node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if ast.unparse(node.func.value) == "sys.modules" and node.func.attr in MODULES_WRITES:
                found.append(f"{path}: {ast.unparse(node)}")
        elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            if ast.unparse(node.value) == "sys.modules":
                found.append(f"{path}: {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and names_a_private_module(node.value):
            found.append(f"{path}: {node.value!r}")
    return found


def names_a_private_module(text: str) -> bool:
    """`"httpx._main"`: a string that names a private module of another package (sys.modules, import_module)."""
    parts = text.split(".")
    if len(parts) < 2 or not all(p.isidentifier() for p in parts) or ours(text):
        return False
    return (parts[0] in PUBLIC or parts[0] in sys.stdlib_module_names) and any(private(p) for p in parts[1:])


def offences(trees: dict[str, ast.Module] | None = None) -> list[str]:
    trees = sources() if trees is None else trees
    foreign = foreign_private_names()
    own = own_private_names(trees.values()) - foreign
    return sorted({found for path, tree in trees.items() for found in reaches(path, tree, own, foreign)})


def test_no_private_attribute_or_internal_module_of_another_package():
    assert offences() == []


def test_the_guard_sees_each_kind_of_reach():
    """The rules above, on a file of their own: each line here is caught, the ones after `ok` are not."""
    caught = [
        "import typer._click.exceptions",
        "from httpx._main import main",
        "from uvicorn.protocols.http.h11_impl import H11Protocol",
        "from httpx import _utils",
        "import atexit\natexit._run_exitfuncs()",
        "def f(loop):\n    return loop._ready",
        "def f(client):\n    return getattr(client, '_transport')",
        "import sys\nsys.modules['httpx._main'] = None",
        "import sys, types\nsys.modules.setdefault('x', types.ModuleType('x'))",
        "import somethingnew",
        "import httpcore\nclass C(httpcore.AsyncHTTP11Connection):\n    def f(self):\n        self._state_lock = 1",
    ]
    ok = [
        "import os\nos._exit(0)",
        "class A:\n    def _own(self):\n        return self._own",
        "from discue_cli import signals\nsignals._anything",
        "import urllib.parse\nimport collections.abc",
        "from typer.core import TyperGroup",
    ]
    for text in caught:
        assert offences({"probe.py": ast.parse(text)}), text
    for text in ok:
        assert offences({"probe.py": ast.parse(text)}) == [], text
