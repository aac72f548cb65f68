"""Probes are found like gcpdiag's rules (a module per probe, in a package per Google API) and checked at
load."""

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

from gemini_doctor.check import checklist, discover
from gemini_doctor.probes import ids, registry
from gemini_doctor.probes.ids import ProbeError, require_probes
from gemini_doctor.probes.registry import probe_modules


def _module(doc, **attributes) -> ModuleType:
    module = ModuleType("gemini_doctor.probes.fake_api.fake_probe", doc)
    module.__dict__.update(attributes)
    return module


def test_each_probe_is_named_by_its_file_and_titled_by_its_docstring():
    modules = probe_modules()
    assert list(modules)[:2] == ["token", "tokeninfo"] and "call_control" in modules
    for probe_id, entry in modules.items():
        assert entry.module.__name__.endswith(f".{probe_id}")
        assert entry.title == entry.module.__doc__.strip().splitlines()[0]


def test_the_checklist_fills_the_titles_from_the_setup():
    setup = discover({"GEMINI_API_KEY": "AIza" + "x" * 35, "HOME": "/nonexistent"}, model="gemini-3.5-flash")
    assert checklist(setup) == {
        "model": "model gemini-3.5-flash",
        "call_target": "countTokens on gemini-3.5-flash",
        "models": "models offered to this credential",
        "call_control": "countTokens on a control model",
    }


def test_a_misspelt_probe_id_fails_naming_where_it_is():
    assert require_probes("call_target", where="x") == ("call_target",)
    with pytest.raises(
        ProbeError, match=r"verdict\.py names unknown probe\(s\) \['call_targte'\]; known: admin_token, "
    ):
        require_probes("call_targte", where="verdict.py")


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (_module(None), "no docstring"),
        (_module("model {modle}\n"), r"title names \['modle'\]"),
        (_module("title\n", ORDER=1, needs=None, run=None), "defines FACTS"),
        (
            _module("title\n", FACTS={"fact": ""}, ORDER=1, needs=None, run=None),
            "FACTS maps each fact's name to its meaning",
        ),
    ],
)
def test_a_probe_module_that_breaks_the_rules_fails_at_load(module, message):
    with pytest.raises(ProbeError, match=message):
        registry._load(module)


def test_an_after_naming_no_probe_fails_at_load():
    entry = registry._load(_module("t\n", FACTS={}, ORDER=1, needs=None, run=None, AFTER=("modles",)))
    with pytest.raises(ProbeError, match=r"AFTER names unknown probe\(s\) \['modles'\]"):
        registry._check_links({"fake_probe": entry})


def test_probes_reach_google_only_through_the_query_layer():
    """No probe module imports an HTTP client: every request goes through ctx.http (transport.GoogleHttp)."""
    for entry in probe_modules().values():
        tree = ast.parse(Path(entry.module.__file__).read_text(encoding="utf-8"))
        names = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        names |= {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and not node.level
        }
        assert not names & {"httpx", "requests", "urllib3", "http", "aiohttp", "socket"}, (
            entry.module.__name__
        )


def test_typed_results_are_dataclasses():
    """Every ``Outcome(..., result=X(...))`` a probe package writes builds a dataclass (never a dict or a
    tuple), found by reading the source, so a new probe is held to it too."""
    from dataclasses import is_dataclass

    root = Path(registry.__file__).parent
    built = set()
    for path in sorted(root.glob("*/*.py")):
        name = ".".join(path.relative_to(root.parent.parent).with_suffix("").parts)
        module = importlib.import_module(name.removesuffix(".__init__"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Outcome":
                for keyword in node.keywords:
                    if keyword.arg == "result":
                        made = keyword.value
                        assert isinstance(made, ast.Call) and isinstance(made.func, ast.Name), (
                            f"{path.name}: result={ast.unparse(made)}"
                        )
                        assert is_dataclass(getattr(module, made.func.id)), f"{path.name}: {made.func.id}"
                        built.add(made.func.id)
    assert {"KeyRecord", "Project", "CountTokens", "KeyCreationGrant", "Admins"} <= built


def test_typed_results_fill_only_declared_placeholders():
    from gemini_doctor.catalogue.model import PLACEHOLDERS
    from gemini_doctor.probes.api_keys.key_lookup import KeyRecord
    from gemini_doctor.probes.billing.billing import BillingOff
    from gemini_doctor.probes.policy_troubleshooter.policy_troubleshooter import DenyPolicy
    from gemini_doctor.probes.resource_manager.project import Project

    filled = {
        **KeyRecord("acme", "projects/1/locations/global/keys/k1").fill_values(),
        **Project("acme", "1").fill_values(),
        **BillingOff(("0X0X0X-0X0X0X-0X0X0X",)).fill_values(),
        **DenyPolicy("no-vertex").fill_values(),
    }
    assert filled == {
        "key_id": "k1",
        "project": "acme",
        "billing_account": "0X0X0X-0X0X0X-0X0X0X",
        "deny_policy": "no-vertex",
    }
    assert set(filled) <= set(PLACEHOLDERS)
    assert BillingOff(("a", "b")).fill_values() == {}  # several accounts: the user picks


IMPORT = "from gemini_doctor.probes.ids import requires\n"


def _import_declaration(tmp_path, source: str) -> ModuleType:
    path = tmp_path / "broken_probe.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("broken_probe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_misspelt_need_fails_at_import_naming_its_file_and_line(tmp_path):
    source = '"""a broken probe"""\n' + IMPORT + '\nNEEDS = requires("tokn")\n'
    with pytest.raises(ProbeError) as raised:
        _import_declaration(tmp_path, source)
    assert str(raised.value).startswith(
        f"{tmp_path / 'broken_probe.py'}:4: needs names unknown probe(s) ['tokn']; known: admin_token, "
    )


def test_needs_are_declared_at_import_not_when_a_plan_is_built(tmp_path):
    late = '"""t"""\n' + IMPORT + '\ndef needs(setup):\n    return requires("token")\n'
    module = _import_declaration(tmp_path, late)  # importing it is fine; asking it fails, naming where
    module.__dict__.update(FACTS={}, ORDER=1, run=None)
    setup = discover({"GEMINI_API_KEY": "AIza" + "x" * 35, "HOME": "/nonexistent"})
    with pytest.raises(
        ProbeError, match=r"broken_probe\.py:5: requires\(\) declares needs at a module's top"
    ):
        registry._load(module).probe(setup)
    undeclared = registry._load(_module("t\n", FACTS={}, ORDER=1, run=None, needs=lambda setup: ("token",)))
    with pytest.raises(ProbeError, match=r"needs\(\) returns \('token',\), not a requires"):
        undeclared.probe(setup)


def test_probe_ids_are_known_before_any_probe_module_is_imported():
    assert ids.probe_ids() == set(probe_modules())
