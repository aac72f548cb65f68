"""DiskMemo: answers kept between runs, keyed by the package version and the code that computes them."""

from gemini_doctor import __version__
from gemini_doctor.datacache import DiskMemo, code_cache_file
from gemini_doctor.matching.literals import _required_literals, required_literals


def _memo(code, calls):
    def shout(text: str) -> list[str]:
        calls.append(text)
        return [text.upper()]

    return DiskMemo("test", shout, [str(code)], revive=tuple)


def test_answers_are_read_back_and_a_code_edit_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code = tmp_path / "code.py"
    code.write_text("version one")
    calls: list[str] = []
    first = _memo(code, calls)
    assert first("a") == ["A"] and first("a") == ["A"] and calls == ["a"]  # worked out once
    first._save()  # (what the process does at exit)
    path = code_cache_file("test", [str(code)])
    assert path.endswith(".json") and f"-{__version__}-" in path

    again = _memo(code, calls)
    assert again("a") == ("A",) and calls == ["a"]  # read back (revived), not worked out
    code.write_text("version two")
    assert _memo(code, calls)("a") == ["A"] and calls == ["a", "a"]


def test_a_damaged_or_missing_file_means_working_it_out(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code = tmp_path / "code.py"
    code.write_text("x")
    path = code_cache_file("test", [str(code)])
    (tmp_path / "cache" / "gemini-doctor").mkdir(parents=True)
    for content in ("not json", '["a list"]', '{"a": 5}'):
        with open(path, "w") as handle:
            handle.write(content)
        calls: list[str] = []
        assert _memo(code, calls)("a") == ["A"] and calls == ["a"]
    assert _memo(tmp_path / "missing.py", [])("b") == ["B"]


def test_required_literals_answer_as_the_reader_does():
    for pattern in (r"quota (exceeded|limit)", r"API key not valid", r"\d+", r"(?=x)"):
        assert required_literals(pattern) == _required_literals(pattern)
