"""Built-in worlds: ``healthy`` and one per cause in causes.md that an emulator can produce.

Each scenario (``SCENARIOS``, by cause ID) is the healthy world plus a small patch, with a note saying what
the world really holds. The extension field ``client`` says what
the default caller's app uses: ``surface`` (gemini-api | vertex), ``api_key``, ``principal`` (the
service account or user whose credential file env.sh points at, or ``metadata`` for the machine's
own account from the ``metadata`` section), ``scopes`` the app requests,
``project``, ``location``, ``model``, ``calls`` (how many calls it takes to fail), and ``headers`` (extra
headers sent with every call, as a proxy in front of the app might add).
"""

from __future__ import annotations

import copy
from collections import namedtuple

from ..google.access import CLOUD_PLATFORM, PREDICT, fqdn, member_of
from ..google.access import GENERATIVE_LANGUAGE_RETRIEVER as GEMINI_SCOPE
from ..google.org_policy import NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS
from ..google.services import GEMINI_API as GEMINI_SURFACE
from ..google.services import SURFACES
from ..google.services import VERTEX as VERTEX_SURFACE
from .deny import SERVICE_ACCOUNT as SA_PRINCIPAL

# fake: an AI Studio auth key (AI Studio's only kind since 2026)
KEY = "AQ.Ab8RN6LemulatedAuthKey0000000000000000000000000000"
STANDARD_KEY = "AIzaSyD-emulated-key-000000000000000000"  # fake, 39 characters like a real standard key
OTHER_KEY = "AIzaSyD-emulated-key-unregistered-00000"  # fake: a key no world knows
EXPRESS_KEY = (
    "AQ.Ab8RN6emulated-express-key-0000000000"  # fake: a Vertex express key (same prefix as auth keys)
)
APP_SA = "app@acme-prod.iam.gserviceaccount.com"
STUDIO_SA = "ai-studio@acme-prod.iam.gserviceaccount.com"  # the account AI Studio bound the auth key to
DEV = "dev@example.com"
# the project's owner: may apply every fix (`fix --apply --admin-credentials adc-owner.json`)
OWNER = "owner@example.com"
GEMINI_API = GEMINI_SURFACE.service
VERTEX_API = VERTEX_SURFACE.service
TODAY = "2026-12-01"
MODEL = "gemini-3.5-flash"  # what the default app calls: a current GA model

# Google as of TODAY: auth keys, standard keys retired, 2.x closed or shut down, 3.x on global and the us/eu
# multi-regions (the model lifecycle as in gemini_doctor/google/models.toml; gemini-2.5-flash is left out:
# Google routes it to another model).
HEALTHY = {
    "today": TODAY,
    "standard_key_cutoffs": {"unrestricted": "2026-06-19", "all": "2026-09-01"},
    "caller": {"ip": "203.0.113.7", "country": "US"},
    "projects": [
        {
            "id": "acme-prod",
            "number": 123456789012,
            "billing": "enabled",
            "billing_account": "01A2B3-C4D5E6-F7A8B9",
            "services": [GEMINI_API, VERTEX_API],
            "iam": [
                {"role": "roles/aiplatform.user", "members": [member_of(APP_SA), member_of(DEV)]},
                {"role": "roles/viewer", "members": [member_of(DEV)]},
                {"role": "roles/serviceusage.serviceUsageConsumer", "members": [member_of(DEV)]},
                {"role": "roles/owner", "members": [member_of(OWNER)]},
            ],
        },
        {
            "id": "shared-billing",
            "number": 987654321098,
            "billing": "enabled",
            "services": [GEMINI_API, VERTEX_API],
            "iam": [],
        },
    ],
    "billing_accounts": [
        {"id": "01A2B3-C4D5E6-F7A8B9", "open": True, "admins": [member_of(DEV), member_of(OWNER)]}
    ],
    "api_keys": [
        {
            "key": KEY,
            "name": "projects/123456789012/locations/global/keys/k1",
            "project": "acme-prod",
            "kind": "auth",
            "service_account": STUDIO_SA,
            "restrictions": {"api_targets": [GEMINI_API]},
        }
    ],
    "service_accounts": [
        {"email": APP_SA, "project": "acme-prod"},
        {"email": STUDIO_SA, "project": "acme-prod"},
    ],
    "users": [{"email": DEV, "quota_project": "acme-prod"}, {"email": OWNER, "quota_project": "acme-prod"}],
    "models": [
        {"name": MODEL, "surfaces": ["gemini-api", "vertex"], "locations": ["global", "us", "eu"]},
        {
            "name": "gemini-3.1-flash-lite",
            "surfaces": ["gemini-api", "vertex"],
            "locations": ["global", "us", "eu"],
        },
        {"name": "gemini-3.5-flash-lite", "surfaces": ["gemini-api"]},
        {
            "name": "gemini-3.1-pro-preview",
            "surfaces": ["gemini-api", "vertex"],
            "locations": ["global"],
            "launch_stage": "PUBLIC_PREVIEW",
            "free_tier": False,
        },
        {
            "name": "gemini-2.5-flash-lite",
            "surfaces": ["gemini-api"],
            "closed_to_new_users_from": "2026-07-22",
            "replacement": "gemini-3.1-flash-lite",
        },
        {
            "name": "gemini-2.0-flash",
            "surfaces": ["gemini-api", "vertex"],
            "retired_from": "2026-06-01",
            "replacement": MODEL,
        },
        {"name": "gemini-1.0-pro", "launch_stage": "RETIRED"},
    ],
    "client": {
        "surface": "gemini-api",
        "api_key": KEY,
        "principal": DEV,
        "project": "acme-prod",
        "location": "global",
        "model": MODEL,
        "scopes": [CLOUD_PLATFORM],
        "calls": 1,
    },
}


