"""Google's own syntax for every value a fix command or link may carry.

A value read from an error (or from a network answer) reaches a command only when it matches the
syntax of its kind: a project ID, a service name, a role, a member... Anything else is data for
prose, never code. Each pattern is anchored and has no nested repetition (linear time).
"""

from __future__ import annotations

import shlex

from ..matching.prefilter import LazyRegex

_EMAIL = r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9][A-Za-z0-9.-]{0,252}"
_PROJECT_ID = r"(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"  # google.com:legacy-ids too
_PROJECT_NUMBER = r"[0-9]{1,20}"

SYNTAX: dict[str, LazyRegex] = {
    name: LazyRegex(pattern)
    for name, pattern in {
        "project": rf"{_PROJECT_ID}|{_PROJECT_NUMBER}",
        "project_number": _PROJECT_NUMBER,
        "service": r"[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9][a-z0-9-]{0,62}){0,4}\.googleapis\.com",
        "role": r"(?:(?:projects|organizations)/[a-z0-9:.-]{1,100}/)?roles/[A-Za-z0-9_.]{1,128}",
        "principal": rf"(?:user|serviceAccount|group):{_EMAIL}|domain:[A-Za-z0-9][A-Za-z0-9.-]{{0,252}}",
        "email": _EMAIL,
        "permission": r"[a-z][A-Za-z0-9]{0,62}(?:\.[A-Za-z0-9]{1,64}){1,4}",
        "location": r"[a-z][a-z0-9-]{0,30}[a-z0-9]",
        "zone": r"[a-z]{2,12}-[a-z]{2,12}[0-9]{1,2}-[a-z]",
        "instance": r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?",
        "model": r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}(?:@[A-Za-z0-9._-]{1,32})?",
        "replacement": r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}",  # a current model recommended instead
        "key_id": r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}",
        "billing_account": r"[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}",
        "quota_metric": r"[a-z0-9][a-z0-9._/-]{0,199}",
        "error_info_id": r"[A-Za-z0-9+/_-]{8,1000}={0,2}",  # base64, as IAM denials carry it
        "deny_policy": r"[a-z][a-z0-9-]{0,62}",  # an IAM deny policy's ID
    }.items()
}

# What to call each kind when its value is refused ("… is not a valid project ID").
KIND_NAMES = {
    "project": "project ID or number",
    "project_number": "project number",
    "service": "service name",
    "role": "role",
    "principal": "IAM member",
    "email": "e-mail address",
    "permission": "permission name",
    "location": "location",
    "zone": "zone",
    "instance": "instance name",
    "model": "model name",
    "replacement": "model name",
    "key_id": "key ID",
    "billing_account": "billing account ID",
    "quota_metric": "quota metric",
    "error_info_id": "IAM error ID",
    "deny_policy": "deny policy ID",
}


def valid(kind: str, value: object) -> bool:
    """True when *value* is a string in Google's syntax for *kind* (an unknown kind has none)."""
    pattern = SYNTAX.get(kind)
    return pattern is not None and isinstance(value, str) and pattern.regex.fullmatch(value) is not None


def shell_value(kind: str, value: object) -> str | None:
    """*value* ready for a shell command (valid, then quoted as defence in depth), else None."""
    return shlex.quote(value) if valid(kind, value) else None


def url_value(kind: str, value: object) -> str | None:
    """*value* ready for a link (valid, then percent-encoded as defence in depth), else None."""
    from urllib.parse import quote  # here: few runs need it, and it imports ipaddress

    return quote(value, safe="@:") if valid(kind, value) else None
