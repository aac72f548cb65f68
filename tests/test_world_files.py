"""Hostile world files: a clear message with the file and line, bounded time and memory, never a traceback."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import pytest

from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.world import WorldError

# nine levels of nine aliases: 9**9 (387 million) strings from a few hundred bytes
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [" + ",".join([f"*{chr(97 + n)}"] * 9) + "]\n" for n in range(8)
)


def _load(tmp_path, content: bytes | str) -> str:
    world = tmp_path / "world.yaml"
    world.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(WorldError) as caught:
        load_world(world)
    assert str(world) in str(caught.value)
    return str(caught.value)


def test_the_bomb_is_small():
    assert len(BOMB) < 400


def test_an_alias_bomb_is_refused_quickly(tmp_path):
    start = time.perf_counter()
    message = _load(tmp_path, BOMB)
    assert "expands to more than" in message and "aliases" in message
    assert time.perf_counter() - start < 5  # a guard against hanging, not a timing


def test_the_cli_refuses_a_bomb_with_bounded_memory(tmp_path):
    world = tmp_path / "bomb.yaml"
    world.write_text(BOMB)
    limit = 1 << 30

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "gemini_doctor", "emulate", "--world", str(world)],
        capture_output=True,
        timeout=60,
        preexec_fn=cap_memory,
        check=False,
    )
    assert done.returncode == 2 and b"Traceback" not in done.stderr and b"MemoryError" not in done.stderr
    assert b"bomb.yaml: line" in done.stderr and b"expands to more than" in done.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "projects: !!python/object/apply:os.system ['touch /tmp/owned']\n",
            "line 1: the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed",
        ),
        ("caller: !custom {ip: 1.2.3.4}\n", "line 1: the tag !custom is not allowed"),
        ("latency_ms: !!binary aGVsbG8=\n", "is not allowed"),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        ("a: " + "[" * 60 + "]" * 60 + "\n", "line 1: nested too deeply"),
        (b"projects:\n  - id: caf\xe9\n", "line 2: not UTF-8"),
        ("projects: [\n", "not valid YAML"),
        ("? [a, b]\n: c\n", "a key must be a plain word"),
        ("a: 1\n---\nb: 2\n", "not valid YAML"),
    ],
)
def test_unsafe_or_malformed_yaml_is_refused_with_its_line(tmp_path, content, expected):
    assert expected in _load(tmp_path, content)


@pytest.mark.parametrize(
    ("world", "expected"),
    [
        ({"latency_ms": 10**9}, "latency_ms: must be between 0 and 60000"),
        ({"latency_ms": -1}, "latency_ms: must be between 0 and 60000"),
        ({"projects": [{"id": "p", "number": 0}]}, "projects[0].number: must be between"),
        (
            {"incidents": [{"model": "m", "http_status": 99999}]},
            "incidents[0].http_status: must be between 400 and 599",
        ),
        ({"faults": [{"kind": "http_503", "rate": "often"}]}, "faults[0].rate: must be of type int/float"),
        ({"faults": [{"kind": "http_503", "rate": float("nan")}]}, "faults[0].rate: must be between 0 and 1"),
        ({"projects": [{"id": "p" * 70_000, "number": 1}]}, "projects[0].id: is longer than"),
    ],
)
def test_fields_are_bounded(world, expected):
    with pytest.raises(WorldError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        load_world(world)


def test_a_bound_violation_in_a_file_names_the_line(tmp_path):
    assert "latency_ms: must be between 0 and 60000 (line 3)" in _load(
        tmp_path, "projects: []\n\nlatency_ms: 100000000\n"
    )


def test_anchors_and_merge_keys_within_the_bounds_still_work(tmp_path):
    world = tmp_path / "world.yaml"
    world.write_text("base: &p {id: acme, number: 12}\nprojects:\n  - <<: *p\n    billing: disabled\n")
    assert load_world(world).projects[0].billing == "disabled"


def test_nesting_is_bounded_at_its_limit_whether_written_out_or_through_aliases():
    from gemini_doctor.emulator.world_yaml import MAX_DEPTH, parse_world_text

    value = parse_world_text("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", "w.yaml")[0]["a"]
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []
    with pytest.raises(WorldError, match=r"^w\.yaml: line 2: nested too deeply"):
        parse_world_text("a: 1\nb: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "w.yaml")
    block = "".join(f"{' ' * n}k{n}:\n" for n in range(MAX_DEPTH)) + f"{' ' * MAX_DEPTH}k{MAX_DEPTH}: 1\n"
    with pytest.raises(WorldError, match=rf"^w\.yaml: line {MAX_DEPTH + 1}: nested too deeply"):
        parse_world_text(block, "w.yaml")
    half = MAX_DEPTH // 2 + 1  # each level written out once, then reached again through an alias
    aliased = f"a: &x {'[' * half}{']' * half}\nb: {'[' * half}*x{']' * half}\n"
    with pytest.raises(WorldError, match=r"^w\.yaml: line \d+: nested too deeply"):
        parse_world_text(aliased, "w.yaml")
