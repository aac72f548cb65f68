"""No package of gemini_doctor imports, however indirectly, a package that imports it back.

A package here is a subpackage (engine, probes, ...) or a top-level module (check, verdict, ...); the root
package's ``__init__`` (which every import runs first anyway) is left out. Every import counts, at the top of
a module or inside a function: a cycle hidden in a function still ties the two together.
"""

import ast
from pathlib import Path

import gemini_doctor

ROOT = Path(gemini_doctor.__file__).parent


def _imports(path: Path) -> set[str]:
    """The packages of gemini_doctor that the module at *path* imports."""
    here = list(path.relative_to(ROOT).parent.parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1] + (node.module.split(".") if node.module else [])
            elif (node.module or "").startswith("gemini_doctor"):
                base = node.module.split(".")[1:]
            else:
                continue
            found |= {base[0]} if base else {_package(alias.name) for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("gemini_doctor.")}
    return found


def _package(name: str) -> str:
    """*name*, imported from the root package: a package or module of it, else an attribute of ``__init__``."""
    return name if (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file() else "__init__"


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        package = parts[0]
        if package == "__init__":
            continue
        graph.setdefault(package, set()).update(_imports(path) - {package, "__init__"})
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of packages that reach each other (strongly connected, more than one package)."""
    reach = {package: _reachable(graph, package) for package in graph}
    groups = {
        frozenset(p for p in reach if p in reach[start] and start in reach[p]) | {start} for start in graph
    }
    return sorted(sorted(group) for group in groups if len(group) > 1)


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_no_package_imports_a_package_that_imports_it_back():
    found = cycles(package_graph())
    assert not found, f"packages that import each other (directly or through others): {found}"


def test_the_check_layers_stay_apart():
    graph = package_graph()
    assert "engine" not in graph["probes"] and "probes" not in graph["engine"]
    assert {"probes", "verdict"} <= graph["check"]


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
