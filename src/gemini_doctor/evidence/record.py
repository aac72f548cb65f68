"""The normalised error record: everything the parser could read from one pasted error."""

from __future__ import annotations

from ..google.status import GRPC_CODES, STATUS_TO_HTTP  # noqa: F401 - re-exported: the parser reads them from here

# An empty value of these types is blank, as None is (a field that holds nothing). Tested as
# `value is None or (not value and isinstance(value, _EMPTY_WHEN_FALSE))`: `value in (None, "", [], {})`
# would compare each value with all four, on every field of every error.
_EMPTY_WHEN_FALSE = (str, list, dict)


class ErrorRecord:
    """One error, normalised. Every field is optional: a bare log line fills few of them.

    Secrets are never stored: ``key`` holds the masked form (``AIza…last4``).
    """

    code: int | None = None  # HTTP status
    status: str | None = None  # canonical google.rpc.Code name
    message: str | None = None  # error.message of the first body found
    reasons: list[str]  # ErrorInfo reasons, in order seen
    domain: str | None = None
    metadata: dict[str, str]  # merged ErrorInfo metadata
    details: list[dict]  # every details entry (JSON form)
    project: str | None = None  # consumer project id or number
    service: str | None = None  # e.g. generativelanguage.googleapis.com
    method: str | None = None
    permission: str | None = None
    error_info_id: str | None = None  # the IAM denial's ID for Policy Troubleshooter (2026 format)
    troubleshooter_url: str | None = None  # Google's console.cloud.google.com troubleshooter link for it
    deny_policy: str | None = (
        None  # the IAM deny policy that refuses it (check's Policy Troubleshooter probe)
    )
    resource: str | None = None
    model: str | None = None
    location: str | None = None
    quota_metric: str | None = None
    quota_limit: str | None = None
    quota_id: str | None = None
    key: str | None = None  # masked API key seen in the input
    token_kind: str | None = None  # oauth_access_token | refresh_token | jwt | auth_key (AQ.)
    surface: str | None = None  # gemini-api | vertex | firebase | code-assist
    oauth_error: str | None = None  # invalid_grant, invalid_scope, ... from a token endpoint
    retry_after: str | None = (
        None  # when Google says the quota resets (RetryInfo, quotaResetDelay), e.g. 5h59m59s
    )
    model_status: str | None = None  # the model's lifecycle today, on this surface (google.lifecycle)
    vendor: str | None = None  # another vendor whose error this is, not Google (evidence.foreign)
    bodies: int = 0  # how many google.rpc.Status bodies were found

    def __init__(self, **values: object) -> None:
        self.reasons, self.metadata, self.details = [], {}, []
        for name, value in values.items():
            if name not in FIELDS:
                raise TypeError(f"ErrorRecord has no field {name!r}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"ErrorRecord({', '.join(f'{k}={v!r}' for k, v in self.to_dict().items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErrorRecord) and self.to_dict() == other.to_dict()

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    def filled(self) -> set[str]:
        """Names of the fields that hold a value (only those set on the instance can)."""
        return {name for name, value in vars(self).items() if value}

    def fill_missing(self, **values: object) -> None:
        """Set each given field that is still empty; never overwrite what was read first."""
        for name, value in values.items():
            if value is None or (not value and isinstance(value, _EMPTY_WHEN_FALSE)):
                continue
            current = getattr(self, name)
            if current is None or (not current and isinstance(current, _EMPTY_WHEN_FALSE)):
                setattr(self, name, value)

    def to_dict(self) -> dict:
        """JSON form, empty fields left out, in field order."""
        values = vars(self)  # fields never set keep their empty class default
        return {name: value for name in FIELDS if (value := values.get(name))}


FIELDS = tuple(ErrorRecord.__annotations__)
