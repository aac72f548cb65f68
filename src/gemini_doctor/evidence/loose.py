"""Read error fields from text by pattern: protobuf text, broken JSON, log lines, prose.

This is the fallback under :mod:`bodies`: it works on whatever survives (a wrapped terminal
line, a gRPC dump, a truncated paste, a sentence in a forum post) and fills only fields the
structured parse left empty.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..google.services import MULTI_REGIONS, SERVICES
from ..google.services import service_by_title as _service_titled
from ..matching.prefilter import LazyRegex, LiteralScanner, PatternIndex, Prefiltered, Scanned
from .record import GRPC_CODES, STATUS_TO_HTTP

_UNESCAPES = (("\\\\", "\\"), ('\\"', '"'), ("\\'", "'"), ("\\n", "\n"), ("\\t", " "), ("\\/", "/"))
_UNICODE = LazyRegex(r"\\u00(3c|3e|26|27|3d|22)", re.I)
_UNICODE_CHARS = {"3c": "<", "3e": ">", "26": "&", "27": "'", "3d": "=", "22": '"'}


def unescape(text: str) -> str:
    """Undo up to three levels of JSON string escaping, so nested bodies read as plain text."""
    for _ in range(3):
        if "\\" not in text:
            break
        before = text
        if "\\u00" in text or "\\U00" in text:
            text = _UNICODE.regex.sub(lambda m: _UNICODE_CHARS[m.group(1).lower()], text)
        for old, new in _UNESCAPES:
            text = text.replace(old, new)
        if text == before:
            break
    return text


# Patterns start with a literal wherever they can: CPython's regex engine then skips ahead to it
# instead of trying every position. A boundary that would have to come first is checked after
# the literal instead, e.g. ``(?<!\S[45]\d\d)``: three digits not preceded by a non-space.
_Q = r"""["']"""
_REASON = Prefiltered(rf"""reason{_Q}?\s*[:=]\s*{_Q}([A-Z][A-Z0-9_]{{2,}}){_Q}""", 0)
_REASON_WORD = Prefiltered(
    r"reason:? ([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b", 0
)  # Java toString, prose: reason IAM_PERMISSION_DENIED
_DOMAIN = Prefiltered(
    rf"""domain{_Q}?\s*:\s*{_Q}([a-z0-9.\-/]{{1,253}}\.[a-z]{{2,63}}[a-zA-Z/]{{0,63}}){_Q}""", 0
)
_PROTO_META = Prefiltered(r'key:\s*"([A-Za-z_]+)"\s*value:\s*"([^"\n]*)"', 0)
_META_KEYS = (
    "consumer",
    "service",
    "containerInfo",
    "activationUrl",
    "serviceTitle",
    "method",
    "permission",
    "resource",
    "apiName",
    "methodName",
    "httpReferrer",
    "androidPackage",
    "quotaMetric",
    "quota_metric",
    "quotaId",
    "quota_id",
    "quotaValue",
    "quota_value",
    "quota_limit",
    "uid",
    "quotaResetDelay",
    "retryDelay",
    "error_info_id",
    "troubleshooter_url",
)


def _json_meta(quote: str) -> str:
    """A metadata key (of :data:`_META_KEYS`) and its value in JSON or a ``repr``, quoted by *quote*."""
    return rf"""{quote}({"|".join(_META_KEYS)}){quote}\s*:\s*{quote}([^"'\n]{{1,400}}){quote}"""


_JSON_META = Prefiltered(_json_meta(_Q), 0)
# The same on a text without a single quote: starting with a literal, which the regex engine skips
# ahead to, it runs 3x faster than trying the class ["'] at every character
_JSON_META_DOUBLE = Prefiltered(_json_meta('"'), 0, _JSON_META.literals)
_PROTO_FIELD = Prefiltered(r'(quota_metric|quota_id|quota_value):\s*"([^"\n]*)"', 0)
_GRPC_CODE = Prefiltered(r"grpc_status:\s*(\d{1,2})\b", 0)
# Codes standing alone ("403 Forbidden", "429:"). They search the text with every 5 read as a 4 (same
# length, so spans hold; see _code_and_status): led by the literal 4, the regex engine skips ahead to it,
# 13x faster than trying the class [45] at every character.
_BARE_CODES = (
    Prefiltered(r"(4\d\d)(?<![^\s:\]\[(]4\d\d)(?=\s+(?:[A-Z_]{5,}|[A-Z][a-z]+|POST|GET)\b)", 0),
    Prefiltered(r"(4\d\d)(?<!\S4\d\d)(?=[:\s])", 0),
)
_CODES = PatternIndex(
    (
        Prefiltered(rf"""{_Q}code{_Q}\s*:\s*(\d{{3}})\b""", 0),
        _GRPC_CODE,
        Prefiltered(r"\[(\d{3}) [A-Z][A-Za-z ]+\]", 0),  # [403 Forbidden]
        Prefiltered(r"(?:HTTP|status|Status|code|Code)[ :/=]*(?:\d\.\d )?\(?(\d{3})\b", 0),
        Prefiltered(r"Error (\d{3}) \(", 0),  # Google HTML page
        Prefiltered(r"\(([45]\d\d)\)", 0),  # "Resource Exhausted (429)"
        *_BARE_CODES,
    )
)
_STATUS_BY_LOWER = {
    s.lower(): s
    for s in STATUS_TO_HTTP  # status names read as words, by their lower case
    if "_" in s or s in ("UNAUTHENTICATED", "UNAVAILABLE", "INTERNAL", "ABORTED", "CANCELLED")
}
_GRPC_STATUS = Prefiltered(r"StatusCode\.([A-Z_]+)", 0)


def _string_value(excluded: str) -> str:
    """A group for a quoted value of at least 8 characters, none in *excluded* (an escape counts as
    one): 8 taken one at a time, then the rest in runs, which the regex engine reads far faster."""
    plain = f"[^{excluded}\\\\]"
    return rf"((?:{plain}|\\.){{8}}{plain}*(?:\\.{plain}*)*)"


# Run on the text after a "\n" (see _first_message), so that a line start is the literal "\n", which
# the regex engine skips ahead to; it would try (?m)^ at every position.
_MESSAGES = PatternIndex(
    (
        Prefiltered(r'"message"\s*:\s*"' + _string_value('"'), 0),
        Prefiltered(
            r"""'message'\s*:\s*(?:'{}'|"{}")""".format(_string_value(r"'\n"), _string_value(r'"\n')), 0
        ),
        Prefiltered(r'details = "([^"\n]{8,})"', 0),
        Prefiltered(r'\n[ \t]*message:\s*"([^"\n]{8,})"', 0),
        # google-api-core: "403 POST https://…: <message> [details]" or
        # "PermissionDenied: 403 <message> [details]"
        # (greedy up to the "[" or the line's end; the trailing spaces go when the value is folded)
        Prefiltered(
            r"(?m)\n(?:[\w.]+: )?[45]\d\d (?:(?:POST|GET|PUT|PATCH|DELETE) \S+: )?([A-Z][^\[\n]{7,})", 0
        ),
    )
)
# on lower case; every alternative starts with a character, not a class (4xx and 5xx are two, the \b before
# each checked after it), so the regex engine skips ahead to those characters
_ERRORISH = LazyRegex(
    r"error|denied|invalid|not (?:found|valid|supported|allowed)|exceeded|blocked|forbidden|permission"
    r"|4(?<!\w4)\d\d\b|5(?<!\w5)\d\d\b"
)
_LETTER = LazyRegex(r"[^\W\d_]")

# A Gemini service's first label -> its surface, as the vocabulary declares them.
_SURFACE_BY_SERVICE = {s.short: s.surface for s in SERVICES.values() if s.surface}
_MULTI_REGION = "|".join(MULTI_REGIONS)  # Agent Platform's multi-regions: us|eu
# pattern -> the record field its first group reads. Order matters within a field: the first match wins.
_FIELD_PATTERNS: dict[Prefiltered, str] = {
    Prefiltered(pattern, flags): name
    for name, pattern, flags in (
        ("project", r"has not been used in project (\S+?) before", 0),
        ("project", r"resource project \[?([^\s\]]+?)\]?\s?\.(?:\s|$|[\"'\\])", 0),
        ("project", r"use project (\S+?)\.(?:\s|$)", 0),
        ("project", r"billing on project #?(\S+?) by", 0),
        ("project", r"\bprojects/([a-z0-9][\w\-.:]*?)/locations/", 0),
        ("project", r"quota project \W?([a-z][\w\-]{4,})\b(?! which)", 0),
        ("location", r"/locations/([a-z0-9\-]+)", 0),
        ("location", r"https?://([a-z]+-[a-z]+\d+)-aiplatform\.googleapis\.com", 0),
        ("location", rf"https?://aiplatform\.({_MULTI_REGION})\.rep\.googleapis\.com", 0),
        ("model", r"(?<![\w/])tunedModels/([\w.\-]+)", 0),
        ("model", r"tuned model ([\w.\-/]+)", 0),
        ("model", r"\bmodels/([\w.\-@]+?)(?=[:'\"`\s,)\]]|$)", 0),
        ("model", r"\bmodel: ([\w.\-]+)", 0),
        ("model", r"[Tt]he model `([\w.\-]+)`", 0),
        ("model", r"base model: ([\w.\-]+)", 0),
        ("permission", r"Permission '([\w.]+)' denied", 0),
        ("permission", r"permission '?([a-z]+\.[a-zA-Z]+\.[a-zA-Z]+)'?", re.I),
        ("method", r"method ([\w.]+) are blocked", 0),
        (
            "troubleshooter_url",
            r"(https://console\.cloud\.google\.com/iam-admin/troubleshooter/[^\s\"'<>`\\]{1,2000})",
            0,
        ),
        ("service", r"Requests to this API ([\w.\-]+)", 0),
        ("service", r"The ([\w.\-]+\.googleapis\.com) API requires a quota project", 0),
        ("service", r"/apis/api/([\w.\-]+\.googleapis\.com)/", 0),
        (
            "service",
            r"https?://(?:[a-z0-9\-]+-)?"
            rf"((?:{'|'.join(map(re.escape, _SURFACE_BY_SERVICE))})\.googleapis\.com)",
            0,
        ),
        ("service", rf"https?://(aiplatform)\.(?:{_MULTI_REGION})\.rep\.googleapis\.com", 0),
        ("quota_metric", r"Quota exceeded for metric: ([\w./\-]+)", 0),
        ("quota_metric", r"Quota exceeded for ([\w\-]+\.googleapis\.com/[\w./\-]+)", 0),
        ("quota_limit", r"\blimit: (\d+)\b", 0),
        (
            "oauth_error",
            r"\b(invalid_grant|invalid_rapt|invalid_scope|invalid_client|unauthorized_client|invalid_token)\b",
            0,
        ),
    )
}
_FIELDS = PatternIndex(_FIELD_PATTERNS)
_SURFACE_HINTS = (
    (
        "code-assist",
        Prefiltered(
            r"cloudcode-pa|Cloud Code Assist|Gemini Code Assist|Code Assist for individuals|IneligibleTier"
            r"|antigravity|\bagy |cloudaicompanion"
        ),
    ),
    (
        "vertex",
        Prefiltered(
            r"vertex ai|vertex_ai|vertex-ai|vertexai|aiplatform|agent ?platform|publishers/google/models"
            r"|GOOGLE_GENAI_USE_VERTEXAI|GOOGLE_GENAI_USE_ENTERPRISE"
        ),
    ),
    (
        "gemini-api",
        Prefiltered(
            r"generativelanguage|GoogleGenerativeAI|google\.generativeai|ai studio|aistudio|makersuite"
            r"|GEMINI_API_KEY|\?key=AIza|is not found for API version v1"
        ),
    ),
)


_TITLE = LazyRegex(r"((?:[A-Z][\w]*\s){0,5}API) has not been used in project")
_TITLE_REACH = 200  # how far before "has not been used" a title is looked for (so the search stays short)
# What posters put in place of a value they hide: runs of x or *, an ellipsis, <...>, [...], "redacted"
_REDACTED = LazyRegex(r"(?i)x{3,}|\*{2,}|…|\.\.\.|^<.*>$|redacted|hidden|censored|omitted|removed")
# A project ID or number as Google writes it (optionally domain-scoped: example.com:my-project)
_PROJECT_ID = LazyRegex(r"(?:[a-z0-9.\-]+:)?[a-z][a-z0-9\-]{4,28}[a-z0-9]|\d{6,}")


def service_by_title(text: str | None) -> str | None:
    """The service an API title names, alone or in "<title> has not been used in project N"
    (``Agent Platform API`` -> aiplatform.googleapis.com)."""
    if not text:
        return None
    at = text.find(" has not been used in project")
    m = _TITLE.regex.search(text, max(0, at - _TITLE_REACH), at + 30) if at != -1 else None
    service = _service_titled(m.group(1) if m else text)
    return service.name if service else None


def is_redacted(value: str) -> bool:
    """True when *value* is a poster's redaction mark, never evidence of what their config holds."""
    return bool(_REDACTED.regex.search(value))


def is_project_id(value: str) -> bool:
    """True when *value* has the form of a real project ID or number."""
    return _PROJECT_ID.regex.fullmatch(value) is not None


def scan(text: str) -> Scanned:
    """*text* ready for :func:`read_fields` and :func:`surface_of`: one pass finds every literal of
    this module's patterns."""
    return Scanned(text, _scanner())


@lru_cache(maxsize=1)
def _scanner() -> LiteralScanner:
    singles = (
        _REASON,
        _REASON_WORD,
        _DOMAIN,
        _PROTO_META,
        _JSON_META,
        _PROTO_FIELD,
        _GRPC_STATUS,
        *(hint for _, hint in _SURFACE_HINTS),
    )
    literals = {literal for pattern in singles for literal in pattern.literals or ()}
    literals |= _CODES.literals() | _MESSAGES.literals() | _FIELDS.literals()
    return LiteralScanner([*literals, *_STATUS_BY_LOWER])


def read_fields(scanned: Scanned, known: frozenset[str] | set[str] = frozenset()) -> dict:
    """Every field this module can find in the scanned text (already unescaped), as record keyword
    values. Fields in *known* were already read from a structured body; they are not searched again.
    """
    out: dict = {}
    reasons = list(dict.fromkeys([*_REASON.findall(scanned), *_REASON_WORD.findall(scanned)]))
    if reasons:
        out["reasons"] = reasons
    for domain in () if "domain" in known else _DOMAIN.findall(scanned):
        if domain != "global":
            out["domain"] = domain
            break
    metadata = dict(_PROTO_META.findall(scanned))
    json_meta = _JSON_META if "'" in scanned.text else _JSON_META_DOUBLE
    for key, value in json_meta.findall(scanned):
        metadata.setdefault(key, value)
    for key, value in _PROTO_FIELD.findall(scanned):
        metadata.setdefault(key, value)
    if metadata:
        out["metadata"] = metadata
    if not {"code", "status"} <= known:
        out.update(_code_and_status(scanned))
    message = None if "message" in known else _first_message(scanned)
    if message:
        out["message"] = message
    for pattern in _FIELDS.matching(scanned):
        name = _FIELD_PATTERNS[pattern]
        if name not in out and name not in known:
            m = pattern.search(scanned)
            if m:
                value = scanned.text[m.start(1) : m.end(1)]
                out[name] = _unwrapped(scanned.text, m.end(1), value) if name == "model" else value
    return out


# A terminal wraps a long line anywhere, inside a model name too ("gemini-3-pro-pre" | "view"), and a copy
# may turn the break into a space. The word after the break is the name's rest when the break falls at a
# hyphen, or when the two make a model the lifecycle knows and the first piece alone is not one.
_WRAPPED_REST = LazyRegex(r"\s{1,80}([\w\-]+(?:\.[\w\-]+)*)")


def _unwrapped(text: str, end: int, name: str) -> str:
    """*name*, read up to *end* in *text*, joined with its rest on the next line when it was wrapped."""
    if end >= len(text) or not text[end].isspace():
        return name
    m = _WRAPPED_REST.regex.match(text, end)
    if m is None:
        return name
    rest = m.group(1)
    joined = name + rest
    if name.endswith("-") or (rest.startswith("-") and rest.strip("-")):
        return joined
    from ..google.lifecycle import model_table

    table = model_table()
    return joined if table.find(joined) and not table.find(name) else name


def secrets_seen(masked: dict[str, str]) -> dict:
    """Record fields for the secrets redaction replaced (*masked*, by kind): the key shown as
    ``AIza…last4`` and the kind of token, never the secret itself."""
    out = {"key": masked["key"]} if "key" in masked else {}
    # an AQ. key is an AI Studio auth key or an Agent Platform express key: the prefix does not say which
    for kind, token_kind in (
        ("express_key", "auth_key"),
        ("oauth_access_token", "oauth_access_token"),
        ("refresh_token", "refresh_token"),
    ):
        if kind in masked:
            out.setdefault("token_kind", token_kind)
            if token_kind == "auth_key":
                out["key"] = masked[kind]
    return out


def surface_words() -> tuple[str, ...]:
    """The words (lower case) one of which any text :func:`surface_of` ties to a surface by its hints
    contains: whoever must not miss a text naming a Gemini surface looks for these."""
    return tuple(sorted({word for _, hint in _SURFACE_HINTS for word in hint.literals or ()}))


def surface_of(service: str | None, scanned: Scanned) -> str | None:
    """Which Gemini surface the error came from, by its service name, else by hints in the text."""
    if service:
        for name, surface in _SURFACE_BY_SERVICE.items():
            if service.startswith(name) or f"-{name}" in service or f".{name}" in service:
                return surface
    for surface, hint in _SURFACE_HINTS:
        if hint.search(scanned):
            return surface
    return None


def _code_and_status(scanned: Scanned) -> dict:
    out: dict = {}
    grpc = _GRPC_STATUS.search(scanned)
    status = _status_word(scanned)
    if grpc and grpc.group(1) in STATUS_TO_HTTP:
        out["status"] = grpc.group(1)
    elif status:
        out["status"] = status
    fours = None  # the text with every 5 read as a 4, for _BARE_CODES
    for pattern in _CODES.matching(scanned):
        if pattern in _BARE_CODES:
            fours = fours if fours is not None else scanned.text.replace("5", "4")
            m = pattern.search(fours)
        else:
            m = pattern.search(scanned)
        if m:
            value = int(scanned.text[m.start(1) : m.end(1)])
            if pattern is _GRPC_CODE:
                out.setdefault("status", GRPC_CODES.get(value))
                value = STATUS_TO_HTTP.get(GRPC_CODES.get(value, ""), 0)
            if 400 <= value <= 599:
                out["code"] = value
                break
    if "code" not in out and out.get("status") in STATUS_TO_HTTP:
        out["code"] = STATUS_TO_HTTP[out["status"]]
    return out


def _status_word(scanned: Scanned) -> str | None:
    """The status name that occurs first in the text as a word of its own."""
    text = scanned.text
    best: tuple[int, str] | None = None
    for lowered in scanned.found.intersection(_STATUS_BY_LOWER):
        name = _STATUS_BY_LOWER[lowered]
        at = text.find(name)
        while at != -1 and not _stands_alone(text, at, at + len(name)):
            at = text.find(name, at + 1)
        if at != -1 and (best is None or at < best[0]):
            best = (at, name)
    return best[1] if best else None


def _stands_alone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


def _first_message(scanned: Scanned) -> str | None:
    lines = "\n" + scanned.text
    for pattern in _MESSAGES.matching(scanned):
        for m in pattern.regex.finditer(lines):
            value = next(g for g in m.groups() if g)
            if not value.lstrip().startswith(("{", "[")):
                return " ".join(value.split())
    return None


def first_line(text: str, limit: int = 300) -> str | None:
    """The first line that reads like an error (else like prose), as a last-resort message."""
    prose = None
    for line in text.splitlines()[:200]:
        line = line.strip().strip('"').strip()
        if len(line) < 8 or not _LETTER.regex.search(line):
            continue
        if _ERRORISH.regex.search(line.lower()):
            return line[:limit]
        prose = prose or line
    return prose[:limit] if prose else None
