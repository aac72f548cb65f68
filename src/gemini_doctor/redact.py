"""Secret redaction: the one place that decides what a key or token may look like in output.

Every output (explain, batch, scan, run, hooks, check, fix, and text that came from the network)
passes its final, whole text through :func:`redact` (:func:`clip` when it is shortened), and the
parser stores only masked forms, so a secret in the input never reaches a terminal, a file or a log.

A secret is found by its shape wherever it sits (``token_ya29.…`` too) and in whatever encoding:
the patterns run on a *view* of the text with percent-encoding, backslash escapes and HTML
character references undone (up to six levels deep: JSON in JSON in a JSON output), and a secret may run on
across a line break (a terminal's wrap, ``\\r\\n``). Each secret found in the view is replaced in
the original text, escapes and all, by its masked form: ``AIza…last4`` at most.

Every pattern here is linear: no nested quantifiers, and every run is one character class.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

from .matching.prefilter import LazyRegex, LiteralScanner

_MAX_DEPTH = 6  # levels of encoding undone (URL in JSON in JSON...)
_SAFE_TAIL = LazyRegex(r"[0-9A-Za-z_\-]{4}")  # the last four characters, shown only when plain


class _Kind:
    """A kind of secret: how it starts, what may follow, and how much of it there must be."""

    __slots__ = ("body", "bounded", "exact", "least", "literal", "name", "trigger", "whole")

    def __init__(
        self,
        name: str,
        literal: str,
        body: str,
        least: int,
        exact: int = 0,
        whole: bool = False,
        bounded: bool = False,
    ) -> None:
        self.name = name  # the kind redact_noting reports
        self.literal = literal  # how every secret of the kind starts (case-sensitive)
        self.trigger = literal.lower()  # the literal as the trigger scan finds it
        self.bounded = bounded  # the literal starts a word (sk- must not be found inside task-…)
        self.body = body  # one character class: what follows the literal
        self.least = least  # fewer characters after the literal: not a secret of the kind
        self.exact = exact  # keys of a fixed length: joined across a line break up to it, no further
        self.whole = whole  # shown as nothing of itself, and every line of it joined (private keys)


def _vendor_kinds(name: str, body: str, least: int, prefixes: tuple[str, ...], exact: int = 0) -> list[_Kind]:
    """Another vendor's kind of secret, one per prefix; each prefix must start a word."""
    return [_Kind(name, prefix, body, least, exact, bounded=True) for prefix in prefixes]


