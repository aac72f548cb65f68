"""Built-in worlds: ``healthy`` and one per cause the Gemini API surface can produce.

Each scenario is the healthy world plus a small patch, and names the key the default caller uses
(``client.api_key``, an extension field that the world spec allows).
"""

from __future__ import annotations

import copy

KEY = "AIzaSyD-emulated-key-0000000000000000"       # fake, 39 characters, as in the world spec
OTHER_KEY = "AIzaSyD-emulated-key-unregistered-0000"
EXPRESS_KEY = "AQ.Ab8RN6emulated-express-key-0000000000"

HEALTHY = {
    "caller": {"ip": "203.0.113.7", "country": "US"},
    "projects": [{"id": "acme-prod", "number": 123456789012, "billing": "enabled",
                  "services": ["generativelanguage.googleapis.com", "aiplatform.googleapis.com"]}],
    "api_keys": [{"key": KEY, "name": "projects/123456789012/locations/global/keys/k1", "project": "acme-prod"}],
    "models": [
        {"name": "gemini-2.5-flash", "surfaces": ["gemini-api", "vertex"], "locations": ["global", "us-central1", "europe-west4"]},
        {"name": "gemini-2.5-pro", "surfaces": ["gemini-api", "vertex"], "locations": ["global", "us-central1"]},
        {"name": "gemini-3-pro-preview", "surfaces": ["gemini-api", "vertex"], "locations": ["global"], "launch_stage": "PUBLIC_PREVIEW"},
        {"name": "gemini-1.0-pro", "launch_stage": "RETIRED"},
    ],
    "client": {"api_key": KEY, "model": "gemini-2.5-flash"},
}


def _key(**changes):
    return lambda w: w["api_keys"][0].update(changes)


def _project(**changes):
    return lambda w: w["projects"][0].update(changes)


def _set(**changes):
    return lambda w: w.update(changes)


def _client(**changes):
    return lambda w: w["client"].update(changes)


def _express(w):
    w["api_keys"].append({"key": EXPRESS_KEY, "name": "projects/123456789012/locations/global/keys/k2",
                          "project": "acme-prod", "vertex_express": True})
    w["client"]["api_key"] = EXPRESS_KEY


def _gated(w):
    w["models"].append({"name": "gemini-ultra-preview", "requires_entitlement": True, "launch_stage": "PRIVATE_PREVIEW"})
    w["client"]["model"] = "gemini-ultra-preview"


_PATCHES = {
    "healthy": [],
    "credentials_missing": [_client(api_key=None)],
    "api_key_invalid": [_client(api_key=OTHER_KEY)],
    "api_key_expired": [_key(state="expired")],
    "api_key_leaked": [_key(state="leaked")],
    "api_key_suspended": [_key(state="suspended")],
    "api_key_api_restricted": [_key(restrictions={"api_targets": ["cloudaicompanion.googleapis.com"]})],
    "api_key_referrer_restricted": [_key(restrictions={"referrers": ["https://acme.example/*"]})],
    "api_key_ip_restricted": [_key(restrictions={"ips": ["198.51.100.0/24"]})],
    "api_key_app_restricted": [_key(restrictions={"android_apps": ["com.acme.app"]})],
    "wrong_surface": [_express],
    "service_disabled": [_project(services=["aiplatform.googleapis.com"])],
    "billing_disabled": [_project(billing="disabled")],
    "billing_required": [_project(billing="none"), _set(paid_only_countries=["GB"], caller={"ip": "203.0.113.7", "country": "GB"})],
    "wrong_project": [_key(project="YOUR_PROJECT_ID")],
    "project_denied": [_project(denied=True)],
    "location_unsupported": [_set(caller={"ip": "203.0.113.7", "country": "HK"})],
    "model_not_found": [_client(model="gemini-1.0-pro")],
    "model_access_restricted": [_gated],
    "quota_limit_zero": [_project(quota={"gemini-2.5-flash": 0})],
    "quota_exhausted": [_project(quota={"gemini-2.5-flash": 1}), _client(calls=2)],
    "google_incident": [_set(incidents=[{"model": "gemini-2.5-flash", "surface": "both", "http_status": 503,
                                         "message": "The model is overloaded. Please try again later."}])],
}


def scenario_names() -> list[str]:
    return list(_PATCHES)


def scenario_world(name: str) -> dict:
    """The world (a mapping, ready for ``load_world``) in which exactly cause *name* holds."""
    if name not in _PATCHES:
        raise KeyError(f"unknown scenario {name!r}; choose one of: {', '.join(_PATCHES)}")
    world = copy.deepcopy(HEALTHY)
    world["client"].setdefault("calls", 1)
    for patch in _PATCHES[name]:
        patch(world)
    return world
