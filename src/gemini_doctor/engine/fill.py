"""Fill catalogue templates (``{project}``, ``{service}``, …) with what the evidence knows.

Prose gets every value as data (control characters made visible). Commands and links get a value
only when it matches Google's syntax for its kind (:mod:`.syntax`); a command whose value does not
is given back as a comment with the placeholder, so that pasting it runs nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from json.encoder import encode_basestring_ascii

from ..evidence.record import ErrorRecord
from ..google import model_lifecycle
from ..google.access import role_for
from ..google.services import GCLOUD_OWN_PROJECTS, GEMINI_API, SURFACES
from ..google.syntax import KIND_NAMES, shell_value, url_value, valid
from ..redact import proven_clean
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
    if extra:
        values.update(extra)
    return {k: _prose(v) for k, v in values.items() if v}


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


def fill_command(template: str, values: dict[str, str], quote=shell_value) -> str:
    """A shell command: each value valid for its kind and quoted (by *quote*), else ``NAME``. A
    command that cannot run as pasted (a value unknown, or refused) comes back as a ``#`` comment
    saying what to fill in."""
    missing: list[str] = []
    pieces = list(_pieces(template))
    for n in range(1, len(pieces), 2):
        name = pieces[n]
        value = values.get(name)
        quoted = None if value is None else quote(name, value)
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


def fill_url(template: str, values: dict[str, str], quote=url_value) -> str:
    """A link: each value valid for its kind and percent-encoded (by *quote*), else ``NAME``."""
    pieces = list(_pieces(template))
    for n in range(1, len(pieces), 2):
        pieces[n] = quote(pieces[n], values.get(pieces[n])) or fill_in_name(pieces[n])
    return "".join(pieces)


@lru_cache(maxsize=1024)  # the catalogue's templates, cut once
def _pieces(template: str) -> tuple[str, ...]:
    """*template* cut at its placeholders: text, name, text, name, ..., text."""
    return tuple(_PLACEHOLDER.split(template))


def _prose(value: object) -> str:
    """*value* as prose shows it: printable, and cut when too long."""
    if type(value) is str and len(value) <= MAX_PROSE_VALUE and value.isprintable():
        return value  # (most values: no call below)
    value = printable(str(value))
    return value if len(value) <= MAX_PROSE_VALUE else value[: MAX_PROSE_VALUE - 1] + "…"


class Forms(dict):
    """One error's template values in the forms a :class:`CompiledText` fills in, each worked out on
    first use: ``forms[name]`` for prose, ``forms["$" + name]`` quoted for a shell and
    ``forms["%" + name]`` percent-encoded for a link (JSON string contents, without the quotes), and
    ``forms["?" + name]``: whether the value is valid for its kind (None when it is unknown)."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__()
        self.values = values

    def __missing__(self, key: str) -> object:
        kind, name = key[0], key[1:]
        if kind == "?":
            form = None if name not in self.values else valid(name, self.values[name])
        elif kind == "$":
            form = encode_basestring_ascii(shell_value(name, self.values[name]))[1:-1]
        elif kind == "%":
            form = encode_basestring_ascii(url_value(name, self.values[name]))[1:-1]
        else:
            form = encode_basestring_ascii(self.values[key])[1:-1]
        self[key] = form
        return form


_MARK = "\x02"  # around a form's key in a template filled for compiling (values never hold it: printable)


class CompiledText:
    """A catalogue text, command or link, filled straight into JSON: for each pattern of which of its
    values are known (and, in a command or link, valid), its JSON form is compiled once into encoded
    text and the keys of the forms (see :class:`Forms`) that go between."""

    __slots__ = ("_filler", "_forms", "_keys", "_prose", "template")

    def __init__(self, filler, template: str) -> None:
        self._filler, self.template = filler, template
        self._prose = filler is fill
        names = _pieces(template)[1::2]
        self._keys = names if self._prose else tuple("?" + name for name in names)
        self._forms: dict[tuple, tuple[list[str], tuple[str, ...], bool]] = {}

    def json(self, forms: Forms, variable: list[str]) -> str:
        """The text filled with *forms*, as a JSON string; appended to *variable* too when it holds a
        value from the input (or, all catalogue text, it is not proven clean of secrets)."""
        known = tuple(map(forms.values.__contains__ if self._prose else forms.__getitem__, self._keys))
        compiled = self._forms.get(known)
        if compiled is None:
            compiled = self._forms[known] = self._compile(dict(zip(self._keys, known, strict=True)))
        pieces, keys, clean = compiled
        if not keys:  # all catalogue text
            if not clean:
                variable.append(pieces[0])
            return pieces[0]
        pieces = pieces.copy()
        pieces[1::2] = map(forms.__getitem__, keys)
        variable.append(text := "".join(pieces))
        return text

    def _compile(self, known: dict[str, object]) -> tuple[list[str], tuple[str, ...], bool]:
        """The JSON string's pieces (encoded text, then a form's key, in turn) for values known (prose)
        or valid (True), invalid (False) or unknown (None), as *known* says by key; last, whether it
        is all catalogue text, proven clean of secrets (:func:`..redact.proven_clean`)."""
        if self._prose:
            marked = fill(self.template, {name: f"{_MARK}{name}{_MARK}" for name, k in known.items() if k})
        else:
            prefix = "$" if self._filler is fill_command else "%"
            values = {key[1:]: "" for key, state in known.items() if state is not None}

            def quote(name: str, _: str) -> str | None:
                return f"{_MARK}{prefix}{name}{_MARK}" if known["?" + name] else None

            marked = self._filler(self.template, values, quote)
        pieces = marked.split(_MARK)
        pieces[::2] = [encode_basestring_ascii(text)[1:-1] for text in pieces[::2]]
        pieces[0] = f'"{pieces[0]}'
        pieces[-1] += '"'
        keys = tuple(pieces[1::2])
        return pieces, keys, not keys and proven_clean(pieces[0])


@lru_cache(maxsize=4096)  # one per catalogue text, shared by the causes that use it
def compiled_text(filler, template: str) -> CompiledText:
    """*template* compiled for *filler* (:func:`fill`, :func:`fill_command` or :func:`fill_url`)."""
    return CompiledText(filler, template)
