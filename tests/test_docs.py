"""The project documents itself: the docs in the repository cover the catalogue, the world format and the
licence."""

import dataclasses
import json
import re
import tomllib

from check_helpers import check, user_env
from conftest import CAUSES_MD, REPO, SHARED, invoke_cli
from gemini_doctor import explain
from gemini_doctor.catalogue import load_catalogue
from gemini_doctor.emulator import world
from gemini_doctor.emulator.backends import world_sections

DOCS = REPO / "docs"
CAUSE_LINE = re.compile(r"^- `(\w+)` — ", re.MULTILINE)
WORLD_FIELDS_2026 = [
    "today",
    "standard_key_cutoffs",
    "unrestricted",
    "all",
    "prepay_depleted",
    "kind",
    "service_account",
    "billing_accounts",
    "open",
    "admins",
    "closed_to_new_users_from",
    "retired_from",
    "replacement",
    "used_by",
    "us",
    "eu",
]


def _documented_causes() -> list[str]:
    return CAUSE_LINE.findall(CAUSES_MD.read_text(encoding="utf-8"))


def test_causes_doc_lists_exactly_the_catalogues_ids_once_each():
    documented = _documented_causes()
    assert len(documented) == len(set(documented))
    assert set(documented) == set(load_catalogue())


def test_the_2026_causes_are_documented():
    assert {
        "api_key_retired",
        "credential_sent_wrong",
        "endpoint_invalid",
        "app_check_required",
        "account_ineligible",
        "account_verification_required",
    } <= set(_documented_causes())


def test_causes_doc_follows_the_shared_contract_when_present():
    contract = SHARED / "spec" / "causes.md"
    if contract.exists():  # a plain clone has no ../shared: the doc then stands on its own
        assert set(_documented_causes()) == set(re.findall(r"^- `(\w+)`", contract.read_text(), re.MULTILINE))


def test_world_doc_names_every_field_the_loader_reads():
    text = (DOCS / "world.md").read_text(encoding="utf-8")
    sections = world_sections()  # the lists the emulated services own, and their records' fields
    records = [
        world.World,
        world.Caller,
        world.Project,
        world.ApiKey,
        world.Restrictions,
        world.Model,
        world.Incident,
        *(entry for entry in sections.values() if dataclasses.is_dataclass(entry)),
    ]
    names = {f.name for cls in records for f in dataclasses.fields(cls)} - {"sections"} | set(sections)
    missing = [name for name in sorted(names | set(WORLD_FIELDS_2026)) if f"`{name}`" not in text]
    assert not missing, missing


def test_readme_links_resolve_inside_the_repository():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "shared/spec" not in readme
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (REPO / target).exists(), target


def test_licence_is_the_apache_text_pyproject_names():
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"
    licence = (REPO / "LICENSE").read_text()
    assert (
        "Apache License" in licence
        and "Version 2.0, January 2004" in licence
        and "END OF TERMS AND CONDITIONS" in licence
    )


def _keys(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("metadata", "details"):  # Google's own structures, not our schema
                found.add(key)
                _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def test_json_doc_names_every_field_the_commands_write(gemini_emulator, tmp_path):
    text = (
        '{"error":{"code":403,"message":"Permission denied on resource project '
        'x.","status":"PERMISSION_DENIED"}}'
    )
    log = tmp_path / "app.log"
    log.write_text(text + "\n")
    emu = gemini_emulator("service_disabled")
    written = [
        explain(text).to_dict(),
        json.loads(invoke_cli("scan", "--format", "json", str(log)).stdout),
        check(emu, tmp_path).to_dict(),
        json.loads(
            invoke_cli("fix", "--format", "json", "--endpoint", emu.url, env=user_env(emu, tmp_path)).stdout
        ),
    ]
    doc = (DOCS / "json.md").read_text(encoding="utf-8")
    missing = sorted(key for key in set().union(*(_keys(w, set()) for w in written)) if f'"{key}"' not in doc)
    assert not missing, missing


def test_exit_codes_doc_covers_every_command():
    doc = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    for command in ("explain", "check", "fix", "scan", "run", "emulate", "demo"):
        assert f"| `{command}" in doc, command
