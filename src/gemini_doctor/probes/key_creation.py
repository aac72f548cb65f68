"""``check --for key-creation``: may the signed-in account create an AI Studio key in this project?

AI Studio creates auth keys bound to a service account it creates, so the person needs, on an active project
(Google's Gemini API key page, 2026): resourcemanager.projects.get, apikeys.keys.create,
serviceusage.services.enable, iam.serviceAccounts.create and iam.serviceAccountApiKeyBindings.create; and the
organization policy iam.managed.disableServiceAccountApiKeyCreation must not be enforced on the project.
Every probe reads: projects.get, testIamPermissions (the caller's own permissions), getEffectivePolicy, and,
when a permission is missing and the caller may not grant it, getIamPolicy for the members who may.
"""

from __future__ import annotations

from ..google.access import (
    CLOUD_PLATFORM,
    GET_ORG_POLICY,
    KEY_CREATION,
    SET_PROJECT_POLICY,
    role_carrying,
    role_for,
)
from ..google.org_policy import NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS, enforced
from .discovery import Setup, discover, gcloud_adc_path
from .org_policy import read_effective
from .plan import token, tokeninfo
from .runner import COULD_NOT_CHECK, FAIL, OK, SKIPPED, Context, Outcome, Probe, admin_failure

DECIDES = "kc_permissions"      # the probe whose success says "you may create a key"
_KEY_VARIABLES = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
# Who may grant a role on a project, by the predefined roles that carry resourcemanager.projects.setIamPolicy.
_GRANTING_ROLES = ("roles/owner", "roles/resourcemanager.projectIamAdmin")


def discover_person(env: dict[str, str], project: str | None, endpoint: str | None) -> Setup:
    """The account that signs in to AI Studio, as this machine knows it: the gcloud login (its ADC file) when there
    is one, else whatever Application Default Credentials find. API keys in the environment play no part."""
    env = {name: value for name, value in env.items() if name not in _KEY_VARIABLES}
    if env.get("GOOGLE_APPLICATION_CREDENTIALS") and gcloud_adc_path(env).exists():
        del env["GOOGLE_APPLICATION_CREDENTIALS"]    # the app's identity, not the person's
    setup = discover(env, "gemini-api", project=project, endpoint=endpoint)
    setup.facts = {k: v for k, v in setup.facts.items() if k == "no_credential"}   # the call's facts do not apply here
    return setup


async def kc_tokeninfo(ctx: Context) -> Outcome:
    """Who is signed in; the admin APIs these probes read need the cloud-platform scope (the call's scopes do not matter)."""
    outcome = await tokeninfo(ctx)
    scopes = outcome.data.get("scopes") or set()
    outcome.facts = {} if outcome.status != OK or CLOUD_PLATFORM in scopes else {
        "scopes_lack_cloud_platform": f"token scopes: {' '.join(sorted(scopes)) or 'none'}"}
    return outcome


async def kc_project(ctx: Context) -> Outcome:
    ref = ctx.setup.project
    reply = await ctx.http.call("GET", "cloudresourcemanager", f"/v3/projects/{ref}", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, f"resourcemanager.projects.get ({role_for('resourcemanager.projects.get')}), "
                                    "or the project does not exist")
    state, parent = str(reply.body.get("state") or "ACTIVE"), reply.body.get("parent")
    where = f", under {parent}" if isinstance(parent, str) and parent else ""
    line = f"project {reply.body.get('projectId') or ref} (number {str(reply.body.get('name', '')).removeprefix('projects/')}), {state}{where}"
    if state != "ACTIVE":
        return Outcome(FAIL, f"{line}: keys can only be created in an active project",
                       facts={"project_not_active": f"project {ref} is {state}, not ACTIVE"})
    return Outcome(OK, line, data={"parent": parent})


