"""The live probes, read-only, and which of them a setup needs.

Every probe reads; none changes anything (countTokens is free and generates nothing).
"""

from __future__ import annotations

import re

from ..engine.syntax import valid
from ..google import services
from ..google.access import CLOUD_PLATFORM, GEMINI_API_SCOPES, PREDICT
from ..google.services import vertex_model_path
from .audit_logs import audit_denials
from .discovery import Setup
from .failures import describe_failure, host_of
from .org_policy import org_policy
from .policy_troubleshooter import troubleshoot
from .runner import (
    COULD_NOT_CHECK,
    FAIL,
    OK,
    SKIPPED,
    Context,
    Outcome,
    Probe,
    admin_failure,
)

GEMINI_API, VERTEX = services.GEMINI_API.service, services.VERTEX.service
_VERSION = re.compile(r"-\d+(?:\.\d+)*(?=-|$)")


def service_of(setup: Setup) -> str:
    return services.service_of(setup.surface)


# --- credentials --------------------------------------------------------------------------------
async def token(ctx: Context) -> Outcome:
    """The token fetch started before the probes (run_check); started here when it was not."""
    failed = await _refreshed(ctx, ctx.setup.credentials, ctx.pending_token)
    if failed:
        return failed
    return Outcome(OK, f"got an access token for {ctx.setup.principal or 'the credential'}",
                   data={"token": ctx.setup.credentials.token})


async def admin_token(ctx: Context) -> Outcome:
    """--admin-credentials' own token, for the admin probes; its principal from tokeninfo when the file names none.
    A failure here is the admin credential's, never the app's: "could not check"."""
    admin = ctx.setup.admin
    failed = await _refreshed(ctx, admin.credentials, ctx.pending_admin_token)
    if failed:
        return Outcome(COULD_NOT_CHECK, f"could not check as the admin credential: {failed.summary}")
    if admin.principal is None:
        reply = await ctx.http.call("GET", "oauth2", "/tokeninfo", params={"access_token": admin.credentials.token})
        email = reply.body.get("email") if reply.ok else None
        admin.principal = email if valid("email", email) else None
    return Outcome(OK, f"got an access token for {admin.principal or 'the admin credential'}; the admin probes run as it",
                   data={"token": admin.credentials.token})


async def _refreshed(ctx: Context, credentials, pending) -> Outcome | None:
    """Wait for google-auth's refresh of *credentials* (*pending*, or started now): None once it has a token,
    else the outcome that says why not."""
    import asyncio

    from google.auth import exceptions as auth_exceptions

    from .auth import fetch_token

    token_uri = getattr(credentials, "token_uri", None) or getattr(credentials, "_token_uri", None)
    ctx.http.requests += 1
    try:
        await asyncio.wrap_future(pending or fetch_token(credentials))
    except auth_exceptions.RefreshError as exc:
        ctx.http.note(f"POST {token_uri or 'token endpoint'} (google-auth refresh) -> refused: {exc}")
        return Outcome(FAIL, "the credential could not get a token", facts={"token_refresh_failed": "token refresh refused"},
                       error_text=str(exc))
    except auth_exceptions.TransportError as exc:
        ctx.http.note(f"POST {token_uri or 'token endpoint'} (google-auth refresh) -> no answer")
        return Outcome(COULD_NOT_CHECK, describe_failure(exc, host_of(token_uri) or "the token endpoint", ctx.http.proxy))
    ctx.http.note(f"POST {token_uri or 'token endpoint'} (google-auth refresh) -> got a token")
    return None


async def tokeninfo(ctx: Context) -> Outcome:
    reply = await ctx.http.call("GET", "oauth2", "/tokeninfo", params={"access_token": ctx.token})
    if not reply.ok:
        return admin_failure(reply, "a valid token")
    scopes = set(str(reply.body.get("scope", "")).split())
    email = reply.body.get("email")
    ctx.setup.principal = ctx.setup.principal or email
    facts = {}
    shown = f"token scopes: {' '.join(sorted(scopes)) or 'none'}"
    if ctx.setup.surface == "gemini-api" and not ctx.setup.uses_key and not scopes & GEMINI_API_SCOPES:
        facts["scopes_lack_gemini_api"] = shown
    if ctx.setup.surface == "vertex" and CLOUD_PLATFORM not in scopes:
        facts["scopes_lack_cloud_platform"] = shown
    return Outcome(OK, f"principal {email or 'unknown'}; scopes {', '.join(s.rsplit('/', 1)[-1] for s in sorted(scopes))}",
                   facts=facts, data={"email": email, "scopes": scopes})


