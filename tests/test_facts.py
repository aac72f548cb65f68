"""probes/facts.toml says what `check` can establish; the code agrees, so no catalogue signal is dead."""

import ast
from pathlib import Path

from gemini_doctor.catalogue import load_catalogue
from gemini_doctor.catalogue.links import PACKAGE, declared_facts

# Where facts are established: discovery and the probes, and check's verdict (comparisons of two probes)
EMITTERS = [*sorted(Path(PACKAGE, "probes").glob("*.py")), Path(PACKAGE, "engine", "verdict.py")]
PLANNED = "planned"


def _emitted() -> dict[str, str]:
    """Fact name -> file, for every fact the code sets: ``facts={...}``, ``facts["x"] = ...``, or a dict
    literal assigned to or returned as facts (a name or function that says "fact")."""
    found = {}
    for path in EMITTERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            dicts = []
            if isinstance(node, ast.keyword) and node.arg == "facts":
                dicts.append(node.value)
            elif isinstance(node, ast.Assign) and any("fact" in ast.unparse(t) for t in node.targets):
                dicts.append(node.value)
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                        found[target.slice.value] = path.name
            elif isinstance(node, ast.FunctionDef) and "fact" in (ast.get_docstring(node) or node.name).lower():
                dicts += [n.value for n in ast.walk(node) if isinstance(n, ast.Return)]
            for value in dicts:
                if isinstance(value, ast.Dict):
                    found.update({k.value: path.name for k in value.keys if isinstance(k, ast.Constant)})
    return found


def test_every_fact_the_code_establishes_is_declared():
    undeclared = {name: where for name, where in _emitted().items() if name not in declared_facts()}
    assert not undeclared, f"declare these in probes/facts.toml (meaning, by): {undeclared}"


def test_every_declared_fact_is_established_or_marked_planned():
    emitted, declared = _emitted(), declared_facts()
    dead = sorted(name for name, entry in declared.items() if entry["by"] != PLANNED and name not in emitted)
    assert not dead, f"declared in probes/facts.toml, but no code establishes them: {dead}"
    done = sorted(name for name, entry in declared.items() if entry["by"] == PLANNED and name in emitted)
    assert not done, f"established now: set their `by` in probes/facts.toml to the probe that does: {done}"


def test_each_declared_fact_has_a_meaning_and_an_owner_and_planned_ones_are_few():
    for name, entry in declared_facts().items():
        assert set(entry) == {"meaning", "by"} and entry["meaning"] and entry["by"], name
    named = {fact for cause in load_catalogue().values() for signal in cause.signals for fact in signal.facts}
    planned = {name for name, entry in declared_facts().items() if entry["by"] == PLANNED}
    assert planned <= named, f"planned facts no cause uses: {sorted(planned - named)}"
