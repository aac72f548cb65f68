"""Turn any pasted error into :class:`Evidence`: a normalised record plus the searchable text."""

from __future__ import annotations

from ..google import model_lifecycle
from ..matching.literals import lower_in_step
from ..matching.prefilter import LazyRegex
from ..redact import redact_noting
from .bodies import find_bodies
from .foreign import foreign_vendor
from .loose import (
    first_line,
    is_project_id,
    is_redacted,
    read_fields,
    scan,
    secrets_seen,
    service_by_title,
    surface_of,
    unescape,
)
from .record import STATUS_TO_HTTP, ErrorRecord
from .troubleshooter import read_troubleshooter

MAX_INPUT_CHARS = 1 << 20
# A terminal UI's box borders (Gemini CLI draws them through wrapped error lines) read as spaces
_BOX_BORDERS = LazyRegex("[│┃║╎╏┆┇┊┋]")


class Evidence:
    """What one error says: the record, and the text catalogue patterns search.

    ``text`` is unescaped and has every run of white space folded to one space, so a message
    wrapped by a terminal still matches; ``lowered`` is it in lower case, character for character.
    ``facts`` maps live-check facts (from `check`) to what was seen.
    """

    __slots__ = ("record", "text", "lowered", "facts")

    def __init__(
        self, record: ErrorRecord, text: str, facts: dict[str, str] | None = None, lowered: str | None = None
    ) -> None:
        """*lowered*, when given, must be *text* from :func:`lower_in_step`."""
        self.record, self.facts = record, facts or {}
        self.text, self.lowered = (text, lowered) if lowered is not None else lower_in_step(text)


def parse_text(text: str) -> Evidence:
    """Parse *text* (any length; only the first MiB is read) into evidence. Never raises on bad input."""
    text = text[:MAX_INPUT_CHARS].replace("\x00", "")
    if not text.isascii():  # a lone surrogate (JSON "\ud800", a mis-decoded file) cannot be encoded: '?'
        text = _BOX_BORDERS.regex.sub(" ", text.encode("utf-8", "replace").decode("utf-8"))
    text, masked = redact_noting(
        text
    )  # from here on nothing can leak a secret: evidence holds masked forms only
    secrets = secrets_seen(masked)
    record = ErrorRecord()
    found = find_bodies(text)
    record.bodies = len(found.bodies)
    _read_bodies(record, found.bodies, found.details)
    plain = unescape(text)
    _read_metadata(record)
    scanned = scan(plain)
    loose = read_fields(scanned, record.filled())
    for key, value in loose.pop("metadata", {}).items():
        record.metadata.setdefault(key, value)
    for reason in loose.pop("reasons", []):
        if reason not in record.reasons:
            record.reasons.append(reason)
    _read_metadata(record)
    record.fill_missing(**loose)
    record.fill_missing(**secrets)
    read_troubleshooter(record)
    if record.code is None and record.status in STATUS_TO_HTTP:
        record.code = STATUS_TO_HTTP[record.status]
    if record.message is None:
        record.message = first_line(plain)
    if record.surface is None:
        record.surface = surface_of(record.service, scanned)
    if record.project:
        record.project = record.project.removeprefix("projects/")
        if is_redacted(record.project) or (_resolved_by_google(record) and not is_project_id(record.project)):
            record.project = None  # the poster hid or edited it: it says nothing about their config
    if record.service is None:
        record.service = service_by_title(record.metadata.get("serviceTitle") or record.message)
    if record.model:
        table = model_lifecycle().model_table()
        record.model_status = table.describe(record.model, record.surface, record.location)
    # white space folded; scanned.text is already in step with its lower case, and lowering maps
    # white space, and only it, to white space, so the folded text's lower case stays in step
    folded = " ".join(scanned.text.split())
    lowered = folded.lower()
    if not _google_fields(record):
        record.vendor = (foreign_vendor(lowered) or (None,))[0]
    return Evidence(record=record, text=folded, lowered=lowered)


_DURATION = LazyRegex(r"(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)(?:\.\d+)?s)?")


