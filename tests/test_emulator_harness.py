"""The public test API: the pytest plugin's fixture (no import needed), the context manager, typos, ready
clients."""

import socket
import textwrap

import pytest

from gemini_doctor.emulator.harness import UnknownScenario, running_emulator


def test_context_manager_serves_and_stops():
    with running_emulator("healthy") as emu:
        client = emu.genai_client()
        assert (
            client.models.generate_content(model=emu.model, contents="hi").text
            == "Hello from the gemini-doctor emulator."
        )
        folder, port = emu.credentials["env"].parent, emu.server.port
    assert not folder.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_a_typo_names_the_closest_scenario_and_lists_them_all():
    with pytest.raises(UnknownScenario) as raised, running_emulator("sevice_disabled"):
        pass
    message = str(raised.value)
    assert (
        "Did you mean 'service_disabled'?" in message
        and "billing_disabled" in message
        and "healthy" in message
    )


def test_fixture_comes_from_the_plugin_and_gives_ready_clients(pytester):
    """A user's project: a test file and no conftest.py; the fixture comes from the installed plugin."""
    pytester.makepyfile(
        test_app=textwrap.dedent("""
        def test_app(gemini_emulator):
            emu = gemini_emulator("iam_permission_missing")
            assert emu.environ["GOOGLE_GENAI_USE_VERTEXAI"] == "true"
            from google.genai import errors
            client = emu.genai_client()
            try:
                client.models.generate_content(model=emu.model, contents="hi")
            except errors.ClientError as exc:
                assert exc.code == 403
            else:
                raise AssertionError("no error")
            healthy = gemini_emulator("healthy")
            assert healthy.openai_client().chat.completions.create(
                model=healthy.model, messages=[{"role": "user", "content": "hi"}]).choices[0].message.content
    """)
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "test_app.py"
    )  # plugins load as installed
    result.assert_outcomes(passed=1)