def _key(**changes):
    return lambda w: w["api_keys"][0].update(changes)


def _restrict(**rules):
    """Add application restrictions to the key, keeping its API restriction (the Gemini API)."""
    return lambda w: w["api_keys"][0]["restrictions"].update(rules)


def _project(**changes):
    return lambda w: w["projects"][0].update(changes)


def _set(**changes):
    return lambda w: w.update(changes)


def _client(**changes):
    return lambda w: w["client"].update(changes)


def _user(**changes):
    return lambda w: w["users"][0].update(changes)


_VERTEX = _client(surface="vertex", api_key=None, principal=APP_SA)


def _express(w):
    w["api_keys"].append(
        {
            "key": EXPRESS_KEY,
            "name": "projects/123456789012/locations/global/keys/k2",
            "project": "acme-prod",
            "vertex_express": True,
            "restrictions": {"api_targets": [VERTEX_API]},
        }
    )
    w["client"]["api_key"] = EXPRESS_KEY


def _gated(w):
    w["models"].append(
        {"name": "gemini-ultra-preview", "requires_entitlement": True, "launch_stage": "PRIVATE_PREVIEW"}
    )
    w["client"]["model"] = "gemini-ultra-preview"


def _standard_key(w):
    """A leftover standard key, made before AI Studio switched to auth keys: no restrictions,
    no service account."""
    w["api_keys"][0] = {
        "key": STANDARD_KEY,
        "name": "projects/123456789012/locations/global/keys/k0",
        "project": "acme-prod",
    }
    w["client"]["api_key"] = STANDARD_KEY


def _closed_account_and_an_open_one(w):
    """The project's billing account was closed; the people who administer it also hold another, open one."""
    closed = w["billing_accounts"][0]
    closed["open"] = False
    w["billing_accounts"].append({"id": "0A1B2C-3D4E5F-6A7B8C", "open": True, "admins": closed["admins"]})


def _grant(principal: str, role: str):
    """Bind *role* to *principal* (an account e-mail) on the project."""
    return lambda w: w["projects"][0]["iam"].append({"role": role, "members": [member_of(principal)]})


def _no_vertex_role(w):
    w["projects"][0]["iam"] = [b for b in w["projects"][0]["iam"] if b["role"] != "roles/aiplatform.user"]


def _deny_predict_to_the_app(w):
    """A deny policy on the project refuses Agent Platform predictions to the app's service account, whose
    roles/aiplatform.user binding is still there; the account may read the project's policies."""
    w["projects"][0]["deny_policies"] = [
        {
            "name": "no-genai-for-workloads",
            "display_name": "No generative AI for workloads",
            "rules": [
                {
                    "denied_principals": [f"{SA_PRINCIPAL}{APP_SA}"],
                    "denied_permissions": [fqdn(PREDICT)],
                }
            ],
        }
    ]
    _may_read_policies(w)


def _may_read_policies(w):
    """The app's service account may read the project's allow and deny policies and its logs."""
    for role in ("roles/iam.securityReviewer", "roles/iam.denyReviewer", "roles/logging.viewer"):
        _grant(APP_SA, role)(w)


