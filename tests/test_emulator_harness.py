"""The public test API: the pytest plugin's fixture (no import needed), the context manager, typos, ready clients."""

import subprocess
import sys
import textwrap

import pytest

from gemini_doctor.emulator.harness import UnknownScenario, running_emulator


def test_context_manager_without_pytest_serves_and_stops(tmp_path):
    script = ("from gemini_doctor.emulator.harness import running_emulator\n"
              "with running_emulator('healthy') as emu:\n"
              "    client = emu.genai_client()\n"
              "    print(client.models.generate_content(model=emu.model, contents='hi').text)\n"
              "    folder = emu.credentials['env'].parent\n"
              "print(folder.exists())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Hello from the gemini-doctor emulator.", "False"]


def test_a_typo_names_the_closest_scenario_and_lists_them_all():
    with pytest.raises(UnknownScenario) as raised, running_emulator("sevice_disabled"):
        pass
    message = str(raised.value)
    assert "Did you mean 'service_disabled'?" in message and "billing_disabled" in message and "healthy" in message


def test_fixture_comes_from_the_plugin_and_gives_ready_clients(tmp_path):
    """A user's project: a test file and no conftest.py; the fixture comes from the installed plugin."""
    (tmp_path / "test_app.py").write_text(textwrap.dedent("""
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
    """))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-3000:]
