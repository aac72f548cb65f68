"""Fill catalogue templates (``{project}``, ``{service}``, …) with what the evidence knows.

Prose gets every value as data (control characters made visible). Commands and links get a value
only when it matches Google's syntax for its kind (:mod:`.syntax`); a command whose value does not
is given back as a comment with the placeholder, so that pasting it runs nothing.
"""

from __future__ import annotations

import re

from ..evidence.record import ErrorRecord
from ..google.access import role_for
from ..google.services import GEMINI_API, SURFACES
from ..textsafe import printable
from .syntax import KIND_NAMES, shell_value, url_value

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
MAX_PROSE_VALUE = 200          # longer values are cut (with an ellipsis) before they reach prose


def template_values(record: ErrorRecord, extra: dict[str, str] | None = None, replacement: bool = False) -> dict[str, str]:
    """The values a fix template may use, printable; unknown ones are left as upper-case placeholders.
    ``{replacement}`` (the model to use instead, from the model lifecycle table) is looked up only
    when *replacement* is true: the table is loaded only for the errors that need it."""
    surface = SURFACES.get(record.surface or "", GEMINI_API)
    permission = record.permission or surface.call_permission
    values = {
        "project": record.project,
        "service": record.service or surface.service,
        "model": record.model,
        "location": record.location,
        "permission": permission or "the required permission",
        "role": role_for(permission),
        "quota_metric": record.quota_metric or "the quota",
        "key": record.key,
        "retry_after": record.retry_after,
    }
    if replacement:
        from ..google.lifecycle import model_table

        values["replacement"] = model_table().instead_of(record.model, record.surface, record.location)
    values.update(extra or {})
    return {k: _prose(str(v)) for k, v in values.items() if v}


def fill(template: str | None, values: dict[str, str]) -> str | None:
    """Replace ``{name}`` with its value, or ``NAME`` when unknown, so the user sees what to fill in."""
    if template is None or "{" not in template:
        return template
    return _PLACEHOLDER.sub(lambda m: value_or_name(values, m.group(1)), template)


def fill_command(template: str, values: dict[str, str]) -> str:
    """A shell command: each value valid for its kind and quoted, else ``NAME``. When a value was
    refused, the command comes back as a ``#`` comment that says what to fill in."""
    refused: list[str] = []

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        value = values.get(name)
        if value is None:
            return name.upper()
        quoted = shell_value(name, value)
        if quoted is None:
            refused.append(name)
            return name.upper()
        return quoted

    command = _PLACEHOLDER.sub(one, template)
    if not refused:
        return command
    what = ", ".join(f"{name.upper()} (the error's value is not a valid {KIND_NAMES.get(name, name)})" for name in refused)
    return f"# {command}    <- fill in {what}"


def fill_url(template: str, values: dict[str, str]) -> str:
    """A link: each value valid for its kind and percent-encoded, else ``NAME``."""
    return _PLACEHOLDER.sub(lambda m: url_value(m.group(1), values.get(m.group(1))) or m.group(1).upper(), template)


def value_or_name(values: dict[str, str], name: str) -> str:
    """*name*'s value, or ``NAME`` when the evidence does not know it."""
    return values.get(name) or name.upper()


def _prose(value: str) -> str:
    value = printable(value)
    return value if len(value) <= MAX_PROSE_VALUE else value[: MAX_PROSE_VALUE - 1] + "…"