# --- the API key --------------------------------------------------------------------------------
async def key_lookup(ctx: Context) -> Outcome:
    reply = await ctx.http.call("GET", "apikeys", "/v2/keys:lookupKey", token=ctx.token, params={"keyString": ctx.setup.api_key})
    if reply.status == 404:
        return Outcome(FAIL, "API Keys does not know this key", facts={"key_unknown": "lookupKey: key not found"})
    if not reply.ok:
        return admin_failure(reply, "apikeys.keys.lookup on the key's project; the key may belong to a project you cannot see")
    project = str(reply.body.get("parent", "")).removeprefix("projects/")
    return Outcome(OK, f"the key belongs to project {project}", data={"project": project, "name": reply.body.get("name")})


async def key_restrictions(ctx: Context) -> Outcome:
    """The key's record decides its kind (an auth key is bound to a service account), the API it is for, and
    whether Google's retirement of standard keys refuses it; never the key's prefix."""
    from ..google.api_keys import standard_key_refused_since
    from ..google.lifecycle import today

    reply = await ctx.http.call("GET", "apikeys", f"/v2/{ctx.data('key_lookup', 'name')}", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, "apikeys.keys.get (roles/serviceusage.apiKeysViewer)")
    restrictions = reply.body.get("restrictions") or {}
    targets = [t.get("service") for t in restrictions.get("apiTargets", [])]
    bound = reply.body.get("serviceAccountEmail")
    kind = f"an auth key bound to {bound}" if bound else "a standard key (bound to no service account)"
    service, limited = service_of(ctx.setup), f"restricted to {', '.join(targets)}" if targets else "with no API restriction"
    if targets and service not in targets:
        if GEMINI_API in targets and service == VERTEX:
            fact = {"api_key_on_vertex": f"the key is {kind}, restricted to the Gemini API, and is used with Vertex AI"}
        elif VERTEX in targets and service == GEMINI_API:
            fact = {"vertex_key_on_gemini_api": f"the key is {kind}, restricted to Vertex AI, and is used with the Gemini API"}
        else:
            fact = {"key_api_targets_exclude_service": f"apiTargets: {', '.join(targets)}"}
        return Outcome(FAIL, f"the key is {kind}, {limited}", facts=fact)
    since = None if bound or service != GEMINI_API else standard_key_refused_since(bool(targets), today())
    if since:
        return Outcome(FAIL, f"the key is {kind}, {limited}: the Gemini API refuses such keys since {since}",
                       facts={"standard_key_retired": f"{kind}, {limited}; refused by the Gemini API since {since.isoformat()}"})
    kinds = [k.replace("KeyRestrictions", "") for k in restrictions if k != "apiTargets"]
    return Outcome(OK, f"the key is {kind}, {limited}" + (f"; application restriction: {', '.join(kinds)}" if kinds else ""))


# --- the consumer project -----------------------------------------------------------------------
def consumer(ctx: Context) -> str | None:
    """The project Google bills: the key's project for keys, else the quota project, else the configured one."""
    if ctx.setup.uses_key:
        return ctx.data("key_lookup", "project")
    return ctx.setup.quota_project or ctx.setup.project


async def project(ctx: Context) -> Outcome:
    ref = consumer(ctx)
    if not ref:
        return Outcome(COULD_NOT_CHECK, "could not check: no project configured (set GOOGLE_CLOUD_PROJECT)")
    reply = await ctx.http.call("GET", "cloudresourcemanager", f"/v3/projects/{ref}", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, "resourcemanager.projects.get (roles/browser), or the project does not exist")
    project_id, number = reply.body.get("projectId"), str(reply.body.get("name", "")).removeprefix("projects/")
    facts = {}
    wanted = ctx.setup.project
    if ctx.setup.uses_key and wanted and wanted not in (project_id, number):
        facts["key_in_other_project"] = f"the key belongs to {project_id}, the app is configured for {wanted}"
    return Outcome(OK, f"project {project_id} (number {number}), {reply.body.get('state', 'ACTIVE').lower()}", facts=facts,
                   data={"id": project_id, "number": number})


