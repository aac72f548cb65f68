"""The normalised error record: everything the parser could read from one pasted error."""

from __future__ import annotations

# google.rpc.Code name -> HTTP status (google-apis.md §0.2)
STATUS_TO_HTTP = {
    "OK": 200, "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401, "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "ALREADY_EXISTS": 409,
    "ABORTED": 409, "RESOURCE_EXHAUSTED": 429, "CANCELLED": 499, "UNKNOWN": 500, "INTERNAL": 500,
    "DATA_LOSS": 500, "UNIMPLEMENTED": 501, "UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504,
}
# gRPC numeric code -> name
GRPC_CODES = {
    1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
    6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
    10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE",
    15: "DATA_LOSS", 16: "UNAUTHENTICATED",
}


# (field, what it holds); every field starts empty: None, or an empty list / dict, or 0
FIELDS = (
    ("code", "HTTP status"),
    ("status", "canonical google.rpc.Code name"),
    ("message", "error.message of the first body found"),
    ("reasons", "ErrorInfo reasons, in order seen"),
    ("domain", "ErrorInfo domain"),
    ("metadata", "merged ErrorInfo metadata"),
    ("details", "every details entry (JSON form)"),
    ("project", "consumer project id or number"),
    ("service", "e.g. generativelanguage.googleapis.com"),
    ("method", "API method"),
    ("permission", "IAM permission"),
    ("resource", "resource named by the error"),
    ("model", "model id"),
    ("location", "region"),
    ("quota_metric", "quota metric"),
    ("quota_limit", "quota limit value"),
    ("quota_id", "quota id"),
    ("key", "masked API key seen in the input"),
    ("token_kind", "oauth_access_token | refresh_token | jwt | express_key"),
    ("surface", "gemini-api | vertex | firebase | code-assist"),
    ("oauth_error", "invalid_grant, invalid_scope, ... from a token endpoint"),
    ("bodies", "how many google.rpc.Status bodies were found"),
)
_EMPTY = {"reasons": list, "metadata": dict, "details": list, "bodies": int}
_BLANK = (None, "", [], {})


class ErrorRecord:
    """One error, normalised. Every field (see :data:`FIELDS`) is optional: a bare log line fills few.

    Secrets are never stored: ``key`` holds the masked form (``AIza…last4``).
    """

    __slots__ = tuple(name for name, _ in FIELDS)

    def __init__(self, **values: object) -> None:
        for name in self.__slots__:
            setattr(self, name, _EMPTY[name]() if name in _EMPTY else None)
        for name, value in values.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"ErrorRecord({', '.join(f'{k}={v!r}' for k, v in self.to_dict().items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErrorRecord) and self.to_dict() == other.to_dict()

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    def filled(self) -> set[str]:
        """Names of the fields that hold a value."""
        return {name for name in self.__slots__ if getattr(self, name)}

    def fill_missing(self, **values: object) -> None:
        """Set each given field that is still empty; never overwrite what was read first."""
        for name, value in values.items():
            if value not in _BLANK and getattr(self, name) in _BLANK:
                setattr(self, name, value)

    def to_dict(self) -> dict:
        """JSON form, empty fields left out."""
        return {name: value for name in self.__slots__ if (value := getattr(self, name))}
