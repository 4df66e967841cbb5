"""The house plan, read from the code's own imports: layers that only look down, no circle,
and files a reader holds in one sitting.

Every import counts, those inside functions too (a lazy import is still a dependency). A
module belongs to the first layer one of whose prefixes names it; it may import its own layer
and the layers under it, never one above.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dashboard", "etl", "impact", "bench")
MAX_LINES = 600  # a module a reader holds in one sitting
SIZED = ("dashboard", "etl")

# Top first. A layer: (what it is, the module prefixes it holds). A prefix holds the module of
# that name and every module under it; the two root packages, which hold nothing, are placed by
# their exact name, so that a new module is placed on purpose.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("faces: the command line and the benchmarks", ("impact", "bench")),
    ("the Dash application: shell, sign-in routes, wiring", ("dashboard.app",)),
    ("pages, the public page among them", ("dashboard.pages", "dashboard.public")),
    ("loading data from the page, and warming the figures after a load",
     ("dashboard.uploads", "dashboard.warm")),
    ("reports", ("dashboard.report",)),
    ("pieces shared by pages: maps, the map pages' shell, components",
     ("dashboard.maps", "dashboard.map_pages", "dashboard.components")),
    ("access and files leaving: auth, security, exports",
     ("dashboard.auth", "dashboard.security", "dashboard.exports")),
    ("the view read from the URL", ("dashboard.view",)),
    ("queries", ("dashboard.queries",)),
    ("query helpers: cache, figures, statistics",
     ("dashboard.cache", "dashboard.figures", "dashboard.stats")),
    ("messages and component ids", ("dashboard.i18n", "dashboard.ids", "dashboard")),
    ("warehouse runs: demo data, migrations", ("etl.demo", "etl.migrate")),
    ("loading a batch", ("etl.load", "etl.status")),
    ("warehouse writes: transforms, labels, accounts, subscriptions, commentary",
     ("etl.transform", "etl.labels", "etl.users", "etl.subscriptions", "etl.commentary")),
    ("reading files: extraction, survey formats, answers, templates",
     ("etl.extract", "etl.survey_formats", "etl.answers", "etl.templates")),
    ("the warehouse: engines, reference data, audit, marts, migrations",
     ("etl.db", "etl.reference", "etl.audit", "etl.marts", "etl.migrations")),
    ("declarations: settings and tables", ("etl.settings", "etl.schema", "etl.rules", "etl")),
]
ROOTS = ("dashboard", "etl")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))}


def owner(name: str) -> str | None:
    """The project module that `name` (a module, or a name inside one) lives in."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imported_names(package: str, source: str) -> set[str]:
    """Every module or name that `source`, a module of `package`, imports, wherever it does."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and dynamic_import(node):
            found.add(node.args[0].value)
    return found


def dynamic_import(call: ast.Call) -> bool:
    """`__import__("dashboard.uploads")` or `importlib.import_module("...")`."""
    name = getattr(call.func, "id", getattr(call.func, "attr", ""))
    return (name in ("__import__", "import_module") and bool(call.args)
            and isinstance(call.args[0], ast.Constant))


def package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


@cache
def graph() -> dict[str, set[str]]:
    return {module: {o for name in imported_names(package_of(module, path),
                                                  path.read_text(encoding="utf-8"))
                     if (o := owner(name))} - {module}
            for module, path in modules().items()}


def holds(prefix: str, module: str) -> bool:
    return module == prefix or (prefix not in ROOTS and module.startswith(prefix + "."))


def layer_of(module: str) -> int:
    return max((len(prefix), index) for index, (_, prefixes) in enumerate(LAYERS)
               for prefix in prefixes if holds(prefix, module))[1]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_plan_places_every_module():
    unplaced = [m for m in modules()
                if not any(holds(p, m) for _, prefixes in LAYERS for p in prefixes)]
    assert not unplaced, f"place these modules in LAYERS: {', '.join(unplaced)}"


def test_no_import_runs_back_up_a_layer():
    upward = [f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} "
              f"({LAYERS[layer_of(target)][0]})"
              for module, targets in sorted(graph().items()) for target in sorted(targets)
              if layer_of(target) < layer_of(module)]
    assert not upward, "\n".join(upward)


def test_no_circle_of_imports():
    circles = cycles(graph())
    assert not circles, "\n".join(" <-> ".join(c) for c in circles)


def test_the_reading_finds_lazy_relative_and_dynamic_imports_and_circles():
    source = ("import dashboard.ids\n"
              "def render():\n    from dashboard.pages import context\n"
              "from .base import Filters\n"
              "loader = __import__('dashboard.uploads')\n")
    assert imported_names("dashboard.queries", source) == {
        "dashboard.ids", "dashboard.pages.context", "dashboard.queries.base.Filters",
        "dashboard.uploads"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_file_is_longer_than_a_reader_holds_in_one_sitting():
    long_files = {str(path.relative_to(ROOT)): lines for module, path in modules().items()
                  if module.split(".")[0] in SIZED
                  and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long_files, "\n".join(f"{p}: {n} lines" for p, n in long_files.items())