def _duration(value: str | None) -> str | None:
    """A delay as Google writes it ("5h59m59.96s", "21599.96s", "37s") as hours, minutes, seconds."""
    m = _DURATION.regex.fullmatch(value.strip()) if value else None
    if not m or not any(m.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in m.groups())
    total = hours * 3600 + minutes * 60 + seconds
    hours, rest = divmod(total, 3600)
    parts = [
        f"{hours}h" if hours else "",
        f"{rest // 60}m" if rest >= 60 else "",
        f"{rest % 60}s" if rest % 60 or not total else "",
    ]
    return "".join(parts)


def _google_fields(record: ErrorRecord) -> bool:
    """True when the record holds something only Google writes: a canonical status, an ErrorInfo
    reason, a Google service or surface, a Google key or token, a model the lifecycle knows."""
    return (
        record.status in STATUS_TO_HTTP
        or bool(record.reasons or record.service or record.surface or record.key or record.token_kind)
        or record.model_status is not None
    )


def _resolved_by_google(record: ErrorRecord) -> bool:
    """True when the project named is one Google resolved (the consumer of a disabled API), not an
    echo of what the request sent (CONSUMER_INVALID, "Permission denied on resource project X")."""
    message = record.message or ""
    return "CONSUMER_INVALID" not in record.reasons and (
        "SERVICE_DISABLED" in record.reasons or "has not been used in project" in message
    )


def _read_bodies(record: ErrorRecord, bodies: list[dict], stray: list[dict]) -> None:
    main = bodies[0] if bodies else None
    for body in bodies:  # the first with a message
        if body["message"]:
            main = body
            break
    if main:
        record.fill_missing(code=main["code"], status=main["status"], message=main["message"])
    for body in bodies:
        record.fill_missing(code=body["code"], status=body["status"])
        record.details.extend(body["details"])
    record.details.extend(stray)
    for detail in record.details:
        _read_detail(record, detail)


def _read_detail(record: ErrorRecord, detail: dict) -> None:
    kind = str(detail.get("@type", "")).rsplit(".", 1)[-1]
    if kind == "ErrorInfo":
        reason = detail.get("reason")
        if isinstance(reason, str) and reason not in record.reasons:
            record.reasons.append(reason)
        record.fill_missing(domain=detail.get("domain"))
        metadata = detail.get("metadata")
        if isinstance(metadata, dict):
            for key, value in metadata.items():
                record.metadata.setdefault(str(key), str(value))
    elif kind == "RetryInfo":
        record.metadata.setdefault("retryDelay", str(detail.get("retryDelay", "")))
    elif kind == "QuotaFailure":
        for violation in detail.get("violations") or []:
            if not isinstance(violation, dict):
                continue
            dims = violation.get("quotaDimensions") or {}
            record.fill_missing(
                quota_metric=violation.get("quotaMetric"),
                quota_id=violation.get("quotaId"),
                quota_limit=str(violation["quotaValue"]) if "quotaValue" in violation else None,
                model=dims.get("model") if isinstance(dims, dict) else None,
                location=dims.get("location") if isinstance(dims, dict) else None,
            )


def _read_metadata(record: ErrorRecord) -> None:
    meta = record.metadata
    if not meta:
        return
    consumer = meta.get("consumer", "")
    # RATE_LIMIT_EXCEEDED metadata names the limit in quota_limit and gives its value in quota_limit_value
    limit = meta.get("quota_limit") or ""
    record.fill_missing(
        project=consumer.removeprefix("projects/") if consumer.startswith("projects/") else None,
        service=meta.get("service") or meta.get("apiName"),
        method=meta.get("method") or meta.get("methodName"),
        permission=meta.get("permission"),
        resource=meta.get("resource"),
        quota_metric=meta.get("quotaMetric") or meta.get("quota_metric"),
        quota_id=meta.get("quotaId") or meta.get("quota_id") or (None if limit.isdigit() else limit or None),
        quota_limit=(
            meta.get("quota_limit_value")
            or meta.get("quotaValue")
            or meta.get("quota_value")
            or (limit if limit.isdigit() else None)
        ),
    )
    record.fill_missing(retry_after=_duration(meta.get("quotaResetDelay") or meta.get("retryDelay")))
    container = meta.get("containerInfo", "")
    if container and not container.startswith("api_key:"):
        record.fill_missing(project=container)
