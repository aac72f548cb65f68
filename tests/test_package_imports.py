"""No package of gemini_doctor imports, however indirectly, a package that imports it back, at any depth
(engine and probes; probes/api_keys and probes/resource_manager); nor any module.

A package here is a subpackage (engine, probes, ...) or a top-level module (check, verdict, ...); the root
package's ``__init__`` (which every import runs first anyway) is left out. Every import counts, at the top of
a module or inside a function: a cycle hidden in a function still ties the two together. Between modules,
a registry that finds a package's modules by listing it (pkgutil) imports each of them; an import only for
type checkers (``if TYPE_CHECKING:``) never runs, so it does not count.
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
    """*name*, imported from the root package: a package or module of it, else an attribute of
    ``__init__``."""
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
    assert {"probes", "verdict", "remedies"} <= graph["check"]
    assert "check" not in graph["remedies"] | graph["verdict"] | graph["probes"]


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def module_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of the package at *root* (dotted, from it) -> the modules it imports when it runs."""
    modules = {_dotted(path.relative_to(root)): path for path in root.rglob("*.py")}
    modules.pop("", None)  # the root package's __init__, left out as above
    graph = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = {id(n) for node in ast.walk(tree) if _type_checking(node) for n in ast.walk(node)}
        found, lists = set(), False
        for node in ast.walk(tree):
            if id(node) in hidden:
                continue
            if isinstance(node, ast.Import):
                lists |= any(alias.name == "pkgutil" for alias in node.names)
                found |= {_strip(a.name) for a in node.names if a.name.startswith("gemini_doctor.")}
            elif isinstance(node, ast.ImportFrom) and (
                node.level or _strip(node.module or "") != node.module
            ):
                base = here[: len(here) - node.level + 1] if node.level else []
                base = ".".join(base + ([_strip(node.module)] if node.module else [])).strip(".")
                for alias in node.names:
                    found.add(
                        f"{base}.{alias.name}".strip(".") if f"{base}.{alias.name}" in modules else base
                    )
        if lists:  # a registry: every module under the packages it imports
            found |= {
                m for m in modules for p in set(found) if _is_package(p, modules) and m.startswith(p + ".")
            }
        graph[name] = found & modules.keys() - {name}
    return graph


def _dotted(relative: Path) -> str:
    parts = relative.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _strip(module: str) -> str:
    return module.removeprefix("gemini_doctor").lstrip(".")


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return name in modules and modules[name].name == "__init__.py"


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def test_no_module_imports_a_module_that_imports_it_back():
    found = cycles(module_graph())
    assert not found, f"modules that import each other (directly or through others): {found}"


def collapsed(graph: dict[str, set[str]], depth: int) -> dict[str, set[str]]:
    """*graph* with each module replaced by its package *depth* names deep (``probes.api_keys`` for
    ``probes.api_keys.key_lookup`` at depth 2; a shallower module stays itself)."""
    out: dict[str, set[str]] = {}
    for module, targets in graph.items():
        here = ".".join(module.split(".")[:depth])
        out.setdefault(here, set()).update(".".join(t.split(".")[:depth]) for t in targets)
        out[here].discard(here)
    return out


def test_no_subpackage_imports_one_that_imports_it_back():
    """At every depth: e.g. one probe API package (probes/api_keys) never imports, however indirectly, one
    that imports it back (probes/resource_manager), nor emulator/services the emulator's modules that
    import them."""
    graph = module_graph()
    for depth in range(2, max(name.count(".") for name in graph) + 2):
        found = cycles(collapsed(graph, depth))
        assert not found, f"depth {depth}: packages that import each other: {found}"


def test_a_subpackage_cycle_is_found():
    graph = {"p.a.x": {"p.b.y"}, "p.b.y": set(), "p.b.z": {"p.a.w"}, "p.a.w": set()}
    assert cycles(collapsed(graph, 2)) == [["p.a", "p.b"]]
    assert cycles(graph) == []


def test_a_registry_imports_what_it_lists():
    graph = module_graph()
    assert "emulator.services.billing" in graph["emulator.backends"]
    assert "probes.billing.billing" in graph["probes.registry"]
    assert "emulator.backends" not in graph["emulator.world"]
