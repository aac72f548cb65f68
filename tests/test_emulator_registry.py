"""The emulated services register themselves: every module in emulator/services/ is served, owns its paths,
and its world lists load (and fail) like every other world field."""

import pkgutil
import re
import sys
import textwrap

import pytest
from starlette.routing import Match, Route
from starlette.testclient import TestClient

from gemini_doctor.emulator import services as package
from gemini_doctor.emulator.app import create_app
from gemini_doctor.emulator.backends import load_world, services
from gemini_doctor.emulator.oauth import OAuthState
from gemini_doctor.emulator.registry import Context, Counters
from gemini_doctor.emulator.services.logging_api import AuditLog
from gemini_doctor.emulator.world import WorldError


def test_every_module_in_services_is_a_registered_service():
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    declared = {service.backend.__module__.rsplit(".", 1)[-1] for service in services()}
    assert declared == modules
    assert len({service.name for service in services()}) == len(services())


def _sample(route: Route) -> dict:
    """An HTTP scope for a concrete path the route template describes (each parameter filled with 'p1')."""
    path = re.sub(r"\{[^}]+\}", "p1", route.path)
    return {"type": "http", "path": path, "method": sorted(route.methods)[0], "root_path": "", "headers": []}


def test_each_path_reaches_the_service_that_declares_it():
    world = load_world({})
    ctx = Context(world, OAuthState(), Counters(), AuditLog(world))
    app_routes = [r for r in create_app(world).routes if not r.path.startswith("/_emulator/")]
    for service in services():
        for route in ctx.backend(service.backend).routes():
            scope = _sample(route)
            first = next(r for r in app_routes if r.matches(scope)[0] == Match.FULL)
            assert first.path == route.path and first.endpoint.__qualname__ == route.endpoint.__qualname__, (
                f"{scope['method']} {scope['path']} ({service.name}) is answered by "
                f"{first.endpoint.__qualname__}"
            )


@pytest.mark.parametrize(
    "world, needle",
    [
        ({"billing_accounts": [{"open": True}]}, "billing_accounts[0].id: is required"),
        (
            {"billing_accounts": [{"id": "a", "open": "yes"}]},
            "billing_accounts[0].open: must be of type bool",
        ),
        ({"files": ["f"]}, "files[0]: must be of type dict"),
        ({"tuned_models": {"name": "m"}}, "tuned_models: must be of type list"),
    ],
)
def test_a_service_world_list_fails_at_load_naming_the_field(world, needle):
    with pytest.raises(WorldError) as caught:
        load_world(world)
    assert needle in str(caught.value)


def test_a_service_world_list_is_loaded_as_its_records():
    world = load_world({"billing_accounts": [{"id": "01A2B3-C4D5E6-F7A8B9", "open": False}]})
    (account,) = world.section("billing_accounts")
    assert (account.id, account.open, account.admins) == ("01A2B3-C4D5E6-F7A8B9", False, [])
    assert world.section("files") == [] and world.section("tuned_models") == []


NEW_SERVICE = textwrap.dedent('''
    """A made-up service (echo.googleapis.com), as a new service module would be written."""
    from dataclasses import dataclass

    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from ..registry import Context, EmulatedService


    @dataclass
    class Echo:
        word: str


    class EchoBackend:
        def __init__(self, ctx: Context) -> None:
            self.world = ctx.world

        def routes(self) -> list[Route]:
            return [Route("/v1/echoes", self.list_echoes, methods=["GET"])]

        async def list_echoes(self, request):
            return JSONResponse({"echoes": [echo.word for echo in self.world.section("echoes")]})


    EMULATED = EmulatedService("echo.googleapis.com", EchoBackend, world={"echoes": Echo})
''')


def test_adding_a_service_is_adding_one_module(tmp_path, monkeypatch):
    """One new file in services/ (here: beside it, on the package's path) is served, and its world list
    loads."""
    (tmp_path / "echo_for_test.py").write_text(NEW_SERVICE)
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    services.cache_clear()
    try:
        client = TestClient(create_app(load_world({"echoes": [{"word": "hello"}]})))
        assert client.get("/v1/echoes").json() == {"echoes": ["hello"]}
        with pytest.raises(WorldError, match=r"echoes\[0\]\.word: is required"):
            load_world({"echoes": [{}]})
    finally:
        monkeypatch.undo()
        services.cache_clear()
        sys.modules.pop(f"{package.__name__}.echo_for_test", None)
    assert "echo.googleapis.com" not in {service.name for service in services()}
