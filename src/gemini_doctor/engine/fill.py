"""Fill catalogue templates (``{project}``, ``{service}``, …) with what the evidence knows.

Prose gets every value as data (control characters made visible). Commands and links get a value
only when it matches Google's syntax for its kind (:mod:`.syntax`); a command whose value does not
is given back as a comment with the placeholder, so that pasting it runs nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..evidence.record import ErrorRecord
from ..google import model_lifecycle
from ..google.access import role_for
from ..google.services import GCLOUD_OWN_PROJECTS, GEMINI_API, SURFACES
from ..google.syntax import KIND_NAMES, shell_value, url_value
from ..textsafe import printable

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# In prose, a value the evidence does not know reads as a phrase, never as a bare NAME.
_UNKNOWN_IN_PROSE = {
    "project": "your project",
    "service": "the API",
    "model": "the model",
    "location": "this location",
    "role": "the role Google's IAM reference lists for it",
    "key": "your key",
    "instance": "your VM",
    "zone": "its zone",
    "principal": "the caller",
    "key_id": "the key",
    "billing_account": "a billing account",
    "email": "the service account",
    "real_project": "your real project",
    "api_key": "your key",
    "replacement": "a current model",
}
# In commands, an unknown value is a name to fill in; project IDs are PROJECT_ID everywhere.
_FILL_IN_NAMES = {"project": "PROJECT_ID", "real_project": "PROJECT_ID", "api_key": "YOUR_API_KEY"}
MAX_PROSE_VALUE = 200  # longer values are cut (with an ellipsis) before they reach prose


def template_values(
    record: ErrorRecord, extra: dict[str, str] | None = None, replacement: bool = False
) -> dict[str, str]:
    """The values a fix template may use, printable; unknown ones are left as upper-case placeholders.
    ``{replacement}`` (the model to use instead, from the model lifecycle table) is looked up only
    when *replacement* is true: the table is loaded only for the errors that need it."""
    surface = SURFACES.get(record.surface or "", GEMINI_API)
    permission = record.permission or surface.call_permission
    values = {
        "project": None if record.project in GCLOUD_OWN_PROJECTS else record.project,  # never gcloud's own
        "service": record.service or surface.service,
        "model": record.model,
        "location": record.location,
        "permission": permission or "the required permission",
        "role": role_for(permission),
        "quota_metric": record.quota_metric or "the quota",
        "key": record.key,
        "retry_after": record.retry_after,
        "error_info_id": record.error_info_id,
    }
    if replacement:
        table = model_lifecycle().model_table()
        values["replacement"] = table.instead_of(record.model, record.surface, record.location)
    values.update(extra or {})
    return {k: _prose(str(v)) for k, v in values.items() if v}


def fill(template: str | None, values: dict[str, str]) -> str | None:
    """Prose: replace ``{name}`` with its value, or with a phrase when unknown (see
    :func:`unknown_in_prose`)."""
    if template is None or "{" not in template:
        return template
    pieces = list(_pieces(template))
    for n in range(1, len(pieces), 2):
        value = values.get(pieces[n])
        if value is None:
            pieces[n - 1], value, pieces[n + 1] = unknown_in_prose(pieces[n - 1], pieces[n], pieces[n + 1])
        pieces[n] = value
    return "".join(pieces)


def unknown_in_prose(before: str, name: str, after: str) -> tuple[str, str, str]:
    """The text around an unknown value, and the phrase standing for it: a parenthesised unknown is
    dropped ("the model (MODEL) is" -> "the model is"), and a kind's noun right before it is folded into
    the phrase ("in project PROJECT" -> "in your project")."""
    if before.endswith(" (") and after.startswith(")"):
        return before[:-2], "", after[1:]
    phrase = _UNKNOWN_IN_PROSE.get(name) or "the " + name.replace("_", " ")
    noun = name.replace("_", " ") + " "
    capital = False
    if before[-len(noun) :].lower() == noun:  # (*before* may be a long piece of JSON: only its end is read)
        capital = before[-len(noun)].isupper()
        before = before[: -len(noun)]
    if capital or not before or before.isspace() or before.endswith((". ", ':"')):  # ':"' opens a JSON string
        phrase = phrase[0].upper() + phrase[1:]
    return before, phrase, after


def fill_command(template: str, values: dict[str, str]) -> str:
    """A shell command: each value valid for its kind and quoted, else ``NAME``. A command that
    cannot run as pasted (a value unknown, or refused) comes back as a ``#`` comment saying what to
    fill in."""
    missing: list[str] = []
    pieces = list(_pieces(template))
    for n in range(1, len(pieces), 2):
        name = pieces[n]
        value = values.get(name)
        quoted = None if value is None else shell_value(name, value)
        if quoted is None:
            missing.append(
                f"{fill_in_name(name)} (the error's value is not a valid {KIND_NAMES.get(name, name)})"
                if value is not None
                else f"{fill_in_name(name)} (not in the error)"
            )
        pieces[n] = quoted or fill_in_name(name)
    command = "".join(pieces)
    if not missing:
        return command
    return f"# {command}    <- fill in {', '.join(dict.fromkeys(missing))}"


def fill_in_name(name: str) -> str:
    """What a command shows for a value the user has to fill in: ``PROJECT_ID``, ``MODEL``, ..."""
    return _FILL_IN_NAMES.get(name) or name.upper()


def fill_url(template: str, values: dict[str, str]) -> str:
    """A link: each value valid for its kind and percent-encoded, else ``NAME``."""
    pieces = list(_pieces(template))
    for n in range(1, len(pieces), 2):
        pieces[n] = url_value(pieces[n], values.get(pieces[n])) or fill_in_name(pieces[n])
    return "".join(pieces)


@lru_cache(maxsize=1024)  # the catalogue's templates, cut once
def _pieces(template: str) -> tuple[str, ...]:
    """*template* cut at its placeholders: text, name, text, name, ..., text."""
    return tuple(_PLACEHOLDER.split(template))


def _prose(value: str) -> str:
    value = printable(value)
    return value if len(value) <= MAX_PROSE_VALUE else value[: MAX_PROSE_VALUE - 1] + "…"
