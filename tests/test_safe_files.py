"""Nothing the user has is lost: atomic edits, no symlink followed, confined names, clear failures."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.credentials import write_credentials
from gemini_doctor.emulator.oauth import OAuthState
from gemini_doctor.emulator.scenarios import scenario_world
from gemini_doctor.remedies import _chmod, _set_quota_project
from gemini_doctor.safefiles import FileRefused, backup_of, safe_name, write_atomic

ADC = {
    "type": "authorized_user",
    "client_id": "c.apps.googleusercontent.com",
    "client_secret": "s",
    "refresh_token": "1//0gOld",
}


def _adc(tmp_path: Path) -> Path:
    adc = tmp_path / "application_default_credentials.json"
    adc.write_text(json.dumps(ADC, indent=2))
    adc.chmod(0o600)
    return adc


def _apply(remedy) -> str:
    return asyncio.run(remedy.apply(None, None))


def test_the_adc_edit_is_atomic_keeps_the_mode_and_a_backup(tmp_path):
    adc = _adc(tmp_path)
    done = _apply(_set_quota_project(adc, "acme-prod"))
    assert json.loads(adc.read_text()) == {**ADC, "quota_project_id": "acme-prod"}
    assert stat.S_IMODE(adc.stat().st_mode) == 0o600
    backup = next(tmp_path.glob("*.bak-*"))
    assert json.loads(backup.read_text()) == ADC and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert str(backup) in done
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([adc.name, backup.name])  # no temporary left


def test_full_disk_during_the_adc_edit_leaves_the_file_whole_and_says_where_the_backup_is(tmp_path):
    adc = _adc(tmp_path)
    limit = adc.stat().st_size + 8  # room for the backup, not for the longer new content
    child = textwrap.dedent(f"""
        import asyncio, resource, sys
        from pathlib import Path
        from gemini_doctor.remedies import _set_quota_project
        from gemini_doctor.safefiles import FileRefused
        remedy = _set_quota_project(Path({str(adc)!r}), "acme-prod")
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        try:
            asyncio.run(remedy.apply(None, None))
        except FileRefused as exc:
            print(exc)
            sys.exit(1)
    """)
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert json.loads(adc.read_text()) == ADC  # whole, and as it was
    backup = next(tmp_path.glob("*.bak-*"))
    assert f"cannot write {adc}" in done.stdout and f"its backup is {backup}" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([adc.name, backup.name])


def test_a_concurrent_writer_between_plan_and_apply_wins(tmp_path):
    adc = _adc(tmp_path)
    remedy = _set_quota_project(adc, "acme-prod")
    theirs = json.dumps({**ADC, "refresh_token": "1//0gNewerFromGcloud"})
    adc.write_text(theirs)
    with pytest.raises(FileRefused, match="changed since the plan"):
        _apply(remedy)
    assert adc.read_text() == theirs and not list(tmp_path.glob("*.bak-*"))


# as root, permissions are enforced only without the capabilities that override them
AS_A_USER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]
    if os.geteuid() == 0
    else []
)


@pytest.mark.skipif(
    AS_A_USER != [] and shutil.which("setpriv") is None, reason="root, and no setpriv to drop its override"
)
@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_read_only_file_or_folder_gives_a_clear_refusal(tmp_path, read_only):
    folder = tmp_path
    try:
        adc = _adc(folder)
        (adc if read_only == "file" else folder).chmod(0o400 if read_only == "file" else 0o555)
        child = textwrap.dedent(f"""
            import asyncio, sys
            from pathlib import Path
            from gemini_doctor.remedies import _set_quota_project
            from gemini_doctor.safefiles import FileRefused
            try:
                asyncio.run(_set_quota_project(Path({str(adc)!r}), "acme-prod").apply(None, None))
            except FileRefused as exc:
                print(exc)
                sys.exit(1)
        """)
        done = subprocess.run(
            [*AS_A_USER, sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert ("read-only" if read_only == "file" else "Permission denied") in done.stdout
        assert "nothing was changed" in done.stdout
        assert json.loads(adc.read_text()) == ADC
    finally:
        folder.chmod(0o700)


def test_no_write_or_chmod_through_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's data")
    victim.chmod(0o644)
    link = tmp_path / "application_default_credentials.json"
    link.symlink_to(victim)
    with pytest.raises(FileRefused, match="symbolic link"):
        write_atomic(link, b"{}")
    remedy = _chmod(link)
    with pytest.raises(FileRefused, match="symbolic link"):
        _apply(remedy)
    assert victim.read_text() == "the user's data" and stat.S_IMODE(victim.stat().st_mode) == 0o644


def test_backups_never_collide_nor_follow_a_planted_link(tmp_path):
    adc = _adc(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    planted = adc.with_name(adc.name + ".bak-" + __import__("time").strftime("%Y%m%dT%H%M%S"))
    planted.symlink_to(victim)
    first, second = backup_of(adc, b"one"), backup_of(adc, b"two")
    assert (
        len({str(planted), first, second}) == 3
        and Path(first).read_bytes() == b"one"
        and Path(second).read_bytes() == b"two"
    )
    assert victim.read_text() == "keep me"


def test_emulator_credentials_stay_in_their_folder_and_never_write_through_a_link(tmp_path):
    world = scenario_world("healthy")
    world["service_accounts"].append({"email": "x/../../escaped@evil", "project": world["projects"][0]["id"]})
    world["users"].append({"email": "../../../up@evil"})
    folder = tmp_path / "deep" / "creds"
    written = write_credentials(load_world(world), OAuthState(), folder, "http://127.0.0.1:1")
    assert all(path.parent == folder.resolve() for path in written.values())
    assert not list(tmp_path.glob("deep/*.json")) and not list(tmp_path.glob("*.json"))
    assert len(set(written.values())) == len(written)

    victim = tmp_path / "profile"
    victim.write_text("export PATH=/usr/bin\n")
    (folder / "env.sh").unlink()
    (folder / "env.sh").symlink_to(victim)
    with pytest.raises(FileRefused, match="symbolic link"):
        write_credentials(load_world(world), OAuthState(), folder, "http://127.0.0.1:1")
    assert victim.read_text() == "export PATH=/usr/bin\n"


def test_emulate_write_credentials_onto_a_symlink_is_a_clean_refusal(tmp_path):
    from conftest import run_cli

    victim = tmp_path / "profile"
    victim.write_text("data")
    (tmp_path / "env.sh").symlink_to(victim)
    done = run_cli("emulate", "--scenario", "healthy", "--write-credentials", str(tmp_path), timeout=60)
    assert done.returncode == 2 and b"symbolic link" in done.stderr and b"Traceback" not in done.stderr
    assert victim.read_text() == "data"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("x/../../escaped", "x_.._.._escaped"),
        ("..", "_"),
        ("", "_"),
        ("a b\x00c", "a_b_c"),
        (".hidden", "hidden"),
    ],
)
def test_safe_names(raw, name):
    assert safe_name(raw) == name


def test_what_was_applied_before_a_refusal_is_reported(tmp_path):
    from gemini_doctor.remedies import Remedy, apply_all

    async def granted(http, token):
        return "granted roles/aiplatform.user"

    async def refused(http, token):
        raise FileRefused("cannot write x; x is unchanged")

    done: list[str] = []
    with pytest.raises(FileRefused):
        asyncio.run(apply_all([Remedy("a", [], 1, granted), Remedy("b", [], 0, refused)], None, None, done))
    assert done == ["granted roles/aiplatform.user"]


def test_the_start_up_cache_is_written_the_same_safe_way(tmp_path):
    from gemini_doctor.datacache import read_cached, write_cached

    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "cache.json").symlink_to(victim)
    write_cached(str(tmp_path / "cache.json"), {"a": 1})  # best effort: refused quietly
    assert victim.read_text() == "keep me"
    write_cached(str(tmp_path / "fresh.json"), {"a": 1})
    assert read_cached(str(tmp_path / "fresh.json")) == {"a": 1} and len(list(tmp_path.iterdir())) == 3
