"""A diagnosis: ranked causes with their evidence, and its stable JSON form.

The JSON form is written as text, cause by cause, from templates compiled once per catalogue
cause: :func:`_cause_dict` (the schema, in one place) is encoded with a marker for each JSON value
that varies (the confidence, the evidence, and every text, command or link with a template value to
fill in), and each error then only fills those values. Each such text is itself compiled into
encoded JSON and the value forms that go between (:class:`.fill.CompiledText`: commands and links
get each value checked for its kind, once per error), so only values from the input are encoded
per error. ``to_dict`` builds the same schema directly from :func:`_cause_dict`. (Encoding every
cause's dict anew, with texts that are almost all constant, was a third of a batch run's time.) As
every part that can come from the input is one whole JSON value, :meth:`Diagnosis.to_redacted_json`
needs to scan only those for secrets (see :func:`..redact.redact_json`)."""

from __future__ import annotations

import re
from collections import namedtuple
from json.encoder import encode_basestring_ascii

from ..catalogue import RETRY_ADVICE, Cause
from ..evidence.record import ErrorRecord
from ..jsontext import encode
from ..redact import proven_clean, redact_json
from .fill import CompiledText, Forms, compiled_text, fill, fill_command, fill_url, template_values

SETTLED_AT = 0.8  # top confidence from which the text alone settles the cause
SETTLED_MARGIN = 0.15  # ... provided the runner-up trails by at least this much
RIVAL_AT = 0.5  # ... and no runner-up is a credible rival (at or above this)
UNKNOWN = "unknown"  # the cause ID ranked when nothing matches
NEXT_STEP = "Run `gemini-doctor check` to tell these apart with live checks of your setup."

# decisive: a signal that settles the cause matched (a generic one, such as a bare 429, does not)
RankedCause = namedtuple("RankedCause", "cause confidence evidence decisive", defaults=(True,))


class Diagnosis:
    """Ranked causes (best first) for one record; *extra_values* fill fix templates the record cannot."""

    __slots__ = ("causes", "record", "extra_values")

    def __init__(
        self, causes: list[RankedCause], record: ErrorRecord, extra_values: dict[str, str] | None = None
    ) -> None:
        self.causes, self.record, self.extra_values = causes, record, extra_values or {}

    @property
    def top(self) -> RankedCause:
        return self.causes[0]

    @property
    def found(self) -> bool:
        """True when at least one real cause (not ``unknown``) was named."""
        return self.top.cause.id != UNKNOWN

    @property
    def settled(self) -> bool:
        """True when the text alone decides the cause: a decisive signal put it well ahead, and no
        other cause is left as a credible rival."""
        top = self.top
        if not self.found or top.confidence < SETTLED_AT or not top.decisive:
            return False
        if len(self.causes) == 1:
            return True
        runner_up = self.causes[1].confidence
        return runner_up < RIVAL_AT and runner_up <= top.confidence - SETTLED_MARGIN

    def to_dict(self) -> dict:
        """The stable JSON schema documented in README ("JSON output"); equal to ``json.loads(to_json())``."""
        compiled = [_compiled(ranked.cause) for ranked in self.causes]
        values = self._values(compiled)
        causes = []
        for ranked, steps in zip(self.causes, compiled, strict=True):
            cause = _cause_dict(ranked, values, shown=steps.shown(self.record))
            cause["evidence"] = list(ranked.evidence)
            causes.append(cause)
        settled = self.settled
        out = {"causes": causes, "settled": settled, "parsed": _copied(self.record.to_dict())}
        if not settled:
            out["next_step"] = NEXT_STEP
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as compact ASCII JSON text (not redacted: see :meth:`to_redacted_json`)."""
        return self.json_text([])

    def to_redacted_json(self) -> str:
        """:meth:`to_json` with every secret redacted, as :func:`..redact.redact` would leave it."""
        values: list[str] = []
        return redact_json(self.json_text(values), values)

    def json_text(self, values: list[str]) -> str:
        """:meth:`to_json`; every JSON value in it that may hold text from the input is appended to
        *values* (the rest is catalogue text and the schema, proven clean when compiled)."""
        record = self.record
        compiled = [_compiled(ranked.cause) for ranked in self.causes]
        forms = Forms(self._values(compiled))
        causes = ",".join(
            [
                cause.json(ranked, forms, record, values)
                for cause, ranked in zip(compiled, self.causes, strict=True)
            ]
        )
        parsed = encode(record.to_dict())
        values.append(parsed)
        settled = self.settled
        return (
            f'{{"causes":[{causes}],"settled":{"true" if settled else "false"},'
            f'"parsed":{parsed}{"" if settled else _NEXT_STEP_JSON}}}'
        )

    def _values(self, compiled: list[_CompiledCause]) -> dict[str, str]:
        """The template values; *compiled*: the causes, compiled (the model to use instead is looked
        up only when one of them names it)."""
        wanted = any([cause.replacement for cause in compiled])
        return template_values(self.record, self.extra_values, replacement=wanted)


_NEXT_STEP_JSON = f',"next_step":{encode(NEXT_STEP)}'


def _copied(value: object) -> object:
    """*value* with its lists and dicts copied (what a JSON round trip would give the caller)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copied(item) for item in value]
    return value


_FILLERS = {"command": fill_command, "url": fill_url, "prose": fill}


def _filled(kind: str, template: str | None, values: dict[str, str]) -> str | None:
    """A command or link filled in (each value checked for its kind), or prose (see :func:`.fill.fill`)."""
    return _FILLERS[kind](template, values) if template and "{" in template else template


