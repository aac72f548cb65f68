"""One Cloud Audit Logs entry (a LogEntry with an AuditLog protoPayload): the call it records as denied.

Read by check's audit-log probe (entries:list) and by scan (an export: ``gcloud logging read --format=json``).
Every value is kept only when it is in Google's syntax for its kind, so nothing else reaches the output.
"""

from __future__ import annotations

import re

PERMISSION_DENIED_CODE = 7  # google.rpc.Code.PERMISSION_DENIED, as audit entries write it
_METHOD = re.compile(r"[A-Za-z][\w.]{0,200}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z")


def audit_denial(entry: object) -> dict | None:
    """What a denied call's audit entry says (permission, principal, service, method, time), or None
    when *entry* is not an audit entry of a denied call."""
    from ..google.syntax import valid

    payload = entry.get("protoPayload") if isinstance(entry, dict) else None
    if not isinstance(payload, dict):
        return None
    denied = [
        a for a in payload.get("authorizationInfo") or () if isinstance(a, dict) and a.get("granted") is False
    ]
    status = payload.get("status") if isinstance(payload.get("status"), dict) else {}
    if not denied and status.get("code") != PERMISSION_DENIED_CODE:
        return None
    permission = denied[0].get("permission") if denied else None
    principal = (
        (payload.get("authenticationInfo") or {}).get("principalEmail")
        if isinstance(payload.get("authenticationInfo"), dict)
        else None
    )
    method, time = payload.get("methodName"), entry.get("timestamp")
    service = payload.get("serviceName")
    return {
        "permission": permission if valid("permission", permission) else None,
        "principal": principal if valid("email", principal) else None,
        "service": service if valid("service", service) else None,
        "method": method if isinstance(method, str) and _METHOD.fullmatch(method) else None,
        "time": time if isinstance(time, str) and _TIMESTAMP.fullmatch(time) else None,
    }
