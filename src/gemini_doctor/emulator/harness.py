"""The emulator for an app's tests, with or without pytest: start a world, get ready settings and clients.

    from gemini_doctor.emulator.harness import running_emulator

    with running_emulator("service_disabled") as emu:  # a scenario name, a world mapping or a YAML/JSON path
        client = emu.genai_client()                    # google-genai, set up as the scenario's app would be
        ...
        emu.environ                                    # what `source env.sh` sets, as a dict

Under pytest, the ``gemini_emulator`` fixture (:mod:`.testing`, a pytest plugin) does the same per test.
"""

from __future__ import annotations

import contextlib
import difflib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .backends import load_world
from .credentials import read_env_script
from .scenarios import MODEL, scenario_names, scenario_world
from .server import BackgroundServer

WORLD_SUFFIXES = (".yaml", ".yml", ".json")


class UnknownScenario(ValueError):
    """A world given by a name that is no built-in scenario (nor a world file)."""


def world_data(world: str | dict | Path) -> dict | Path:
    """A scenario name, a world mapping or a world file, as ``load_world`` takes it; a name that is
    neither a scenario nor a file is refused with the list of scenarios (and the closest one)."""
    if isinstance(world, dict | Path):
        return world
    if world in scenario_names():
        return scenario_world(world)
    if world.endswith(WORLD_SUFFIXES) or "/" in world:
        return Path(world)
    close = difflib.get_close_matches(world, scenario_names(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UnknownScenario(
        f"unknown scenario {world!r}.{hint} Built-in scenarios: {', '.join(scenario_names())}; "
        "or give a world mapping or a .yaml/.json world file."
    )


@dataclass
class RunningEmulator:
    url: str
    server: BackgroundServer
    client: dict = field(default_factory=dict)  # the scenario's client section (what the app uses)
    credentials: dict[str, Path] = field(default_factory=dict)  # principal -> key/ADC file; "env" -> env.sh

    @property
    def api_key(self) -> str | None:
        return self.client.get("api_key")

    @property
    def model(self) -> str:
        return self.client.get("model", MODEL)

    @property
    def vertex(self) -> bool:
        return self.client.get("surface") == "vertex"

    @property
    def environ(self) -> dict[str, str]:
        """The variables env.sh exports (base URLs, key, credential file, project, location, surface)."""
        return read_env_script(self.credentials["env"])

    def genai_client(self, **options):
        """A google-genai client for the scenario's app: its key on the Gemini API,
        or its credential file on Vertex."""
        from google import genai
        from google.genai import types

        from .clients import google_credentials

        base = types.HttpOptions(base_url=self.url)
        if self.vertex:
            return genai.Client(
                vertexai=True,
                project=self.client.get("project"),
                location=self.client.get("location", "global"),
                credentials=google_credentials(self.client, self.credentials, self.url),
                http_options=base,
                **options,
            )
        return genai.Client(api_key=self.api_key, http_options=base, **options)

    def openai_client(self, **options):
        """An OpenAI SDK client on the scenario's OpenAI-compatible endpoint: the Gemini API's with its key,
        or on Vertex AI the project's and location's, with an access token from its credential file."""
        import openai

        if not self.vertex:
            return openai.OpenAI(api_key=self.api_key, base_url=f"{self.url}/v1beta/openai/", **options)
        from google.auth.transport.requests import Request

        from .clients import google_credentials

        credentials = google_credentials(self.client, self.credentials, self.url)
        credentials.refresh(Request())
        location = self.client.get("location", "global")
        path = f"/v1/projects/{self.client.get('project')}/locations/{location}/endpoints/openapi"
        return openai.OpenAI(api_key=credentials.token, base_url=self.url + path, **options)

    def stats(self) -> dict:
        import httpx

        return httpx.get(f"{self.url}/_emulator/stats").json()


def start(world: str | dict | Path, directory: Path) -> RunningEmulator:
    """Start *world* on a free loopback port, with its credential files and env.sh in *directory*."""
    server = BackgroundServer(load_world(world_data(world))).start()
    try:
        credentials = server.write_credentials(directory)
    except BaseException:
        server.stop()
        raise
    return RunningEmulator(server.url, server, dict(server.world.client), credentials)


@contextlib.contextmanager
def running_emulator(
    world: str | dict | Path = "healthy", directory: Path | None = None
) -> Iterator[RunningEmulator]:
    """The emulator serving *world* for the ``with`` block; credential files go to *directory* (a temporary
    folder, removed afterwards, when not given)."""
    with contextlib.ExitStack() as stack:
        folder = (
            Path(directory)
            if directory
            else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gemini-emulator-")))
        )
        emu = start(world, folder)
        stack.callback(emu.server.stop)
        yield emu