class Scenario(namedtuple("Scenario", "note patches cause", defaults=(None,))):
    """A built-in world: the healthy one changed by *patches* (in order); *note* says what it really holds.
    *cause* is the cause that holds when the scenario is not named after it (a second world for one cause)."""

    __slots__ = ()


# The built-in worlds by cause ID (healthy aside): what each one really holds, in one line for people
# (demo, --list-scenarios), and the patches that turn the healthy world into it.
SCENARIOS: dict[str, Scenario] = {
    "healthy": Scenario("everything in order: key, project, API, billing, IAM, model", []),
    "credentials_missing": Scenario(
        "the app sends no key and has no credentials (an empty GEMINI_API_KEY)",
        [_client(api_key=None, principal=None)],
    ),
    "api_key_invalid": Scenario(
        "the app's key is not a key Google knows (a typo or a deleted key)", [_client(api_key=OTHER_KEY)]
    ),
    "api_key_expired": Scenario("the key had an expiry date that has passed", [_key(state="expired")]),
    "api_key_leaked": Scenario("Google found the key in public and blocked it", [_key(state="leaked")]),
    "api_key_suspended": Scenario("the key was suspended for abuse", [_key(state="suspended")]),
    "api_key_api_restricted": Scenario(
        "the key is restricted to the Gemini for Google Cloud API, not the Generative Language API",
        [_key(restrictions={"api_targets": [SURFACES["code-assist"].service]})],
    ),
    "api_key_referrer_restricted": Scenario(
        "the key only accepts calls from https://acme.example/*; the server sends no Referer",
        [_restrict(referrers=["https://acme.example/*"])],
    ),
    "api_key_ip_restricted": Scenario(
        "the key only accepts 198.51.100.0/24; the caller is 203.0.113.7",
        [_restrict(ips=["198.51.100.0/24"])],
    ),
    "api_key_app_restricted": Scenario(
        "the key only accepts the Android app com.acme.app", [_restrict(android_apps=["com.acme.app"])]
    ),
    "api_key_retired": Scenario(
        "the app still uses a standard AIza key; Google refuses all standard keys since September 2026",
        [_standard_key],
    ),
    # An OpenAI-style proxy adds the key as a Bearer token too: two credentials in one request.
    "credential_sent_wrong": Scenario(
        "a proxy in front of the app adds the key as a Bearer token too: two credentials",
        [_client(headers={"authorization": f"Bearer {KEY}"})],
    ),
    "access_token_invalid": Scenario(
        "the service account behind the key file was disabled",
        [_VERTEX, lambda w: w["service_accounts"][0].update(disabled=True)],
    ),
    # User credentials from a plain `gcloud auth application-default login` (no Gemini scope) on the Gemini
    # API.
    "scope_insufficient": Scenario(
        "user credentials from a plain gcloud login (no Gemini scope) call the Gemini API",
        [_client(api_key=None, principal=DEV)],
    ),
    "wrong_surface": Scenario("a Vertex express key is sent to the Gemini API", [_express]),
    "service_disabled": Scenario(
        "the Generative Language API is disabled in the project that owns the key",
        [_project(services=[VERTEX_API])],
    ),
    "billing_disabled": Scenario(
        "the project's billing account is closed (its admins hold another, open one)",
        [_project(billing="disabled"), _closed_account_and_an_open_one],
    ),
    "billing_required": Scenario(
        "the caller is in a paid-only country and the project has no billing account",
        [
            _project(billing="none"),
            _set(paid_only_countries=["GB"], caller={"ip": "203.0.113.7", "country": "GB"}),
        ],
    ),
    "wrong_project": Scenario(
        "the key names the placeholder project YOUR_PROJECT_ID", [_key(project="YOUR_PROJECT_ID")]
    ),
    "quota_project_missing": Scenario(
        "user credentials without a quota project call the Gemini API",
        [
            _client(api_key=None, principal=DEV, scopes=[GEMINI_SCOPE]),
            _user(quota_project=None, scopes=[CLOUD_PLATFORM, GEMINI_SCOPE]),
        ],
    ),
    "quota_project_denied": Scenario(
        "the user's quota project is one they may not use (no serviceUsageConsumer)",
        [_VERTEX, _client(principal=DEV), _user(quota_project="shared-billing")],
    ),
    "iam_permission_missing": Scenario(
        (
            "the service account has no roles/aiplatform.user (and dev@example.com, a Viewer, may not "
            "create AI Studio keys)"
        ),
        [_VERTEX, _no_vertex_role],
    ),
    "iam_deny_policy": Scenario(
        (
            "a deny policy refuses aiplatform.endpoints.predict to the service account, which holds "
            "roles/aiplatform.user"
        ),
        [_VERTEX, _deny_predict_to_the_app],
        cause="iam_permission_missing",
    ),
    "iam_permission_missing_unlogged": Scenario(
        "the service account has no roles/aiplatform.user, and the project's Data Access audit logs are off",
        [_VERTEX, _no_vertex_role, _may_read_policies, _project(data_access_logs=[])],
        cause="iam_permission_missing",
    ),
    "resource_permission": Scenario(
        "the tuned model belongs to another project",
        [
            _set(tuned_models=[{"name": "support-bot-v2", "project": "shared-billing"}]),
            _client(model="tunedModels/support-bot-v2"),
        ],
    ),
    "project_denied": Scenario("Google has denied the project", [_project(denied=True)]),
    "org_policy": Scenario(
        "org policies forbid gemini-3.5-flash (vertexai.allowedModels) and keys bound to service accounts, "
        "so AI Studio keys (iam.managed.disableServiceAccountApiKeyCreation); the app's account may read "
        "them; dev@example.com is an Editor",
        [
            _VERTEX,
            _project(
                org_policy_denied_models=[MODEL],
                org_policies={NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS: {"enforce": True}},
            ),
            _grant(APP_SA, "roles/orgpolicy.policyViewer"),
            _grant(DEV, "roles/editor"),
        ],
    ),
    "vpc_service_controls": Scenario(
        "a VPC Service Controls perimeter blocks the caller", [_VERTEX, _project(vpc_sc=True)]
    ),
    "model_access_restricted": Scenario(
        "the model is a private preview the project is not entitled to", [_gated]
    ),
    "location_unsupported": Scenario(
        "the caller's IP is in Hong Kong, where the Gemini API is not offered",
        [_set(caller={"ip": "203.0.113.7", "country": "HK"})],
    ),
    # 3.x models are served on global and the us / eu multi-regions, not on single regions.
    "model_not_in_region": Scenario(
        "gemini-3.5-flash is served on global, us and eu; the app calls the single region us-west1",
        [_VERTEX, _client(location="us-west1")],
    ),
    # A location Google does not have (us-central, not us-central1):
    # the client builds a host Google does not serve.
    "endpoint_invalid": Scenario(
        "the app's location is us-central (not us-central1): its client calls a host Google does not serve",
        [_VERTEX, _client(location="us-central")],
    ),
    # The commonest 2026 case: a tutorial's 2.5 model, closed to projects that had not used it.
    "model_not_found": Scenario(
        "the app calls gemini-2.5-flash-lite, closed to new users since 2026-07-22",
        [_client(model="gemini-2.5-flash-lite")],
    ),
    "quota_limit_zero": Scenario(
        "the project's quota for gemini-3.5-flash is 0", [_project(quota={MODEL: 0})]
    ),
    "quota_exhausted": Scenario(
        "the project's quota is 1 request a minute and the app already used it",
        [_project(quota={MODEL: 1}), _client(calls=2)],
    ),
    # Model-wide 503 "overloaded": the commonest incident form; the 403-for-everyone form is in check's tests.
    "google_incident": Scenario(
        "gemini-3.5-flash is overloaded for everyone; other models work",
        [
            _set(
                incidents=[
                    {
                        "model": MODEL,
                        "surface": "both",
                        "http_status": 503,
                        "message": "The model is overloaded. Please try again later.",
                    }
                ]
            )
        ],
    ),
    "edge_blocked": Scenario("Google's front end blocks the caller's network", [_set(edge_blocked=True)]),
}


def scenario_names() -> list[str]:
    return list(SCENARIOS)


def scenario_cause(name: str) -> str:
    """The cause that holds in built-in world *name* (``healthy`` for the healthy one)."""
    return SCENARIOS[name].cause or name


def scenario_world(name: str) -> dict:
    """The world (a mapping, ready for ``load_world``) in which exactly cause *name* holds."""
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)}")
    world = copy.deepcopy(HEALTHY)
    for patch in SCENARIOS[name].patches:
        patch(world)
    return world


# What each world really holds, by name (a view of SCENARIOS).
NOTES = {name: scenario.note for name, scenario in SCENARIOS.items()}


def _validate() -> None:
    """Every scenario is a cause in the catalogue (or healthy)."""
    from ..catalogue import require_causes

    require_causes({scenario_cause(name) for name in SCENARIOS} - {"healthy"}, "emulator/scenarios.py")


_validate()
