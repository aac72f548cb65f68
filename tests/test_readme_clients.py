"""The README's client settings, run as written: the OpenAI SDK line, and `fix --apply` with the built-in
owner."""

import re
import shlex
import sys

from conftest import REPO
from emulator_clients import in_shell, on_vertex

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### Each client's settings") :]
SECTION = SECTION[: SECTION.index("\n## ")]


def test_openai_settings_as_written(gemini_emulator, tmp_path):
    row = next(line for line in SECTION.splitlines() if line.startswith("| OpenAI SDK"))
    settings = re.search(r"`(OpenAI\(.*?\))`", row).group(1)
    emu = gemini_emulator("healthy")
    app = (
        f"import os\nfrom openai import OpenAI\nclient = {settings}\n"
        f"print(client.chat.completions.create(model={emu.model!r}, messages=[{{'role': 'user', 'content': "
        f"'hi'}}]).choices[0].message.content)"
    )
    done = in_shell(emu, tmp_path, f"source ./emu/env.sh && {sys.executable} -c {shlex.quote(app)}")
    assert done.returncode == 0 and done.stdout.strip() == "Hello from the gemini-doctor emulator.", (
        done.stderr[-2000:]
    )


def test_fix_apply_with_the_built_in_owner_as_written(gemini_emulator, tmp_path):
    block = SECTION[SECTION.index("```console") :]
    commands = [
        line.removeprefix("$ ")
        for line in block[: block.index("```\n", 3)].splitlines()
        if line.startswith("$ ")
    ]
    assert commands[0].startswith(
        "gemini-doctor emulate --scenario service_disabled --write-credentials ./emu"
    )
    emu = gemini_emulator("service_disabled")  # the fixture plays the first command
    done = in_shell(emu, tmp_path, " && ".join(commands[1:]))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Fixed" in done.stdout and emu.stats()["mutations"] == 1


def test_openai_on_vertex_settings_as_written(gemini_emulator, tmp_path):
    row = next(line for line in SECTION.splitlines() if line.startswith("| OpenAI SDK on Vertex AI"))
    settings = "\n".join(re.findall(r"`([^`]+)`", row.split(" | ")[1]))
    emu = gemini_emulator(on_vertex("healthy"))
    app = (
        "import os\nimport google.auth, google.auth.transport.requests\nfrom openai import OpenAI\n"
        f"{settings}\n"
        f"print(client.chat.completions.create(model='google/{emu.model}', messages=[{{'role': 'user', "
        f"'content': 'hi'}}]).choices[0].message.content)"
    )
    done = in_shell(emu, tmp_path, f"source ./emu/env.sh && {sys.executable} -c {shlex.quote(app)}")
    assert done.returncode == 0 and done.stdout.strip() == "Hello from the gemini-doctor emulator.", (
        done.stderr[-2000:]
    )
