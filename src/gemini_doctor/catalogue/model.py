"""The cause catalogue's types: causes, the signals that point to them, and their fix steps."""

from __future__ import annotations

from collections import namedtuple

# Signal conditions and flags beyond weight and says, with their defaults (an absent condition holds)
_SIGNAL_CONDITIONS: dict[str, object] = {
    "reasons": frozenset(),  # ErrorInfo reasons; any one matches
    "text": None,  # Prefiltered pattern over the error text
    "statuses": frozenset(),
    "codes": frozenset(),
    "surfaces": frozenset(),
    "fields": (),  # ((record field, compiled pattern), ...)
    "facts": frozenset(),
    "fallback": False,
    "demote": (),  # ((cause id, factor), ...)
    "settles": True,
}

# The {placeholders} a cause's texts may use. Each is filled from the error or the live checks when they
# know it; else prose reads a phrase ("your project") and a command becomes a comment naming what to fill in.
PLACEHOLDERS = {
    "project": "the consumer project (ID or number)",
    "service": "the API's service name, e.g. generativelanguage.googleapis.com",
    "model": "the model ID",
    "location": "the Vertex AI location",
    "permission": "the IAM permission Google says is missing",
    "error_info_id": "the IAM denial's error ID, which Google's Policy Troubleshooter explains",
    "role": "the narrowest predefined role that carries the permission",
    "quota_metric": "the quota metric that ran out",
    "key": "the API key, masked",
    "retry_after": "how long Google asks the caller to wait",
    "replacement": "the model to use instead (from the model lifecycle table)",
    "key_id": "the API key's ID (from check)",
    "principal": "the IAM member the call runs as (from check), e.g. serviceAccount:…",
    "instance": "the user's Compute Engine instance",
    "zone": "that instance's zone",
    "email": "the service account's e-mail (from check)",
    "api_key": "an API key for the user to paste (never filled: a command with it is a comment)",
    "real_project": "the project the user meant (never filled: the user picks it)",
    "billing_account": "the open billing account to link (from check, when the caller may link exactly one)",
    "deny_policy": (
        "the ID of the IAM deny policy that refuses the permission (from check's Policy Troubleshooter probe)"
    ),
}

RETRY_ADVICE = {
    "yes": "Retrying can help: this is transient (back off and retry).",
    "after_fix": (
        "Retrying as-is will fail the same way; after the fix, retry (allow a few minutes to propagate)."
    ),
    "no": "Retrying this request will not help: the request itself must change.",
    "unknown": "Whether retrying helps is not known until the cause is: gemini-doctor check tells.",
}


class CatalogueError(ValueError):
    """A catalogue file is malformed or names something that does not exist; the message says where."""


class Signal(
    namedtuple("Signal", ["weight", "says", *_SIGNAL_CONDITIONS], defaults=_SIGNAL_CONDITIONS.values())
):
    """One piece of evidence that points to a cause. Every condition given must hold.

    ``weight`` is how strongly it alone points to the cause (0..1). ``text`` is a case-insensitive
    pattern with its prefilter; ``facts`` are live-check facts (from `check`), any one matches.
    A ``fallback`` signal only counts when nothing stronger was found anywhere. ``demote`` lowers
    other causes when this signal matches (a cross-signal: e.g. a placeholder project under
    SERVICE_DISABLED). ``settles`` is False for a signal that points to the cause without deciding it
    (a bare 429 is not told from a zero limit): a cause with only such signals is never settled.
    """

    __slots__ = ()


class FixStep(namedtuple("FixStep", "step command url when unless", defaults=(None, None, (), ()))):
    """One numbered fix step: what to do, and optionally the command to run or the page to open.

    ``when`` / ``unless`` are ((record field, compiled pattern), ...): the step is shown only when
    every ``when`` pattern matches, and hidden when every ``unless`` pattern does (e.g. no "enable
    the API" for a service whose project belongs to Google).
    """

    __slots__ = ()


class Cause(namedtuple("Cause", "id title why retry checks fix signals", defaults=((), (), ()))):
    """A cause from ``spec/causes.md`` with its texts, live checks, fix steps and signals."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Cause({self.id!r})"
