"""The projects probes read: the consumer project (Google bills it), and the project a Vertex AI app
configures."""

from __future__ import annotations

from .discovery import Setup
from .ids import Needs, requires
from .runner import Context
from .tokens import WITH_TOKEN

WITH_TOKEN_AND_KEY = requires("token", "key_lookup")
KEY_LOOKUP = WITH_TOKEN_AND_KEY[1]


def consumer_needs(setup: Setup) -> Needs | None:
    """What a probe of the consumer project needs: a token, and the key's project when the calls use a key."""
    if setup.credentials is None:
        return None
    return WITH_TOKEN_AND_KEY if setup.uses_key else WITH_TOKEN


def configured_project_needs(setup: Setup) -> Needs | None:
    """What a probe of the configured project needs: a token, on Vertex AI with a project (not express
    mode)."""
    wanted = (
        setup.credentials is not None and setup.surface == "vertex" and not setup.uses_key and setup.project
    )
    return WITH_TOKEN if wanted else None


def consumer(ctx: Context) -> str | None:
    """The key's project for keys, else the quota project, else the configured one."""
    if ctx.setup.uses_key:
        key = ctx.result(KEY_LOOKUP)
        return key.project if key else None
    return ctx.setup.quota_project or ctx.setup.project
