"""which project owns the key

API Keys keys.lookupKey: the key's resource name and the project it belongs to (the project Google bills).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ids import Needs
from ..runner import FAIL, OK, Context, Outcome, admin_failure
from ..tokens import WITH_TOKEN
from . import asks_about_the_key

ORDER = 30
FACTS = {"key_unknown": "API Keys does not know the key (a typo, or a deleted key)"}


@dataclass(frozen=True)
class KeyRecord:
    project: str
    name: str | None  # projects/…/locations/global/keys/KEY_ID

    def fill_values(self) -> dict[str, str]:
        """The fix templates' {key_id}."""
        return {"key_id": str(self.name).rsplit("/", 1)[-1]} if self.name else {}


def needs(setup) -> Needs | None:
    return WITH_TOKEN if asks_about_the_key(setup) else None


async def run(ctx: Context) -> Outcome:
    reply = await ctx.http.call(
        "GET", "apikeys", "/v2/keys:lookupKey", token=ctx.token, params={"keyString": ctx.setup.api_key}
    )
    if reply.status == 404:
        return Outcome(
            FAIL, "API Keys does not know this key", facts={"key_unknown": "lookupKey: key not found"}
        )
    if not reply.ok:
        return admin_failure(
            reply, "apikeys.keys.lookup on the key's project; the key may belong to a project you cannot see"
        )
    project = str(reply.body.get("parent", "")).removeprefix("projects/")
    return Outcome(
        OK, f"the key belongs to project {project}", result=KeyRecord(project, reply.body.get("name"))
    )