async def service(ctx: Context) -> Outcome:
    ref, name = consumer(ctx), service_of(ctx.setup)
    reply = await ctx.http.call("GET", "serviceusage", f"/v1/projects/{ref}/services/{name}", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, "serviceusage.services.get (roles/serviceusage.serviceUsageViewer)")
    if reply.body.get("state") != "ENABLED":
        return Outcome(FAIL, f"{name} is DISABLED in project {ref}", facts={"service_disabled": f"{name} DISABLED in project {ref}"})
    return Outcome(OK, f"{name} is enabled in project {ref}")


async def quota(ctx: Context) -> Outcome:
    """The consumer project's generation quota for the model (Service Usage's quota limits): countTokens cannot
    show it, as Google keeps countTokens outside that quota."""
    ref, name, model = consumer(ctx), service_of(ctx.setup), ctx.setup.model
    reply = await ctx.http.call("GET", "serviceusage", f"/v1beta1/projects/{ref}/services/{name}/consumerQuotaMetrics",
                                token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, "serviceusage.quotas.get (roles/serviceusage.serviceUsageViewer)")
    limits = [(metric.get("metric", ""), bucket.get("effectiveLimit"))
              for metric in reply.body.get("metrics") or () if isinstance(metric, dict)
              for limit in metric.get("consumerQuotaLimits") or () if isinstance(limit, dict)
              for bucket in limit.get("quotaBuckets") or () if isinstance(bucket, dict)
              and model in (bucket.get("dimensions") or {}).values()]
    zero = [metric for metric, value in limits if str(value) == "0"]
    if zero:
        return Outcome(FAIL, f"the quota for {model} is 0 in project {ref} ({zero[0]})",
                       facts={"quota_limit_zero": f"{zero[0]} effectiveLimit 0 for {model} in {ref}"})
    shown = ", ".join(f"{'unlimited' if str(value) == '-1' else value} a minute" for _, value in limits)
    return Outcome(OK, f"the quota for {model} in project {ref}: {shown or 'no per-model limit'}")


async def billing(ctx: Context) -> Outcome:
    ref = consumer(ctx)
    reply = await ctx.http.call("GET", "cloudbilling", f"/v1/projects/{ref}/billingInfo", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, "resourcemanager.projects.get on the project (roles/viewer)")
    if reply.body.get("billingEnabled"):
        return Outcome(OK, f"billing is enabled for project {ref}")
    if reply.body.get("billingAccountName") or ctx.setup.surface == "vertex":
        accounts = await _open_billing_accounts(ctx)
        listed = f"; open billing accounts you may link: {', '.join(accounts)}" if accounts else ""
        return Outcome(FAIL, f"billing is not enabled for project {ref}{listed}",
                       facts={"billing_disabled": f"billingEnabled false for {ref}"}, data={"open_accounts": accounts})
    return Outcome(OK, f"no billing account on project {ref}: free tier only")


async def _open_billing_accounts(ctx: Context) -> list[str]:
    """The open billing accounts the caller may link (Cloud Billing billingAccounts.list); [] when it cannot tell."""
    reply = await ctx.http.call("GET", "cloudbilling", "/v1/billingAccounts", token=ctx.token, params={"filter": "open=true"})
    if not reply.ok:
        return []
    return [str(a.get("name", "")).removeprefix("billingAccounts/") for a in reply.body.get("billingAccounts", []) if a.get("open")]


async def iam(ctx: Context) -> Outcome:
    ref = ctx.setup.project
    reply = await ctx.http.call("POST", "cloudresourcemanager", f"/v1/projects/{ref}:testIamPermissions", token=ctx.token,
                                json={"permissions": [PREDICT]})
    who = ctx.setup.principal or "the caller"
    if reply.status in (403, 404) and not reply.scope_refused:
        return Outcome(FAIL, f"project {ref} does not exist or is not visible to {who}",
                       facts={"project_unreachable": f"testIamPermissions on {ref} refused for {who}"})
    if not reply.ok:
        return admin_failure(reply, "a working Resource Manager")
    if PREDICT not in reply.body.get("permissions", []):
        return Outcome(FAIL, f"{who} lacks {PREDICT} on {ref}", facts={"predict_not_granted": f"{who} lacks {PREDICT} on {ref}"})
    return Outcome(OK, f"{who} holds {PREDICT} on {ref}")


