"""House rules: ruff lints clean and the tree is formatted (as CI runs them); every `# noqa` says why, on its
line."""

import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)", re.I)
REASONED = re.compile(r":\s*[A-Z]+\d+(\s*,\s*[A-Z]+\d+)*\s+-\s+\S")


def test_every_noqa_names_its_rules_and_gives_a_reason():
    bare = []
    for folder in ("src", "tests", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            with path.open("rb") as handle:
                for token in tokenize.tokenize(handle.readline):
                    found = token.type == tokenize.COMMENT and NOQA.match(token.string)
                    if found and not REASONED.match(found.group("rest")):
                        bare.append(f"{path.relative_to(REPO)}:{token.start[0]}: {token.string}")
    assert not bare, "write `# noqa: CODE - why` on these lines:\n" + "\n".join(bare)


def _ruff() -> str:
    beside = Path(sys.executable).with_name("ruff")
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return ruff


@pytest.mark.parametrize(
    "args",
    [["check", "--output-format", "concise"], ["format", "--check", "src", "tests", "benchmarks"]],
    ids=["lint", "format"],
)
def test_ruff_is_clean(args):
    """The lint and format CI runs (rules in pyproject.toml); `ruff check --fix` and `ruff format` fix
    most."""
    done = subprocess.run([_ruff(), *args], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