def _cause_dict(
    ranked: RankedCause, values: dict[str, str], filled=_filled, shown: tuple[bool, ...] | None = None
) -> dict:
    """One cause's part of the schema (compiled into a template by :func:`_template`); *shown* says
    which fix steps apply (all when None)."""
    cause = ranked.cause
    fix = []
    for n, step in enumerate(cause.fix):
        if shown is not None and not shown[n]:
            continue
        item = {"step": filled("prose", step.step, values)}
        if step.command:
            item["command"] = filled("command", step.command, values)
        if step.url:
            item["url"] = filled("url", step.url, values)
        fix.append(item)
    return {
        "id": cause.id,
        "confidence": ranked.confidence,
        "title": cause.title,
        "why": filled("prose", cause.why, values),
        "evidence": ranked.evidence,
        "checks": [filled("prose", c, values) for c in cause.checks],
        "fix": fix,
        "retry": cause.retry,
        "retry_advice": RETRY_ADVICE[cause.retry],
    }


# A marker that survives JSON encoding: a whole string \x02field\x02 is a field of the ranked cause,
# or a text, command or link to fill in (by its index among the cause's), written as JSON of its own.
_FIELD_MARK = "\x02"
_MARKED = re.compile(r'"\\u0002([a-z_0-9]+)\\u0002"')


def _template(cause: Cause, shown: tuple[bool, ...] | None) -> tuple[list[str], tuple[int, ...], list, bool]:
    """*cause*'s JSON with its variable values cut out: text, slot, text, slot, ..., text; which value
    goes in each slot (*n* for the n-th text, command or link to fill, returned next, then the
    confidence and the evidence); and whether the texts between the slots are proven clean of
    secrets (:func:`..redact.proven_clean`), once for all errors."""
    texts: list[CompiledText] = []

    def mark(kind: str, template: str | None, values: dict[str, str]) -> str | None:
        if not template or "{" not in template:
            return template
        texts.append(compiled_text(_FILLERS[kind], template))
        return f"{_FIELD_MARK}{len(texts) - 1}{_FIELD_MARK}"

    marked = RankedCause(
        cause, f"{_FIELD_MARK}confidence{_FIELD_MARK}", f"{_FIELD_MARK}evidence{_FIELD_MARK}"
    )
    pieces = _MARKED.split(encode(_cause_dict(marked, {}, mark, shown)))
    fields = {"confidence": len(texts), "evidence": len(texts) + 1}
    order = tuple(int(slot) if slot.isdigit() else fields[slot] for slot in pieces[1::2])
    return pieces, order, texts, all(map(proven_clean, pieces[::2]))


class _CompiledCause:
    """A catalogue cause ready for the JSON form: whether its texts use ``{replacement}`` (the model
    to use instead), whether some fix step has a condition, and its templates (see :func:`_template`)
    by the steps shown."""

    __slots__ = ("cause", "conditional", "replacement", "_templates")

    def __init__(self, cause: Cause) -> None:
        self.cause = cause  # (kept alive: compiled causes are found by id)
        texts = [cause.why, *cause.checks, *(t for step in cause.fix for t in step[:3] if t)]
        self.replacement = any("{replacement}" in t for t in texts)
        self.conditional = any(step.when or step.unless for step in cause.fix)
        self._templates: dict[tuple[bool, ...] | None, tuple] = {}

    def shown(self, record: ErrorRecord) -> tuple[bool, ...] | None:
        """Which fix steps apply to *record* (None: all, as no step has a condition)."""
        if not self.conditional:
            return None
        return tuple(
            _holds(step.when, record, True) and not _holds(step.unless, record, False)
            for step in self.cause.fix
        )

    def json(self, ranked: RankedCause, forms: Forms, record: ErrorRecord, variable: list[str]) -> str:
        """*ranked* (of this cause) as JSON for *record*, filled with *forms*; the JSON values in it
        that may hold text from the input are appended to *variable*."""
        shown = self.shown(record) if self.conditional else None
        template = self._templates.get(shown)
        if template is None:
            template = self._templates[shown] = _template(self.cause, shown)
        pieces, order, texts, clean = template
        filled = [text.json(forms, variable) for text in texts]
        # a list of strings: what encode() writes, without its set-up per call
        evidence = f"[{','.join(map(encode_basestring_ascii, ranked.evidence))}]"
        variable.append(evidence)
        filled += (repr(ranked.confidence), evidence)
        pieces = pieces.copy()
        pieces[1::2] = map(filled.__getitem__, order)
        out = "".join(pieces)
        if not clean:  # (no catalogue text is meant to look like a secret: then the whole is scanned)
            variable.append(out)
        return out


# Compiled causes by id(cause); each keeps its cause alive, so an id is never reused while it is
# cached (the cap only matters to a process that builds catalogue after catalogue).
_MAX_COMPILED = 4096
_COMPILED: dict[int, _CompiledCause] = {}


def _compiled(cause: Cause) -> _CompiledCause:
    compiled = _COMPILED.get(id(cause))
    if compiled is None:
        if len(_COMPILED) >= _MAX_COMPILED:
            _COMPILED.clear()
        compiled = _COMPILED[id(cause)] = _CompiledCause(cause)
    return compiled


def _holds(conditions: tuple, record: ErrorRecord, empty: bool) -> bool:
    if not conditions:
        return empty
    for name, pattern in conditions:
        value = getattr(record, name, None)
        if not isinstance(value, str) or not pattern.search(value):
            return False
    return True
