"""Find every Gemini/Google API error in a log, streaming, and group them by cause.

Speed comes from looking only where a Google error can be. One Aho-Corasick pass over each
chunk finds every *anchor*: a Google name (``googleapis.com``, ``Gemini``...) or a mark of
Google's errors (a canonical status such as ``PERMISSION_DENIED``, the ``{"error": {`` envelope,
raw or escaped inside a JSON log line, an OAuth error, or Google's own wording such as ``reported
as leaked``, which a logger may print without any name). Each hit is widened to its whole record
(a JSON log line, a pretty-printed body, a traceback's last line). A record that only names
Google and shows no sign of an error (a ``200 OK`` request log) is dismissed by a second, cheap
literal scan (one pass over all such records of a chunk); every other record goes to
``explain``. Every step is linear in
the input, whatever its lines look like; memory stays flat: chunks are read and dropped, only
the groups are kept.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from ahocorasick_rs import BytesAhoCorasick, Implementation, MatchKind

from .api import explain
from .evidence.audit_entry import audit_denial
from .evidence.loose import surface_words
from .google.access import member_of
from .redact import clip, redact

CHUNK = 4 << 20
MAX_RECORD = 64 << 10  # longest record handed to explain
MAX_PENDING = 1 << 20  # longest unfinished record held back for the next chunk
MAX_CONTINUATION = 300  # lines a record may run on after its hit
SEEN_MAX = 4096  # distinct records whose diagnosis is kept
MAX_LEAD = 60  # continuation lines a record may have before its hit
# Names that make a record Google's, each also looked for as logs write it (lower, Title and UPPER
# case, two-letter words as acronyms; CamelCase forms are listed).
NAMES = (
    "google",
    "gemini",
    "generativelanguage",
    "GenerativeLanguage",
    "generative language",
    "aiplatform",
    "AIPlatform",
    "vertex",
)
MIN_STRETCH = 5  # letters a name's anchor keeps when its case forms share a stretch (see _name_anchors)
# Anchors too: every word explain ties a text to a Gemini surface by (Antigravity, AI Studio, Cloud
# Code Assist, Agent Platform...), as prose writes it (lower and Title case), so that scan reads every
# record explain would call Google's. (Those in a URL's query, after its Google host, add nothing.)
SURFACE_WORDS = tuple(word for word in surface_words() if word[0].isalpha())
# Marks of Google's errors: canonical statuses (those no other log line writes), the error envelope
# and an ErrorInfo's reason key (raw, in a Python repr or gRPC text, escaped once or twice inside a
# JSON string), OAuth's token errors, and the front end's error page.
STATUSES = (
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "UNAUTHENTICATED",
    "FAILED_PRECONDITION",
    "INVALID_ARGUMENT",
    "NOT_FOUND",
    "UNAVAILABLE",
    "DEADLINE_EXCEEDED",
)
_QUOTES = ('"', "'", '\\"', '\\\\\\"')
ENVELOPES = tuple(f"{quote}error{quote}{colon}{{" for quote in _QUOTES for colon in (": ", ":"))
REASON_KEYS = ('reason: "', *(f"{quote}reason{quote}:" for quote in _QUOTES))
# OAuth errors: invalid_grant, invalid_scope and invalid_rapt share one anchor (the prefilter holds few)
OAUTH_ERRORS = ("invalid_", "unauthorized_client")
ERROR_PAGE = ("(Forbidden)!!1",)
# Google's own wording in the messages of the causes it settles, taken mid-sentence (so that its
# case is Google's): a logger often prints the message alone, without any Google name.
GOOGLE_WORDING = (
    "API key",
    "API Key",
    "neligible",
    "authentication credential",
    "authentication scopes",
    "reported as leaked",
    "location is not supported",
    "unregistered callers",
    "nvalid hostname",
    "erify your account",
    "valid license",
    "App Check",
    "denied access",
    "on resource project",
    "in this account",  # "disabled in this account for violation of Terms of Service"
    "are blocked",
    "billing account",
    "no longer available",
    "exhausted your",
)
# A record explain settles at this confidence or more, by a signal that decides its cause, is
# Google's by its wording alone.
GOOGLE_WORDING_AT = 0.85
# A record that only names Google is explained when it holds one of these (in lower case), or one
# of the catalogue's own words (see _error_words), or an HTTP error status.
ERROR_WORDS = (
    "error",
    "exception",
    "traceback",
    "fail",
    "denied",
    "forbidden",
    "invalid",
    "not valid",
    "not found",
    "exceed",
    "quota",
    "unavailable",
    "overload",
    "refused",
    "expired",
    "disabled",
    "suspended",
    "unauthori",
    "permission",
    "restricted",
    "blocked",
    "not supported",
    "not available",
    "billing",
    "bad request",
    "too many",
)
# ... or an HTTP error status after one of these keys (in lower case)
STATUS_KEYS = ("http/", "status", "code")
_ERROR_STATUS_AFTER_KEY = re.compile(rb"""[\w.]{0,6}["']?\s*(?:[=:]\s*)?["']?[45]\d\d(?![\w.:/-])""")
# A record is Google's when it names Google or has Google's error envelope (maybe cut short).
_GOOGLE_NAMED = re.compile("|".join(sorted({re.escape(n.lower()) for n in (*NAMES, "(forbidden)!!1")})))
_ENVELOPE = re.compile(r"""error\\*["']\s*:\s*\{\s*\\*["']code\\*["']\s*:\s*\d{3}""")
# A model-wide outage or gating shows as one model failing from one moment on; other causes do not.
INCIDENT_CAUSES = frozenset({"google_incident", "model_access_restricted"})
_CONTINUATION_START = frozenset(b' \t}]",')
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_JSON_TIME = re.compile(r'"(?:timestamp|time|ts|@timestamp)"\s*:\s*"([^"]{8,40})"')
INCIDENT_MIN = 3
MAX_DENIALS = 1000  # denied calls listed from audit entries (all are counted)
MAX_EXPORT = 256 << 20  # a JSON array read whole to see whether it is an audit-log export
_AUDIT_ENTRY = b'"protoPayload"'


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
        out = {
            "cause": self.cause,
            "title": self.title,
            "count": self.count,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "first_line": self.first_line,
            "last_line": self.last_line,
            "models": dict(self.models),
            "example": self.example,
            "fix": self.fix,
        }
        if self.incident:
            model = next(iter(self.models))
            out["incident"] = (
                f"began at {self.first_seen} for {model} only (line {self.first_line} of {lines_total})"
            )
        return out

    @property
    def incident(self) -> bool:
        """The incident signature: one model, several errors, starting after the log had already begun."""
        return (
            self.cause in INCIDENT_CAUSES
            and len(self.models) == 1
            and "unknown" not in self.models
            and self.count >= INCIDENT_MIN
            and self.first_line > 1
        )


class Scanner:
    """Feed bytes (in any chunking); ``groups`` holds what was found so far."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.errors = 0
        self.bytes = 0
        self.lines = 0  # lines seen so far (a last line without its end counts once finished)
        self._pending = b""
        self._taken = 0  # bytes at the start of _pending a record already took; -1: up to a line end
        self._open_line = False  # the bytes processed so far end inside a line
        self._seen: dict[
            str, object
        ] = {}  # record text without its time -> diagnosis (None: not Google's error)
        self.audit_denials: list[dict] = []  # denied calls read from Cloud Audit Logs entries, in order
        self.audit_denials_count = 0

    def feed(self, data: bytes) -> None:
        self.bytes += len(data)
        data, begin = bytes(data), 0
        if self._pending:
            begin = _first_record_start(data, self._pending.endswith(b"\n"))
            if begin < 0:  # the record held back runs on through all of data
                data, begin = self._pending + data, 0
            else:  # it ends where data's first record starts: finish it apart (data is not copied)
                head = self._pending + data[:begin]
                self._process(head, len(head))
        cut = _last_record_start(data, begin)
        if cut == begin:
            if len(data) - begin <= MAX_PENDING:
                self._pending = data[begin:]  # one unfinished record: wait for the rest
                return
            cut = len(data) - _LONGEST_ANCHOR  # a line too long to hold: take it, bar what a split hit needs
        self._process(data, cut, begin)

    def finish(self) -> None:
        if self._pending:
            self._process(self._pending, len(self._pending))
        if self._open_line:
            self.lines += 1
            self._open_line = False

    def to_dict(self) -> dict:
        groups = sorted(self.groups.values(), key=lambda g: (-g.count, g.cause))
        return {
            "bytes": self.bytes,
            "lines": self.lines,
            "errors": self.errors,
            "groups": [g.to_dict(self.lines) for g in groups],
            "audit_denials": self.audit_denials,
            "audit_denials_count": self.audit_denials_count,
        }

    def _process(self, buffer: bytes, cut: int, begin: int = 0) -> None:
        """Explain the records whose hits start in ``buffer[begin:cut]`` (what comes before *begin*
        is done), then keep ``buffer[cut:]`` for later.
        Records may run on past *cut*; what they took is remembered, not read twice. Every byte
        is looked at a bounded number of times, so this is linear whatever the lines look like."""
        done = begin + self._taken if self._taken >= 0 else (buffer.find(b"\n", begin, cut) + 1 or cut)
        open_record = self._taken < 0 and done == cut and buffer[cut - 1 : cut] != b"\n"
        records = _hit_records(buffer, done, cut) if done < cut else []
        shown = iter(_show_errors([raw for _, _, raw, marked in records if not marked]))
        counted, line = begin, self.lines
        for start, _, raw, marked in records:
            if marked or next(shown):
                line += buffer.count(b"\n", counted, start)
                counted = start
                self._record(raw, line + 1)
        if records:
            done = records[-1][1]
            open_record = done == len(buffer) and buffer[-1:] != b"\n"
        self.lines = line + buffer.count(b"\n", counted, cut)
        if cut:
            self._open_line = buffer[cut - 1] != 0x0A
        self._pending = buffer[cut:]
        self._taken = -1 if open_record else max(0, done - cut)

    def _record(self, raw: bytes, line: int) -> None:
        text = raw.decode("utf-8", errors="replace")
        denial = self._audit_entry(text) if _AUDIT_ENTRY in raw else None
        # the entry names the caller: its fix grants to that member (fill checks it against Google's syntax)
        known = {"principal": member_of(denial["principal"])} if denial and denial["principal"] else {}
        diagnosis = self._diagnose(text, known)
        if diagnosis is None:
            return
        top = diagnosis.top.cause
        group = self.groups.get(top.id) or self.groups.setdefault(top.id, Group(top.id, top.title))
        seen = _timestamp(text) or f"line {line}"
        group.count += 1
        self.errors += 1
        group.first_seen, group.first_line = (group.first_seen or seen), (group.first_line or line)
        group.last_seen, group.last_line = seen, line
        group.models[diagnosis.record.model or "unknown"] += 1
        if not group.example:
            group.example = clip(diagnosis.record.message or redact(text).strip().splitlines()[0], 200)
            step = next(iter(diagnosis.to_dict()["causes"][0]["fix"]), {})
            group.fix = redact(step.get("command") or step.get("step", ""))

    def _audit_entry(self, text: str) -> dict | None:
        """A Cloud Audit Logs entry on one line (an export): list the call when it was denied, and return
        it."""
        try:
            entry = json.loads(text)
        except (ValueError, RecursionError):
            return None
        denial = audit_denial(entry)
        if denial is not None:
            self.audit_denials_count += 1
            if len(self.audit_denials) < MAX_DENIALS:
                self.audit_denials.append(
                    {
                        "time": denial["time"],
                        "principal": denial["principal"],
                        "permission": denial["permission"],
                        "service": denial["service"],
                        "method": denial["method"],
                    }
                )
        return denial

    def _diagnose(self, text: str, known: dict[str, str]):
        """explain's diagnosis of a Google error, or None. A log repeats its errors with only the
        time changed, so each text is explained once (the cache is bounded)."""
        key = _TIMESTAMP.sub("", text, count=1)
        if key in self._seen:
            return self._seen[key]
        diagnosis = explain(text, **known)
        if not diagnosis.found or not _googleish(diagnosis, text):
            diagnosis = None
        if len(self._seen) >= SEEN_MAX:
            self._seen.clear()
        self._seen[key] = diagnosis
        return diagnosis


def scan_stream(stream, scanner: Scanner | None = None) -> Scanner:
    """Scan a binary stream to its end, in chunks. A JSON array of log entries (``gcloud logging read
    --format=json``) is read as one entry a line, so that each entry is one record."""
    scanner = scanner or Scanner()
    first = stream.read(CHUNK)
    if first.lstrip()[:1] == b"[":
        first = _entries_a_line(first, stream, scanner)
    if first:
        scanner.feed(first)
    while chunk := stream.read(CHUNK):
        scanner.feed(chunk)
    scanner.finish()
    return scanner


def _entries_a_line(first: bytes, stream, scanner: Scanner) -> bytes:
    """Feed a JSON array of Cloud Logging entries to *scanner* one compact entry a line and return b"";
    anything else (not JSON, not log entries, too big to read whole) is returned as read, to scan as text."""
    data = first
    while len(data) <= MAX_EXPORT and (chunk := stream.read(CHUNK)):
        data += chunk
    if len(data) > MAX_EXPORT:
        return data
    try:
        entries = json.loads(data)
    except (ValueError, RecursionError):
        return data
    if not entries or not all(isinstance(e, dict) and "logName" in e for e in entries):
        return data
    for entry in entries:
        scanner.feed(json.dumps(entry, separators=(",", ":")).encode() + b"\n")
    scanner.bytes += len(data) - scanner.bytes  # the export's own size, not the size of its lines
    return b""


def _titled(word: str) -> str:
    """ "ai studio" -> "AI Studio": words capitalised, those of two letters taken for acronyms."""
    return " ".join(w.upper() if len(w) <= 2 else w.capitalize() for w in word.split(" "))


def _name_anchors(name: str) -> set[str]:
    """What finds *name* as logs write it: the longest stretch its lower, Title and own forms share
    ("oogle" for google, Google; "enerative" for GenerativeLanguage), when it holds MIN_STRETCH
    letters, else those forms themselves; and the same in UPPER case for a name of NAMES."""
    forms = sorted({name, name.lower(), _titled(name)}, key=len)
    shortest, stretch = forms[0], ""
    for start in range(len(shortest)):
        for end in range(len(shortest), start + len(stretch), -1):
            if all(shortest[start:end] in form for form in forms):
                stretch = shortest[start:end]
                break
    found = {stretch} if sum(c.isalpha() for c in stretch) >= MIN_STRETCH else set(forms)
    return found | {form.upper() for form in found} if name in NAMES else found


def _fewest(anchors: set[str]) -> set[str]:
    """The anchors that do not contain another (whatever finds "oogle" finds "oogle.generativeai")."""
    return {anchor for anchor in anchors if not any(other != anchor and other in anchor for other in anchors)}


_NAME_FORMS = sorted(
    _fewest(
        {anchor for name in (*NAMES, *SURFACE_WORDS) for anchor in _name_anchors(name)} | set(GOOGLE_WORDING)
    )
    - set(GOOGLE_WORDING)
)  # (a name holding Google's words is found by them)
_MARKS = (*STATUSES, *ENVELOPES, *REASON_KEYS, *OAUTH_ERRORS, *ERROR_PAGE, *GOOGLE_WORDING)
_FIRST_MARK = len(_NAME_FORMS)  # anchors from here on are marks of an error, not just names
_LONGEST_ANCHOR = max(map(len, (*_NAME_FORMS, *_MARKS)))
ANCHORS_MAX = 64  # the SIMD prefilter's limit: one literal more makes the pass ~5x slower


@cache
def _anchors() -> BytesAhoCorasick:
    """Every anchor, names first (their indexes are below _FIRST_MARK). Few enough literals (at most
    ANCHORS_MAX) for the automaton's SIMD prefilter: this pass runs at memory speed on lines without any."""
    return BytesAhoCorasick(
        [a.encode() for a in (*_NAME_FORMS, *_MARKS)],
        matchkind=MatchKind.LeftmostFirst,
        implementation=Implementation.DFA,
    )


@cache
def _error_words() -> tuple[BytesAhoCorasick, int]:
    """ERROR_WORDS and the words the catalogue's text signals need (those that are not themselves
    a Google name, a path or a number), in lower case, then STATUS_KEYS (from the index returned)."""
    from .catalogue import load_catalogue

    words = set(ERROR_WORDS)
    for cause in load_catalogue().values():
        for signal in cause.signals:
            for literal in (signal.text.literals or ()) if signal.text is not None else ():
                # a number (404, 1008) is no word: an HTTP error status is found as one (STATUS_KEYS), and
                # any other number (duration_ms=404) marks no error
                if "/" not in literal and not literal.isdigit() and not _GOOGLE_NAMED.search(literal):
                    words.add(literal)
    words -= set(STATUS_KEYS)
    literals = [w.encode() for w in (*sorted(words), *STATUS_KEYS)]
    return BytesAhoCorasick(
        literals, matchkind=MatchKind.LeftmostFirst, implementation=Implementation.DFA
    ), len(words)


def _hit_records(buffer: bytes, done: int, cut: int) -> list[tuple[int, int, bytes, bool]]:
    """Each record holding a hit that starts in ``buffer[done:cut]``, found by one pass of the
    anchors: its bounds, its text, and whether one of its hits is a mark of an error (else it only
    names Google)."""
    scan_to = cut if buffer[cut - 1 : cut] == b"\n" else len(buffer)  # a hit may straddle a cut in a line
    hits = iter(_anchors().find_matches_as_indexes(memoryview(buffer)[done:scan_to]))
    records, base, size = [], done, len(buffer)
    hit = next(hits, None)
    while hit is not None and hit[1] + base < cut:
        pos, marked = hit[1] + base, hit[0] >= _FIRST_MARK
        start = buffer.rfind(b"\n", done, pos) + 1 or done
        end = buffer.find(b"\n", pos) + 1 or size
        if buffer[start] in _CONTINUATION_START or (end < size and buffer[end] in _CONTINUATION_START):
            start, end = _record_bounds(buffer, start, done)  # a record of several lines
        for hit in hits:  # the record's other hits
            if hit[1] + base >= end:
                break
            marked = marked or hit[0] >= _FIRST_MARK
        else:
            hit = None
        records.append((start, end, _record_text(buffer, start, end, pos), marked))
        done = end
    return records


def _record_text(buffer: bytes, start: int, end: int, hit: int) -> bytes:
    """The record's bytes; of a very long record, the part around its (first) hit."""
    if end - start > MAX_RECORD:
        start = max(start, hit - MAX_RECORD // 4)
        end = start + MAX_RECORD
    return buffer[start:end]


def _show_errors(raws: list[bytes]) -> list[bool]:
    """Whether each record that only names Google may hold an error (else it is dismissed unread):
    one pass of the error words over them all, joined by a byte no word or status holds."""
    automaton, first_key = _error_words()
    joined = b"\0".join(raws).lower()
    lengths = list(accumulate(map(len, raws)))  # record i ends at lengths[i] + i (the separators before it)
    shown = [False] * len(raws)
    record = 0
    for index, start, end in automaton.find_matches_as_indexes(joined):
        while lengths[record] + record <= start:
            record += 1
        if not shown[record] and (
            index < first_key or _ERROR_STATUS_AFTER_KEY.match(joined, end, lengths[record] + record)
        ):
            shown[record] = True
    return shown


def _is_continuation(block: bytes, line_start: int) -> bool:
    return line_start < len(block) and block[line_start] in _CONTINUATION_START


def _record_bounds(block: bytes, hit_line: int, floor: int) -> tuple[int, int]:
    """The record containing the hit: back to its first line (not before *floor*), on through its
    continuation lines."""
    start = hit_line
    if start > floor and block[start] in _CONTINUATION_START:
        for _ in range(MAX_LEAD):
            start = max(floor, block.rfind(b"\n", floor, start - 1) + 1)
            if start <= floor or block[start] not in _CONTINUATION_START:
                break
    end = block.find(b"\n", hit_line) + 1
    for _ in range(MAX_CONTINUATION):
        if end == 0 or end >= len(block) or block[end] not in _CONTINUATION_START:
            break
        end = block.find(b"\n", end) + 1
    return start, end or len(block)


def _last_record_start(buffer: bytes, floor: int = 0) -> int:
    """Offset of the last line from *floor* on that starts a record (so that every record before it
    is complete); *floor* when there is none."""
    pos = buffer.rfind(b"\n", floor, len(buffer) - 1)
    for _ in range(MAX_CONTINUATION):
        if pos == -1:
            return floor
        if not _is_continuation(buffer, pos + 1) and pos + 1 < len(buffer):
            return pos + 1
        pos = buffer.rfind(b"\n", floor, pos)
    return max(floor, pos + 1)


def _first_record_start(data: bytes, at_line_start: bool) -> int:
    """Offset of the first line of *data* that starts a record (-1: none within reach), where the
    record held back from the chunk before ends. *at_line_start*: data's first byte starts a line."""
    pos = 0 if at_line_start else data.find(b"\n") + 1 or len(data)
    for _ in range(MAX_CONTINUATION):
        if pos >= len(data):
            return -1
        if not _is_continuation(data, pos):
            return pos
        pos = data.find(b"\n", pos) + 1 or len(data)
    return -1


def _googleish(diagnosis, text: str) -> bool:
    """A generic word ("UNAVAILABLE") may have brought this record here: keep it only if it is
    Google's (it names Google, or has Google's error envelope, reasons, service or status body, or
    Google's own wording settles its cause)."""
    record, top = diagnosis.record, diagnosis.top
    if record.reasons or record.service or record.surface or (record.bodies and record.status):
        return True
    if top.decisive and top.confidence >= GOOGLE_WORDING_AT:
        return True
    lowered = text.lower()
    return _GOOGLE_NAMED.search(lowered) is not None or _ENVELOPE.search(lowered) is not None


def _timestamp(text: str) -> str | None:
    head = text[:300]
    m = _JSON_TIME.search(head) or _TIMESTAMP.search(head)
    return (m.group(1) if m.re is _JSON_TIME else m.group(0)) if m else None
