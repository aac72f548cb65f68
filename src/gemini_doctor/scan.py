"""Find every Gemini/Google API error in a log, streaming, and group them by cause.

Speed comes from looking only where a Google error can be: each chunk is searched for a few
literal triggers (C-speed ``bytes.find``); each hit is widened to its whole record (a JSON log
line, a pretty-printed body, a traceback's last line) and that record alone goes to ``explain``.
Memory stays flat: chunks are read and dropped, only the groups are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .api import explain
from .redact import redact

CHUNK = 4 << 20
MAX_RECORD = 64 << 10                 # longest record handed to explain
MAX_CONTINUATION = 300                # lines a record may run on after its hit
TRIGGERS = (b"googleapis.com", b"PERMISSION_DENIED", b"RESOURCE_EXHAUSTED", b"UNAUTHENTICATED", b"FAILED_PRECONDITION",
            b"INVALID_ARGUMENT", b"API key", b"API Key", b"GoogleGenerativeAI", b"google.genai", b"google.api_core",
            b"invalid_grant", b"(Forbidden)!!1", b"Publisher Model", b"caller does not have permission",
            b"exceeded your current quota", b"Quota exceeded", b"User location is not supported", b"UNAVAILABLE",
            b"overloaded")
# A model-wide outage or gating shows as one model failing from one moment on; other causes do not.
INCIDENT_CAUSES = frozenset({"google_incident", "model_access_restricted"})
_CONTINUATION_START = frozenset(b" \t}]\",")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_JSON_TIME = re.compile(r'"(?:timestamp|time|ts|@timestamp)"\s*:\s*"([^"]{8,40})"')
INCIDENT_MIN = 3


@dataclass
class Group:
    cause: str
    title: str
    count: int = 0
    first_seen: str = ""
    last_seen: str = ""
    first_line: int = 0
    last_line: int = 0
    models: Counter = field(default_factory=Counter)
    example: str = ""
    fix: str = ""

    def to_dict(self, lines_total: int) -> dict:
        out = {"cause": self.cause, "title": self.title, "count": self.count, "first_seen": self.first_seen,
               "last_seen": self.last_seen, "first_line": self.first_line, "last_line": self.last_line,
               "models": dict(self.models), "example": self.example, "fix": self.fix}
        if self.incident:
            model = next(iter(self.models))
            out["incident"] = f"began at {self.first_seen} for {model} only (line {self.first_line} of {lines_total})"
        return out

    @property
    def incident(self) -> bool:
        """The incident signature: one model, several errors, starting after the log had already begun."""
        return (self.cause in INCIDENT_CAUSES and len(self.models) == 1 and "unknown" not in self.models
                and self.count >= INCIDENT_MIN and self.first_line > 1)


class Scanner:
    """Feed bytes (in any chunking); ``groups`` holds what was found so far."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.errors = 0
        self.bytes = 0
        self.lines = 0                     # lines fully processed
        self._pending = b""

    def feed(self, data: bytes) -> None:
        self.bytes += len(data)
        buffer = self._pending + data
        cut = _last_record_start(buffer)
        if cut == 0 and len(buffer) < MAX_RECORD * 4:
            self._pending = buffer          # one unfinished record: wait for the rest
            return
        cut = cut or len(buffer)
        self._process(buffer[:cut])
        self._pending = buffer[cut:]

    def finish(self) -> None:
        if self._pending:
            self._process(self._pending)
            self._pending = b""

    def to_dict(self) -> dict:
        groups = sorted(self.groups.values(), key=lambda g: (-g.count, g.cause))
        return {"bytes": self.bytes, "lines": self.lines, "errors": self.errors, "groups": [g.to_dict(self.lines) for g in groups]}

    def _process(self, block: bytes) -> None:
        hits = sorted({block.rfind(b"\n", 0, pos) + 1 for pos in _trigger_positions(block)})
        done_until, line_base, counted_to = -1, self.lines, 0
        for start in hits:
            if start < done_until:
                continue
            record_start, record_end = _record_bounds(block, start)
            line_base += block.count(b"\n", counted_to, record_start)
            counted_to = record_start
            self._record(block[record_start:record_end][:MAX_RECORD], line_base + 1)
            done_until = record_end
        self.lines += block.count(b"\n") + (0 if block.endswith(b"\n") or not block else 1)

    def _record(self, raw: bytes, line: int) -> None:
        text = raw.decode("utf-8", errors="replace")
        diagnosis = explain(text)
        if not diagnosis.found or not _googleish(diagnosis.record, text):
            return
        top = diagnosis.top.cause
        group = self.groups.setdefault(top.id, Group(top.id, top.title))
        seen = _timestamp(text) or f"line {line}"
        group.count += 1
        self.errors += 1
        group.first_seen, group.first_line = (group.first_seen or seen), (group.first_line or line)
        group.last_seen, group.last_line = seen, line
        group.models[diagnosis.record.model or "unknown"] += 1
        if not group.example:
            group.example = redact((diagnosis.record.message or text.strip().splitlines()[0])[:200])
            step = next(iter(diagnosis.to_dict()["causes"][0]["fix"]), {})
            group.fix = redact(step.get("command") or step.get("step", ""))


def scan_stream(stream, scanner: Scanner | None = None) -> Scanner:
    """Scan a binary stream to its end, in chunks."""
    scanner = scanner or Scanner()
    while chunk := stream.read(CHUNK):
        scanner.feed(chunk)
    scanner.finish()
    return scanner


def _trigger_positions(block: bytes):
    for trigger in TRIGGERS:
        pos = block.find(trigger)
        while pos != -1:
            yield pos
            pos = block.find(trigger, pos + 1)


def _is_continuation(block: bytes, line_start: int) -> bool:
    return line_start < len(block) and block[line_start] in _CONTINUATION_START


def _record_bounds(block: bytes, hit_line: int) -> tuple[int, int]:
    """The record containing the hit: back to its first line, on through its continuation lines."""
    start = hit_line
    for _ in range(60):
        if start == 0 or not _is_continuation(block, start):
            break
        start = block.rfind(b"\n", 0, start - 1) + 1
    end = block.find(b"\n", hit_line)
    for _ in range(MAX_CONTINUATION):
        if end == -1 or not _is_continuation(block, end + 1):
            break
        end = block.find(b"\n", end + 1)
    return start, len(block) if end == -1 else end + 1


def _last_record_start(buffer: bytes) -> int:
    """Offset of the last line that starts a record (so that every record before it is complete)."""
    pos = buffer.rfind(b"\n", 0, len(buffer) - 1)
    for _ in range(MAX_CONTINUATION):
        if pos == -1:
            return 0
        if not _is_continuation(buffer, pos + 1) and pos + 1 < len(buffer):
            return pos + 1
        pos = buffer.rfind(b"\n", 0, pos)
    return pos + 1


def _googleish(record, text: str) -> bool:
    """A generic word ("UNAVAILABLE") triggered this record: keep it only if Google is really in it."""
    if record.bodies or record.reasons or record.service or record.surface:
        return True
    lowered = text.lower()
    return "google" in lowered or "gemini" in lowered


def _timestamp(text: str) -> str | None:
    head = text[:300]
    m = _JSON_TIME.search(head) or _TIMESTAMP.search(head)
    return (m.group(1) if m.re is _JSON_TIME else m.group(0)) if m else None