async def kc_permissions(ctx: Context) -> Outcome:
    ref, who = ctx.setup.project, ctx.setup.principal or "you"
    reply = await ctx.http.call("POST", "cloudresourcemanager", f"/v1/projects/{ref}:testIamPermissions", token=ctx.token,
                                json={"permissions": [*KEY_CREATION, SET_PROJECT_POLICY]})
    if reply.status in (403, 404) and not reply.scope_refused:
        return Outcome(FAIL, f"project {ref} does not exist or is not visible to {who}",
                       facts={"project_unreachable": f"testIamPermissions on {ref} refused for {who}"})
    if not reply.ok:
        return admin_failure(reply, "a working Resource Manager")
    held = set(reply.body.get("permissions") or ())
    missing = [p for p in KEY_CREATION if p not in held]
    may_grant = SET_PROJECT_POLICY in held
    if not missing:
        return Outcome(OK, f"{who} holds all {len(KEY_CREATION)} permissions key creation needs on {ref}")
    role = role_carrying(missing)
    line = f"{who} lacks {', '.join(missing)} on {ref}"
    return Outcome(FAIL, line, facts={"key_creation_not_granted": line},
                   data={"missing": missing, "may_grant": may_grant,
                         "fix_values": {"permission": _listed(missing), "role": role} if role else {"permission": _listed(missing)}})


async def kc_org_policy(ctx: Context) -> Outcome:
    ref = ctx.setup.project
    reply = await read_effective(ctx, ref, NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS)
    if not reply.ok:
        return admin_failure(reply, f"{role_for(GET_ORG_POLICY)} ({GET_ORG_POLICY})")
    name = f"constraints/{NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS}"
    if enforced(reply.body):
        line = f"{name} is enforced on {ref}: no API key may be bound to a service account, and AI Studio's keys all are"
        return Outcome(FAIL, line, facts={"org_policy_blocks_key_creation": line})
    return Outcome(OK, f"{name} is not enforced on {ref}")


async def kc_admins(ctx: Context) -> Outcome:
    """Who may grant the missing role, when the caller may not (getIamPolicy: a read, despite its POST)."""
    if not ctx.data(DECIDES, "missing"):
        return Outcome(SKIPPED, "not needed: no permission is known to be missing")
    if ctx.data(DECIDES, "may_grant"):
        return Outcome(OK, f"you may grant it yourself ({SET_PROJECT_POLICY})")
    ref = ctx.setup.project
    reply = await ctx.http.call("POST", "cloudresourcemanager", f"/v1/projects/{ref}:getIamPolicy", token=ctx.token,
                                json={"options": {"requestedPolicyVersion": 3}})
    if not reply.ok:
        return admin_failure(reply, "resourcemanager.projects.getIamPolicy (roles/viewer) to name who may grant it")
    admins = sorted({m for b in reply.body.get("bindings") or () if isinstance(b, dict) and b.get("role") in _GRANTING_ROLES
                     and not b.get("condition") for m in b.get("members") or () if isinstance(m, str)})
    if not admins:
        return Outcome(COULD_NOT_CHECK, "no project-level owner or IAM admin is listed: ask your organization's administrator")
    line = f"you may not grant roles on {ref}; ask {', '.join(admins)} ({' or '.join(_GRANTING_ROLES)})"
    return Outcome(OK, line, facts={"project_iam_admins": line}, data={"admins": admins})


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def plan(setup: Setup) -> list[Probe]:
    """The key-creation probes (none without a credential)."""
    if setup.credentials is None:
        return []
    return [Probe("token", "OAuth token", token), Probe("tokeninfo", "signed-in account", kc_tokeninfo, ("token",)),
            Probe("kc_project", "the project and its state", kc_project, ("token",)),
            Probe(DECIDES, "the permissions key creation needs", kc_permissions, ("token",)),
            Probe("kc_org_policy", f"org policy {NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS}", kc_org_policy, ("token",)),
            Probe("kc_admins", "who may grant the missing role", kc_admins, ("token",), after=(DECIDES,))]