# Other vendors' keys and tokens (pasted into explain with their own errors): the kind, what follows
# the prefix, how much of it at least, the prefixes (the more specific first: the first a secret starts
# with names its kind and its masked form) and, for keys of a fixed length, that length.
_OTHER_VENDORS = (
    ("anthropic_key", "[0-9A-Za-z_-]", 20, ("sk-ant-",)),
    ("openai_key", "[0-9A-Za-z_-]", 20, ("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-")),
    ("stripe_key", "[0-9A-Za-z]", 16, ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_")),
    ("github_token", "[0-9A-Za-z_]", 30, ("github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    ("gitlab_token", "[0-9A-Za-z_-]", 20, ("glpat-",)),
    ("slack_token", "[0-9A-Za-z-]", 20, ("xox", "xapp-")),
    ("slack_webhook", "[0-9A-Za-z/]", 20, ("hooks.slack.com/services/",)),
    ("aws_access_key_id", "[0-9A-Z]", 16, ("AKIA", "ASIA"), 16),
    ("huggingface_token", "[0-9A-Za-z]", 30, ("hf_",)),
    ("groq_key", "[0-9A-Za-z]", 40, ("gsk_",)),
    ("xai_key", "[0-9A-Za-z]", 40, ("xai-",)),
    ("npm_token", "[0-9A-Za-z]", 30, ("npm_",)),
    ("pypi_token", "[0-9A-Za-z_-]", 50, ("pypi-",)),
    ("sendgrid_key", r"[0-9A-Za-z_.-]", 40, ("SG.",)),
)
_KINDS = (
    _Kind("key", "AIza", "[0-9A-Za-z_-]", 20, exact=35),  # Google API key
    _Kind("express_key", "AQ.", r"[0-9A-Za-z_.-]", 16),  # AI Studio auth key / Vertex express key
    _Kind("oauth_access_token", "ya29.", r"[0-9A-Za-z_.-]", 10),  # OAuth access token
    _Kind("refresh_token", "1//", "[0-9A-Za-z_-]", 10),  # OAuth refresh token
    _Kind("jwt", "eyJ", r"[0-9A-Za-z_.-]", 20),  # signed JWT (or any base64 JSON)
    _Kind("ephemeral_token", "auth_tokens/", r"[0-9A-Za-z_.-]", 8),  # Live API ephemeral token
    _Kind("client_secret", "GOCSPX-", "[0-9A-Za-z_-]", 10),  # OAuth client secret
    # a private key's body in base64 (DER; OpenSSH's "openssh-key-v1"), found even when its PEM header
    # was cut or mangled
    *(_Kind("private_key", p, "[0-9A-Za-z+/=]", 60, whole=True) for p in ("MII", "b3BlbnNzaC1rZXktdjE")),
    *(kind for row in _OTHER_VENDORS for kind in _vendor_kinds(*row)),
)
# (every pattern here is compiled on first use: most texts need few of them, and importing stays cheap)
_BREAK = LazyRegex(r"\r?\n")
# a run after a line break continues a secret when it looks random: a digit, or a capital after a
# small letter (words, status names and paths do not)
_RANDOMISH = LazyRegex(r"[0-9]|[a-z][A-Z]")
# the header, the base64 body (any white space in it) and the footer; '+' for a space is form encoding,
# a line break for one a wrap
_PRIVATE_KEY = LazyRegex(
    r"-----BEGIN[\s+][A-Z\s+]{0,40}PRIVATE[\s+]KEY(?:[\s+]BLOCK)?-----[A-Za-z0-9+/=\s]*"
    r"(?:-----END[\s+][A-Z\s+]{0,40}PRIVATE[\s+]KEY(?:[\s+]BLOCK)?-----)?"
)
_PRIVATE_KEY_SHOWN = "[private key redacted]"
# a named value; one that starts with $ or < is a shell variable or a placeholder (in a fix), not a secret
_VALUE = r"""(?![$<])(?P<value>[^&\s"',}\\]{6,})"""
# how the name of a field holding a secret ends (client_secret, OPENAI_API_KEY, aws_secret_access_key,
# x-api-key)
_FIELD_NAMES = (
    "secret",
    "_token",
    "private_key",
    "api_key",
    "api-key",
    "apikey",
    "access_key",
    "accesskey",
    "secret_key",
    "password",
)
# a field's name, then its quote (escaped, in JSON in JSON), a colon or equals sign, and the value's quote
# ('+' is a space in form encoding; a backslash alone starts an escape, as in api_key:\\u2026: no value)
_FIELD = LazyRegex(
    rf"""(?P<name>(?:{"|".join(map(re.escape, _FIELD_NAMES))})"""
    rf"""(?:\\*["'])?[\s+]*[:=][\s+]*(?:\\*["'])?){_VALUE}""",
    re.IGNORECASE,
)
# ?key=… and &access_token=…: one pattern per leading character, as a literal start lets the
# regex engine skip ahead (a leading [?&] class would make it try every position)
_PARAMETERS = tuple(
    LazyRegex(rf"(?P<name>{lead}(?i:key|access_token|refresh_token)=)" + _VALUE) for lead in (r"\?", "&")
)
# the names a value may follow (_FIELD's, and the parameters' not among them), and what may stand
# between a name, its colon or equals sign, and the value
_NAMES_BEFORE_VALUES = (*_FIELD_NAMES, "?key", "&key")
# an HTTP authorization scheme, then a token of any shape (one that looks random: see _fields)
_SCHEME_NAMES = ("bearer",)
_SCHEME = LazyRegex(rf"(?P<name>(?:{'|'.join(_SCHEME_NAMES)})[\s+]+){_VALUE}", re.IGNORECASE)
# each name a secret may follow (lower case) -> the pattern tried where the name occurs
_NAMED = {**dict.fromkeys(_FIELD_NAMES, _FIELD), **dict.fromkeys(_SCHEME_NAMES, _SCHEME)}
_QUOTING = "\\\"'+"  # and '+', a space in form encoding
_AFTER_NAMES = frozenset(_QUOTING + ":= \t\r\n")  # what may follow a name before its value


def _literal_pattern(literal: str, cut: bool) -> str:
    """The literal; with *cut*, a line break may cut it anywhere (and the regex engine cannot skip
    ahead to it, so that form runs only where a cut literal was found)."""
    return ("(?:\r?\n)?" if cut else "").join(re.escape(ch) for ch in literal)


def _starts(kind: _Kind, cut: bool) -> LazyRegex:
    """A candidate: the literal, then enough of the body, or less of it up to a line break (where it may
    go on)."""
    literal = _literal_pattern(kind.literal, cut)
    if kind.bounded:  # after the literal when it is whole, so that the regex engine can skip ahead to it
        literal = f"(?<![0-9A-Za-z]){literal}" if cut else f"{literal}(?<![0-9A-Za-z]{literal})"
    return LazyRegex(f"{literal}(?:{kind.body}{{{kind.least},}}|{kind.body}*(?=\r?\n))")


_STARTS = {(kind.literal, cut): _starts(kind, cut) for kind in _KINDS for cut in (False, True)}
# a line break, then a run of the kind's characters that may continue a secret cut there
_CONTINUATIONS = {kind.body: LazyRegex(f"\r?\n({kind.body}+)") for kind in _KINDS}
# every literal (in lower case) without which none of the patterns can match in the text itself
_TRIGGER_LITERALS = (
    *(kind.trigger for kind in _KINDS),
    "-----begin",
    "key=",
    "token=",
    *_FIELD_NAMES,
    *_SCHEME_NAMES,
)
_TRIGGERS = LiteralScanner(_TRIGGER_LITERALS)
_KIND_TRIGGERS = frozenset(kind.trigger for kind in _KINDS)
_KINDS_BY_TRIGGER = {t: [kind for kind in _KINDS if kind.trigger == t] for t in _KIND_TRIGGERS}
# line breaks, plain or escaped (JSON's \n), that may cut a literal as a terminal's wrap does
_BREAKS = ("\r\n", "\n", "\\r\\n", "\\n")
# the triggers that can overlap a line break (starting with the letter an escaped one ends in)
_BREAK_ENDINGS = tuple(t for t in _TRIGGER_LITERALS if t[0] in "nr" or "\\" in t or "\n" in t)
# in the lower-cased text, the starts of escapes worth undoing (one scan: a regex engine is slower here);
# and the marks _present adds to what it found, for escapes and for a literal cut by a line break
_ESCAPE_STARTS = LiteralScanner(
    [
        "%0",
        "%2",
        "%3",
        "%5",
        "\\/",
        "\\\\",
        "\\n",
        "\\r",
        "\\t",
        *(f"\\u00{c}" for c in "0235"),
        "&#",
        "&amp;",
    ]
)  # \u00XX: controls and punctuation (not letters, nor « »)
_ESCAPES, _CUT = "\0escapes", "\0cut"
# only escapes of ASCII characters (every secret, and every character that can end one, is ASCII);
# the first character is a class so that the regex engine skips ahead to it
_ESCAPE = LazyRegex(
    r"""([%\\&](?:(?<=%)[0-9A-Fa-f]{2}|(?<=\\)(?:u00[0-7][0-9A-Fa-f]|[/\\nrt"'])|(?<=&)(?:#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|amp;)))"""
)
# the same for a text without % or &: led by the backslash, which the engine finds far faster than a class
_BACKSLASH_ESCAPE = LazyRegex(r"""(\\(?:u00[0-7][0-9A-Fa-f]|[/\\nrt"']))""")


def _escapes(text: str) -> re.Pattern[str]:
    """The regex that finds the escapes in *text* (see :class:`_View`)."""
    return (_ESCAPE if "%" in text or "&" in text else _BACKSLASH_ESCAPE).regex


_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}
# every secret has a run of this many letters and digits (however it is encoded): without one, no
# view of the text's escapes is worth making
_SECRET_RUN = LazyRegex(r"[0-9A-Za-z_-]{12}")


def mask(secret: str) -> str:
    """Show a secret as its kind prefix and last four characters, e.g. ``AIza…x9Qz``."""
    secret = secret.strip()
    prefix = next((kind.literal for kind in _KINDS if secret.startswith(kind.literal)), "")
    return _masked(prefix, len(secret) - len(prefix), secret)


def redact(text: str) -> str:
    """Replace every key, token, refresh token, client secret and private key in *text* by its masked form."""
    return _redact(text, None)


def clip(text: str, limit: int) -> str:
    """*text* redacted, cut to *limit* characters, and redacted once more (a cut secret is still found
    first)."""
    return redact(redact(text)[:limit])


def redact_json(text: str, values: list[str]) -> str:
    """*text*, a JSON document, as :func:`redact` leaves it, given *values*: each JSON value in it (a
    whole string, list or object, as written there) that may hold text from the input. What lies
    between them is catalogue text and the schema, each part :func:`proven_clean` once.

    Only *values* are scanned, and the whole of *text* is redacted only when one of them holds a
    secret. This gives what redacting all of *text* gives because no secret's pattern can run from
    one JSON value into the next: every pattern stops at a string's closing quote, except a field
    name with its separator before a value, which :func:`proven_clean` rules out at the end of each
    constant part (and the values of a JSON object come with their names, in the same value)."""
    scanned = ",".join(values)
    return text if redact(scanned) == scanned else redact(text)


def proven_clean(constant: str) -> bool:
    """Whether *constant*, JSON text from the catalogue and the schema written between the values of
    :func:`redact_json`, shows no secret and does not end in a name whose value would follow it."""
    return redact(constant) == constant and not _ends_in_name(constant)


def _ends_in_name(text: str) -> bool:
    """Whether *text* ends in a field or parameter name and its colon or equals sign (quotes and
    spaces around them allowed), so that what is written next would be read as its value."""
    text = _strip_quoting(text.lower())
    if text.endswith(_SCHEME_NAMES):
        return True
    return text.endswith((":", "=")) and _strip_quoting(text[:-1]).endswith(_NAMES_BEFORE_VALUES)


def _strip_quoting(text: str) -> str:
    """*text* without the spaces, quotes and backslashes it ends in."""
    end = len(text)
    while end and (text[end - 1] in _QUOTING or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def redact_noting(text: str) -> tuple[str, dict[str, str]]:
    """:func:`redact`, and the masked form of the first key or token of each kind it replaced
    (``key``, ``express_key``, ``oauth_access_token``, ``refresh_token``, ``jwt``, ``ephemeral_token``,
    ``client_secret``)."""
    masked: dict[str, str] = {}
    return _redact(text, masked), masked


def _redact(text: str, masked: dict[str, str] | None) -> str:
    if not text:
        return text
    lowered = text.lower()
    found = _present(text, lowered)  # one pass decides whether anything below can match
    if not found:
        return text
    spans = _find(text, lowered, found, masked)
    # without a secret-like run, nothing around the escapes could be a secret
    if _ESCAPES in found and _SECRET_RUN.regex.search(text):
        view = _View(text)
        while _ESCAPES in found and view.depth < _MAX_DEPTH and (view := view.decoded()) is not None:
            lowered = view.text.lower()
            found = _present(view.text, lowered)
            spans += [
                (*view.source(start, end), shown)
                for start, end, shown in _find(view.text, lowered, found, masked)
            ]
    return _replace(text, spans) if spans else text


def _present(text: str, lowered: str) -> set[str]:
    """The triggers in *text* (*lowered*: its lower case); a literal cut by a line break counts as the
    literal."""
    broken = "\n" in text or "\\n" in text  # a literal may be cut by a line break
    found = _present_across_breaks(lowered) if broken else _TRIGGERS.present(lowered)
    if _ESCAPE_STARTS.occurs(lowered):
        found.add(_ESCAPES)
    return found


def _present_across_breaks(lowered: str) -> set[str]:
    """:func:`_present`'s triggers for a text with line breaks, in one scan of the text without them:
    a literal found there is in the text too, or more of it there means a literal cut by a break."""
    joined = lowered
    for line_break in _BREAKS:
        joined = joined.replace(line_break, "")
    found = set()
    for trigger in _TRIGGERS.present(joined):
        count = lowered.count(trigger)
        if count:
            found.add(trigger)
        if trigger in _KIND_TRIGGERS and joined.count(trigger) > count:
            found |= {trigger, _CUT}
    # a literal that starts with the end of an escaped break (\\npm_…) is not in the text without it
    for trigger in _BREAK_ENDINGS:
        if trigger in lowered:
            found.add(trigger)
    return found


def _find(
    text: str, lowered: str, found: set[str], masked: dict[str, str] | None
) -> list[tuple[int, int, str]]:
    """Every secret in *text* (*lowered*: its lower case, in which the triggers *found* occur), as
    (start, end, shown instead)."""
    spans = []
    if "-----begin" in found:
        spans += [(m.start(), m.end(), _PRIVATE_KEY_SHOWN) for m in _PRIVATE_KEY.regex.finditer(text)]
    triggers = found & _KIND_TRIGGERS
    if triggers:  # in _KINDS order: of two kinds that find the same secret, the first names it
        for kind in _KINDS if len(triggers) > 1 else _KINDS_BY_TRIGGER[next(iter(triggers))]:
            if kind.trigger in triggers:
                spans += _find_kind(text, kind, _CUT in found, masked)
    if "key=" in found or "token=" in found:
        for parameter in _PARAMETERS:
            spans += [_named(m) for m in parameter.regex.finditer(text)]
    names = found.intersection(_NAMED)
    if names:
        spans += _fields(text, lowered, names)
    return spans


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """*text* with each span replaced by what it shows; overlapping spans are merged (the first one's
    shown)."""
    out, done = [], 0
    for start, end, shown in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < done:  # inside or across the span before: widen that one
            done = max(done, end)
            continue
        out += [text[done:start], shown]
        done = end
    out.append(text[done:])
    return "".join(out)


def _find_kind(
    text: str, kind: _Kind, cut: bool, masked: dict[str, str] | None
) -> list[tuple[int, int, str]]:
    spans, covered = [], 0
    for m in _STARTS[kind.literal, cut].regex.finditer(text):
        if m.start() < covered:  # the rest of a secret already joined across a line break
            continue
        first = _BREAK.regex.sub("", m.group()) if cut else m.group()
        length, last, end = _run_on(text, kind, len(first) - len(kind.literal), first, m.end())
        trailing = len(last) - len(last.rstrip("."))  # a full stop after a token ends the sentence
        length, last, end = length - trailing, last[: len(last) - trailing], end - trailing
        if length >= kind.least:
            shown = _PRIVATE_KEY_SHOWN if kind.whole else _masked(kind.literal, length, last)
            if masked is not None:
                masked.setdefault(kind.name, shown)
            spans.append((m.start(), end, shown))
            covered = end
    return spans


def _run_on(text: str, kind: _Kind, length: int, last: str, end: int) -> tuple[int, str, int]:
    """A secret whose body has *length* characters, the last run of them *last*, ending at *end*: joined
    with the runs after line breaks that continue it (while it is shorter than its kind, and after
    that only runs that look random: a word on the line after a token is left alone). Returns the
    new length, last run and end."""
    continuation = _CONTINUATIONS[kind.body].regex
    while (m := continuation.match(text, end)) is not None:
        if kind.exact and length >= kind.exact:
            break
        run = m.group(1)
        if not (length < (kind.exact or kind.least) or kind.whole or _RANDOMISH.regex.search(run)):
            break
        length, last, end = length + len(run), run, m.end()
    return length, last, end


def _masked(prefix: str, length: int, last: str) -> str:
    """:func:`mask` for a secret known by its length after *prefix* and its last run."""
    tail = last[-4:]
    return (
        f"{prefix}…{tail}"
        if length > 8 and len(tail) == 4 and _SAFE_TAIL.regex.fullmatch(tail)
        else f"{prefix}…"
    )


# in a value, a sign that it was masked already (by us, or by whoever pasted it: AIza****)
_MASKED_ALREADY = ("…", "\\u2026", "***")


def _named(m: re.Match[str]) -> tuple[int, int, str]:
    value = m.group("value")
    masked = any(sign in value for sign in _MASKED_ALREADY)
    return m.start("value"), m.end("value"), value if masked else mask(value)


def _fields(text: str, lowered: str, names: set[str]) -> list[tuple[int, int, str]]:
    """`"refresh_token": "…"`, `Bearer …` and the like, for the *names* that occur in *lowered*. The
    names also occur in plain words (access_token_invalid), so the pattern is tried only where a name
    starts, never scanned across the whole text."""
    spans = []
    for name in names:
        pattern, pos = _NAMED[name], lowered.find(name)
        while pos != -1:
            after = pos + len(name)
            m = pattern.regex.match(text, pos) if lowered[after : after + 1] in _AFTER_NAMES else None
            value = m.group("value") if m else ""
            # a scheme's token may have any shape, so it must look random ("Bearer authentication" is prose)
            if value and (pattern is _FIELD or _RANDOMISH.regex.search(value)) and not _placeholder(value):
                spans.append(_named(m))
            pos = lowered.find(name, after)
    return spans


def _placeholder(value: str) -> bool:
    """Whether *value* is a name in capitals (YOUR_API_KEY, an environment variable), not a secret."""
    return "_" in value and value.isupper() and value.replace("_", "").isalnum()


class _View:
    """A text with *depth* levels of escapes undone, and where each of its characters came from."""

    __slots__ = ("_escapes", "_parent", "_starts", "depth", "text")

    def __init__(self, text: str, parent: _View | None = None) -> None:
        self.text, self._parent = text, parent
        self.depth = parent.depth + 1 if parent is not None else 0
        self._escapes: list[tuple[int, int]] = []  # spans in the parent's text of the escapes undone,
        self._starts: list[int] = []  # and where each of them is in this text

    def decoded(self) -> _View | None:
        """This text with one more level of escapes undone, or None when it has none."""
        # plain text and escapes, in turn: no Python call per escape
        pieces = _escapes(self.text).split(self.text)
        if len(pieces) == 1:
            return None
        pieces[1::2] = map(_unescape, pieces[1::2])
        return _View("".join(pieces), self)

    def source(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that [start, end) of this view came from."""
        view = self
        while view._parent is not None:
            start, end = view._in_parent(start, True), view._in_parent(end - 1, False)
            view = view._parent
        return start, end

    def _in_parent(self, pos: int, first: bool) -> int:
        """Where character *pos* starts (*first*) or ends in the parent's text."""
        if not self._escapes:  # worked out only when a secret was found here
            self._escapes = [m.span() for m in _escapes(self._parent.text).finditer(self._parent.text)]
            lost = accumulate(
                (end - start - 1 for start, end in self._escapes), initial=0
            )  # characters decoding saved
            self._starts = [start - saved for (start, _), saved in zip(self._escapes, lost, strict=False)]
        k = bisect_right(self._starts, pos) - 1
        if k >= 0 and self._starts[k] == pos:
            return self._escapes[k][0] if first else self._escapes[k][1]
        shift = pos if k < 0 else self._escapes[k][1] + (pos - self._starts[k] - 1)
        return shift if first else shift + 1


@lru_cache(maxsize=4096)
def _unescape(escape: str) -> str:
    if escape[0] == "%":
        return chr(int(escape[1:], 16))
    if escape[0] == "&":
        if escape == "&amp;":
            return "&"
        digits = escape[2:-1]
        code = int("0" + digits, 16) if digits[0] in "xX" else int(digits)
        return chr(code) if code < 0x110000 else "?"
    if escape[1] == "u":
        return chr(int(escape[-4:], 16))
    return _SIMPLE_ESCAPES.get(escape[1], escape[1])