# --- the model ----------------------------------------------------------------------------------
def _resource(name: str) -> str:
    """The Gemini API resource for a model name: tuned models keep their own collection."""
    return name if name.startswith("tunedModels/") else f"models/{name}"


def _auth(ctx: Context) -> dict:
    setup = ctx.setup
    if setup.uses_key:
        return {"key": setup.api_key}
    headers = {"x-goog-user-project": setup.quota_project} if setup.quota_project else {}
    return {"token": ctx.token, "headers": headers}


async def model(ctx: Context) -> Outcome:
    """Does the model exist on this surface (the publisher model on Vertex: not per project or location)?"""
    name = ctx.setup.model
    if ctx.setup.surface == "gemini-api":
        reply = await ctx.http.call("GET", "generativelanguage", f"/v1beta/{_resource(name)}", **_auth(ctx))
    else:
        reply = await ctx.http.call("GET", "aiplatform", vertex_model_path(name), **_auth(ctx))
    if reply.status == 404:
        return Outcome(FAIL, f"model {name} is not offered", facts={"model_unknown": f"{name}: not found"})
    if not reply.ok:
        return Outcome(COULD_NOT_CHECK, f"could not check the model (HTTP {reply.status})")
    stage = reply.body.get("launchStage")
    return Outcome(OK, f"model {name} exists" + (f" ({stage})" if stage else ""), data={"launch_stage": stage})


async def listed_models(ctx: Context) -> Outcome:
    """Which models this credential is offered: models.list on the Gemini API, Model Garden's publisher models on Vertex."""
    if ctx.setup.surface == "gemini-api":
        reply = await ctx.http.call("GET", "generativelanguage", "/v1beta/models", params={"pageSize": 1000}, **_auth(ctx))
        key, prefix = "models", "models/"
    else:
        reply = await ctx.http.call("GET", "aiplatform", "/v1beta1/publishers/google/models", token=ctx.token)
        key, prefix = "publisherModels", "publishers/google/models/"
    if not reply.ok:
        return Outcome(COULD_NOT_CHECK, f"could not list the models (HTTP {reply.status}); the control comes from the lifecycle table")
    names = [str(m.get("name", "")).removeprefix(prefix) for m in reply.body.get(key) or () if isinstance(m, dict)]
    return Outcome(OK, f"{len(names)} models offered", data={"names": names})


def family(name: str) -> str:
    """A model's family: its ID without version numbers (gemini-3.5-flash and gemini-3.8-flash are both gemini-flash)."""
    return _VERSION.sub("", name.lower())


def control_model(setup: Setup, listed: list[str] | None) -> tuple[str, str] | None:
    """A generally available model open to new users today (the lifecycle table), offered to this credential
    (the live list, when there is one), outside the target's family; with the location to call it at."""
    from ..google.lifecycle import AVAILABLE, model_table

    table, avoid = model_table(), family(setup.model)
    order = [*table.control, *(n for n in listed or () if n not in table.control)]
    for name in order:
        entry = table.find(name)
        if entry is None or entry.stage != "ga" or entry.status(setup.surface) != AVAILABLE or family(entry.id) == avoid:
            continue
        if listed is not None and name not in listed:
            continue
        location = setup.location if setup.surface == "vertex" and entry.served_at(setup.location) is not False else "global"
        return name, location
    return None


async def _post_count_tokens(ctx: Context, name: str, location: str):
    setup = ctx.setup
    body = {"contents": [{"role": "user", "parts": [{"text": "ping"}]}]}
    if setup.surface == "gemini-api":
        return await ctx.http.call("POST", "generativelanguage", f"/v1beta/{_resource(name)}:countTokens", json=body, **_auth(ctx))
    if setup.uses_key:
        return await ctx.http.call("POST", "aiplatform", vertex_model_path(name) + ":countTokens", json=body, **_auth(ctx))
    path = vertex_model_path(name, setup.project, location) + ":countTokens"
    return await ctx.http.call("POST", "aiplatform", path, location=location, json=body, **_auth(ctx))


