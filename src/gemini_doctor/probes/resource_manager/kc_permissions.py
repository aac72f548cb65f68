"""the permissions key creation needs

``check --for key-creation``'s deciding probe: testIamPermissions (the caller's own permissions) on --project
for the five permissions Google's Gemini API key page lists (AI Studio binds each key to a service account it
creates) and resourcemanager.projects.setIamPolicy (whether the caller may grant what is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...google.access import KEY_CREATION, SET_PROJECT_POLICY, role_carrying
from ..runner import FAIL, OK, Context, Outcome
from ..tokens import token_needs
from .iam import held_permissions

ORDER = 52
PURPOSES = ("key-creation",)
FACTS = {
    "key_creation_not_granted": "the signed-in account lacks a permission creating an AI Studio key needs on "
    "the project (check --for key-creation)"
}
needs = token_needs


@dataclass(frozen=True)
class KeyCreationGrant:
    missing: tuple[str, ...]  # the permissions key creation needs that the caller lacks
    may_grant: bool  # the caller holds resourcemanager.projects.setIamPolicy
    role: str | None  # the narrowest predefined role carrying every missing permission

    def fill_values(self) -> dict[str, str]:
        """The fix templates' {permission} (every missing one) and {role}."""
        listed = (
            self.missing[0]
            if len(self.missing) == 1
            else f"{', '.join(self.missing[:-1])} and {self.missing[-1]}"
        )
        return {"permission": listed, "role": self.role} if self.role else {"permission": listed}


async def run(ctx: Context) -> Outcome:
    ref, who = ctx.setup.project, ctx.setup.principal or "you"
    held = await held_permissions(ctx, [*KEY_CREATION, SET_PROJECT_POLICY], who)
    if isinstance(held, Outcome):
        return held
    missing = tuple(p for p in KEY_CREATION if p not in held)
    if not missing:
        return Outcome(OK, f"{who} holds all {len(KEY_CREATION)} permissions key creation needs on {ref}")
    line = f"{who} lacks {', '.join(missing)} on {ref}"
    return Outcome(
        FAIL,
        line,
        facts={"key_creation_not_granted": line},
        result=KeyCreationGrant(missing, SET_PROJECT_POLICY in held, role_carrying(missing)),
    )
