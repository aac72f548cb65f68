"""Google's error status names (google.rpc.Code) and the HTTP codes and gRPC numbers that go with them."""

from __future__ import annotations

# google.rpc.Code name -> HTTP status (google-apis.md §0.2)
STATUS_TO_HTTP = {
    "OK": 200,
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INTERNAL": 500,
    "DATA_LOSS": 500,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}
# gRPC numeric code -> name
GRPC_CODES = {
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}
# HTTP status -> the status name Google sends with it (where several share a code, the usual one)
HTTP_TO_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def status_for(http_status: int) -> str:
    """The status name Google sends with *http_status* (``UNKNOWN`` when none is usual)."""
    return HTTP_TO_STATUS.get(http_status, "UNKNOWN")


def _validate() -> None:
    wrong = [f"{code} -> {name}" for code, name in HTTP_TO_STATUS.items() if STATUS_TO_HTTP.get(name) != code]
    wrong += [f"gRPC {number} -> {name}" for number, name in GRPC_CODES.items() if name not in STATUS_TO_HTTP]
    if wrong:
        raise ValueError(f"google.status: links that do not hold: {', '.join(wrong)}")


_validate()
