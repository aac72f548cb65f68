"""The probes' FACTS say what `check` can establish; the code agrees, so no catalogue signal is dead."""

import ast
from pathlib import Path

from gemini_doctor.catalogue import load_catalogue
from gemini_doctor.catalogue.links import PLANNED, declared_facts, fact_files

# Where facts are established: discovery and the probes, and check's verdict (comparisons of two probes)
EMITTERS = [Path(path) for path in fact_files()]


def _emitted() -> dict[str, str]:
    """Fact name -> file, for every fact the code sets: ``facts={...}``, ``facts["x"] = ...``, or a dict
    literal assigned to or returned as facts (a name or function that says "fact")."""
    found = {}
    for path in EMITTERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            dicts = []
            if isinstance(node, ast.Assign) and any(
                ast.unparse(t) in ("FACTS", "PLANNED_FACTS") for t in node.targets
            ):
                continue  # the declaration itself, not a fact established
            if isinstance(node, ast.keyword) and node.arg == "facts":
                dicts.append(node.value)
            elif isinstance(node, ast.Assign) and any("fact" in ast.unparse(t) for t in node.targets):
                dicts.append(node.value)
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                        found[target.slice.value] = path.stem
            elif (
                isinstance(node, ast.FunctionDef) and "fact" in (ast.get_docstring(node) or node.name).lower()
            ):
                dicts += [n.value for n in ast.walk(node) if isinstance(n, ast.Return)]
            for value in dicts:  # a dict literal, or one in a conditional expression
                for literal in (n for n in ast.walk(value) if isinstance(n, ast.Dict)):
                    found.update({k.value: path.stem for k in literal.keys if isinstance(k, ast.Constant)})
    return found


def test_every_fact_the_code_establishes_is_declared():
    declared = declared_facts()
    undeclared = {name: where for name, where in _emitted().items() if name not in declared}
    assert not undeclared, f"declare these in the FACTS of the module that establishes them: {undeclared}"


def test_every_declared_fact_is_established_or_marked_planned():
    emitted, declared = _emitted(), declared_facts()
    dead = sorted(name for name, entry in declared.items() if entry["by"] != PLANNED and name not in emitted)
    assert not dead, f"declared in a module's FACTS, but no code establishes them: {dead}"
    done = sorted(name for name, entry in declared.items() if entry["by"] == PLANNED and name in emitted)
    assert not done, (
        f"established now: move them from probes/registry.py's PLANNED_FACTS to the probe that does: {done}"
    )


def test_each_fact_is_established_by_the_module_that_declares_it():
    emitted = _emitted()
    elsewhere = {
        name: (entry["by"], emitted[name])
        for name, entry in declared_facts().items()
        if name in emitted and emitted[name] != entry["by"]
    }
    assert not elsewhere, (
        f"declared by one module, established by another (declared, established): {elsewhere}"
    )


def test_each_declared_fact_has_a_meaning_and_an_owner_and_planned_ones_are_few():
    for name, entry in declared_facts().items():
        assert set(entry) == {"meaning", "by"} and entry["meaning"] and entry["by"], name
    named = {fact for cause in load_catalogue().values() for signal in cause.signals for fact in signal.facts}
    planned = {name for name, entry in declared_facts().items() if entry["by"] == PLANNED}
    assert planned <= named, f"planned facts no cause uses: {sorted(planned - named)}"
