"""Google's Policy Troubleshooter link and error ID, which 2026 IAM denials carry.

They come as ErrorInfo metadata (``troubleshooter_url``, ``error_info_id``) or in the message prose
("Remediate access with this Troubleshooter URL ... summary;errorId=…"). Only a console.cloud.google.com
troubleshooter link in a plain URL alphabet is kept: anything else is dropped, never shown as a link.
"""

from __future__ import annotations

import re

from ..google.syntax import valid
from ..matching.prefilter import LazyRegex
from .record import ErrorRecord

TROUBLESHOOTER = "https://console.cloud.google.com/iam-admin/troubleshooter/"
_URL = re.compile(re.escape(TROUBLESHOOTER) + r"[A-Za-z0-9;=._~%+/-]{1,2000}")
_ID_IN_URL = LazyRegex(r";errorId=([^;?&#]+)")


def read_troubleshooter(record: ErrorRecord) -> None:
    """Set ``troubleshooter_url`` and ``error_info_id`` on *record* from its metadata or the URL its
    prose carried (already on the record); each only when it is well formed, else cleared."""
    url = (record.metadata.get("troubleshooter_url") or record.troubleshooter_url or "").rstrip(".,;")
    record.troubleshooter_url = url if _URL.fullmatch(url) else None
    error_id = record.metadata.get("error_info_id")
    if not error_id and record.troubleshooter_url:
        found = _ID_IN_URL.regex.search(record.troubleshooter_url)
        error_id = found.group(1).replace("%3D", "=").replace("%3d", "=") if found else None
    record.error_info_id = error_id if valid("error_info_id", error_id) else None
