"""Google's vocabulary: hosts per location, services and titles, roles, members, statuses."""

import ast
import re
from pathlib import Path

import pytest

from gemini_doctor.google import access, services, status
from gemini_doctor.google.services import host, vertex_model_path


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (None, "https://aiplatform.googleapis.com"),
        ("global", "https://aiplatform.googleapis.com"),
        ("us-central1", "https://us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com"),
        ("us", "https://aiplatform.us.rep.googleapis.com"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_agent_platform_hosts_for_global_regional_and_multi_region(location, expected):
    assert host("aiplatform.googleapis.com", location) == expected
    assert host("aiplatform", location) == expected


def test_other_apis_have_one_global_host_whatever_the_location():
    assert host("generativelanguage", "us-central1") == "https://generativelanguage.googleapis.com"
    assert host("cloudresourcemanager.googleapis.com") == "https://cloudresourcemanager.googleapis.com"
    with pytest.raises(KeyError):
        host("nosuchapi")


def test_a_projects_full_resource_name():
    assert services.project_resource(123) == "//cloudresourcemanager.googleapis.com/projects/123"


def test_express_and_project_model_paths():
    assert vertex_model_path("gemini-3-pro") == "/v1beta1/publishers/google/models/gemini-3-pro"
    assert (
        vertex_model_path("gemini-3-pro", "acme", "eu", version="v1")
        == "/v1/projects/acme/locations/eu/publishers/google/models/gemini-3-pro"
    )
    assert (
        vertex_model_path("m", "acme") == "/v1beta1/projects/acme/locations/global/publishers/google/models/m"
    )


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Agent Platform API", "aiplatform.googleapis.com"),
        ("Gemini Enterprise Agent Platform API", "aiplatform.googleapis.com"),
        ("Vertex AI API", "aiplatform.googleapis.com"),
        ("Generative Language API", "generativelanguage.googleapis.com"),
        ("Gemini API", "generativelanguage.googleapis.com"),
        ("Cloud Code Private API", "cloudcode-pa.googleapis.com"),
    ],
)
def test_titles_name_their_service(title, name):
    assert services.service_by_title(title).name == name


def test_surfaces_and_their_services():
    assert services.service_of("gemini-api") == "generativelanguage.googleapis.com"
    assert services.service_of("vertex") == "aiplatform.googleapis.com"
    assert services.SERVICES["cloudcode-pa.googleapis.com"].surface == "code-assist"
    assert {s.surface for s in services.SERVICES.values() if s.short.startswith("firebase")} == {"firebase"}
    assert all(services.SERVICES[s.service].surface == s.id for s in services.SURFACES.values())


def test_roles_members_and_statuses():
    assert access.role_for("aiplatform.endpoints.predict") == "roles/aiplatform.user"
    assert access.role_for(None) is None and access.role_for("made.up.permission") is None
    assert access.carries("roles/owner", "anything.at.all") and not access.carries(
        "roles/browser", access.PREDICT
    )
    assert access.member_of("app@p.iam.gserviceaccount.com") == "serviceAccount:app@p.iam.gserviceaccount.com"
    assert access.member_of("dev@example.com") == "user:dev@example.com"
    assert status.status_for(403) == "PERMISSION_DENIED" and status.status_for(418) == "UNKNOWN"
    assert all(status.STATUS_TO_HTTP[name] == code for code, name in status.HTTP_TO_STATUS.items())


def test_permissions_in_both_iam_forms_and_the_roles_that_carry_them():
    assert access.fqdn("aiplatform.endpoints.predict") == "aiplatform.googleapis.com/endpoints.predict"
    assert access.fqdn("resourcemanager.projects.get") == "cloudresourcemanager.googleapis.com/projects.get"
    for permission in (access.PREDICT, access.GET_PROJECT, access.GET_ACCESS_TOKEN, access.GET_IAM_POLICY):
        assert access.v1_permission(access.fqdn(permission)) == access.v1_permission(permission) == permission
    granting = access.roles_with(access.SET_PROJECT_POLICY)
    assert granting == ("roles/owner", "roles/resourcemanager.projectIamAdmin")
    assert access.is_service_account("app@p.iam.gserviceaccount.com")
    assert not access.is_service_account("dev@example.com")


def test_a_broken_link_fails_at_import(monkeypatch):
    monkeypatch.setattr(access, "NARROWEST_ROLE", {access.PREDICT: "roles/browser"})
    with pytest.raises(ValueError, match="do not carry"):
        access._validate()
    monkeypatch.setattr(
        services, "_SURFACES", (*services._SURFACES, services.Surface("x", "X", "nope.googleapis.com"))
    )
    with pytest.raises(ValueError, match=r"unknown service 'nope\.googleapis\.com'"):
        services._validated()


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("global", "https://aiplatform.googleapis.com/v1/x"),
        ("us-east5", "https://us-east5-aiplatform.googleapis.com/v1/x"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com/v1/x"),
        ("us", "https://aiplatform.us.rep.googleapis.com/v1/x"),
    ],
)
def test_check_builds_the_host_for_each_location(location, expected):
    from gemini_doctor.probes.transport import GoogleHttp

    http = GoogleHttp(None, 1.0)
    assert http.url("aiplatform", "/v1/x", location) == expected
    assert (
        GoogleHttp("http://127.0.0.1:9/", 1.0).url("aiplatform", "/v1/x", location)
        == "http://127.0.0.1:9/v1/x"
    )


def _is_surface(node: ast.AST) -> bool:
    """``x.surface``, ``x.surfaces`` or ``x.get("surface")``."""
    if isinstance(node, ast.Attribute):
        return node.attr in ("surface", "surfaces")
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == "surface"
    )


def test_every_surface_the_code_compares_with_is_declared():
    """A surface ID is a plain string in the code (``setup.surface == "vertex"``): each one a surface is
    compared with must be one google.services declares, so a misspelling fails here instead of never
    matching. (An emulated incident's surface may also be "both".)"""
    root = Path(services.__file__).parents[1]
    compared = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(map(_is_surface, [node.left, *node.comparators])):
                for side in [node.left, *node.comparators]:
                    values = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                    for value in values:
                        if isinstance(value, ast.Constant) and isinstance(value.value, str):
                            compared.setdefault(value.value, f"{path.relative_to(root)}:{node.lineno}")
    assert {"vertex", "gemini-api"} <= compared.keys()
    unknown = {value: where for value, where in compared.items() if value not in services.SURFACES}
    assert unknown.keys() <= {"both"}, unknown


def test_every_permission_the_emulator_requires_is_in_the_role_table():
    """The emulator decides who may call what with google.access's roles: a permission it names that no
    role carries would be Owner-only by a typo."""
    known = set().union(*access.ROLES.values())
    permission = re.compile(
        r'"((?:resourcemanager|serviceusage|apikeys|iam|logging|orgpolicy|aiplatform)(?:\.\w+){2})"'
    )
    emulator = Path(services.__file__).parents[1] / "emulator"
    named = {m[1] for path in emulator.rglob("*.py") for m in permission.finditer(path.read_text("utf-8"))}
    assert len(named) >= 10 and named <= known, sorted(named - known)