def _count_outcome(name: str, reply, data: dict) -> Outcome:
    data = {**data, "status": reply.status}
    if reply.ok:
        return Outcome(OK, f"countTokens on {name} works", data=data)
    message = (reply.body.get("error") or {}).get("message") if isinstance(reply.body.get("error"), dict) else None
    detail = f"HTTP {reply.status}" + (f" {_shorten(message)}" if message else "")
    facts = {}
    if reply.status == 400 and message and message.startswith("Invalid hostname"):
        facts["endpoint_host_invalid"] = message
    # A 5xx is Google's side: not a finding about the setup, though its text still reaches the verdict.
    status, prefix = (COULD_NOT_CHECK, "could not check: Google answered ") if reply.status >= 500 else (FAIL, "")
    return Outcome(status, f"{prefix}countTokens on {name}: {detail}", facts=facts, error_text=reply.text, data=data)


async def call_target(ctx: Context) -> Outcome:
    reply = await _post_count_tokens(ctx, ctx.setup.model, ctx.setup.location)
    return _count_outcome(ctx.setup.model, reply, {})


async def call_control(ctx: Context) -> Outcome:
    chosen = control_model(ctx.setup, ctx.data("models", "names"))
    if chosen is None:
        return Outcome(SKIPPED, "no generally available model outside the target's family is offered to this credential")
    name, location = chosen
    reply = await _post_count_tokens(ctx, name, location)
    outcome = _count_outcome(name, reply, {"model": name, "location": location})
    outcome.facts = {}   # the control says nothing about the setup by itself; the verdict compares it with the target
    return outcome


def _shorten(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + "…"


def as_admin(setup: Setup, needs: tuple[str, ...]) -> tuple[str, ...]:
    """An admin probe's needs: with --admin-credentials, that credential's token instead of the app's."""
    return tuple("admin_token" if need == "token" else need for need in needs) if setup.admin else needs


def plan(setup: Setup) -> list[Probe]:
    """The probes for this setup, with their dependencies (none when the user's client would not even start)."""
    probes: list[Probe] = []
    if setup.start_error:
        return probes
    has_token = setup.credentials is not None
    auth_needs = () if setup.uses_key else ("token",)
    if has_token:
        probes += [Probe("token", "OAuth token", token), Probe("tokeninfo", "token principal and scopes", tokeninfo, ("token",))]
    if setup.admin:
        probes.append(Probe("admin_token", "the admin credential's token", admin_token))
    if setup.api_key is not None and has_token and setup.uses_key:
        probes += [Probe("key_lookup", "which project owns the key", key_lookup, ("token",)),
                   Probe("key_restrictions", "the key's restrictions", key_restrictions, ("key_lookup",))]
    if has_token:
        project_needs = ("token", "key_lookup") if setup.uses_key else ("token",)
        probes += [Probe("project", "the consumer project", project, project_needs),
                   Probe("service", f"{service_of(setup)} enabled", service, project_needs),
                   Probe("billing", "billing", billing, project_needs),
                   Probe("org_policy", "organization policy on the call", org_policy, as_admin(setup, project_needs)),
                   Probe("quota", f"the quota for {setup.model}", quota, project_needs)]
        if setup.surface == "vertex" and not setup.uses_key and setup.project:
            probes += [Probe("iam", f"{PREDICT} granted", iam, ("token",)),
                       Probe("audit_logs", "denied calls in the audit log", audit_denials, as_admin(setup, ("token",))),
                       Probe("policy_troubleshooter", "why IAM refused (Policy Troubleshooter)", troubleshoot,
                             as_admin(setup, ("token",)),
                             after=("iam", "call_target"))]
    if setup.api_key is not None or has_token:
        probes += [Probe("model", f"model {setup.model}", model, auth_needs),
                   Probe("call_target", f"countTokens on {setup.model}", call_target, auth_needs)]
        if setup.surface == "gemini-api":
            probes.append(Probe("models", "models offered to this credential", listed_models, auth_needs))
        elif has_token:   # Model Garden's list takes OAuth, even in express mode
            probes.append(Probe("models", "models offered to this credential", listed_models, ("token",)))
        probes.append(Probe("call_control", "countTokens on a control model", call_control, auth_needs, after=("models",)))
    return probes
