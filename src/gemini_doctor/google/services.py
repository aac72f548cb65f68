"""Google's APIs as gemini-doctor meets them: the Gemini surfaces, their services and titles, and hosts.

Declared once here; every other package (the emulator included) takes these names from this module.
A link that does not resolve (a surface naming an unknown service, a title used twice) fails at import.
"""

from __future__ import annotations

from collections import namedtuple

GOOGLEAPIS = "googleapis.com"
GLOBAL = "global"
MULTI_REGIONS = ("us", "eu")  # Agent Platform's multi-region locations, on their own `rep` hosts
# gcloud's own OAuth client projects: user ADC without a quota project is billed and checked there.
# They are Google's, never the user's, so no fix may name one as the project to act on.
GCLOUD_OWN_PROJECTS = ("764086051850", "32555940559")


class Service(namedtuple("Service", "name title surface other_titles", defaults=(None, ()))):
    """One Google API: its service name (``aiplatform.googleapis.com``), its title as Google's errors
    and console print it today, the Gemini surface it serves (None for the admin APIs), and the other
    titles it goes by, current or former. (Tuples, not dataclasses: `explain` starts light.)"""

    __slots__ = ()

    @property
    def short(self) -> str:
        """The first label of the name (``aiplatform``): what URLs and probes use."""
        return self.name.split(".", 1)[0]

    @property
    def titles(self) -> tuple[str, ...]:
        return (self.title, *self.other_titles)


class Surface(namedtuple("Surface", "id name service call_permission", defaults=(None,))):
    """A way to call Gemini: its id (the catalogue's ``surface``), its name for people, its service, and
    the IAM permission a model call needs when it is IAM-checked."""

    __slots__ = ()


_SERVICES = (
    Service("generativelanguage.googleapis.com", "Generative Language API", "gemini-api", ("Gemini API",)),
    Service(
        "aiplatform.googleapis.com",
        "Agent Platform API",
        "vertex",
        ("Gemini Enterprise Agent Platform API", "Vertex AI API"),
    ),
    Service(
        "firebasevertexai.googleapis.com", "Firebase AI Logic API", "firebase", ("Vertex AI in Firebase API",)
    ),
    Service("firebaseml.googleapis.com", "Firebase ML API", "firebase"),
    Service("cloudaicompanion.googleapis.com", "Gemini for Google Cloud API", "code-assist"),
    Service("cloudcode-pa.googleapis.com", "Cloud Code Private API", "code-assist"),
    Service("oauth2.googleapis.com", "Google OAuth2 API"),
    Service("serviceusage.googleapis.com", "Service Usage API"),
    Service("cloudresourcemanager.googleapis.com", "Cloud Resource Manager API"),
    Service("cloudbilling.googleapis.com", "Cloud Billing API"),
    Service("apikeys.googleapis.com", "API Keys API"),
    Service("iamcredentials.googleapis.com", "IAM Service Account Credentials API"),
    Service("iam.googleapis.com", "Identity and Access Management (IAM) API"),
    Service("logging.googleapis.com", "Cloud Logging API"),
    Service("orgpolicy.googleapis.com", "Organization Policy API"),
    Service("policytroubleshooter.googleapis.com", "Policy Troubleshooter API"),
)
SERVICES: dict[str, Service] = {s.name: s for s in _SERVICES}
BY_SHORT: dict[str, Service] = {s.short: s for s in _SERVICES}

_SURFACES = (
    Surface("gemini-api", "the Gemini API", "generativelanguage.googleapis.com"),
    Surface(
        "vertex", "Vertex AI", "aiplatform.googleapis.com", call_permission="aiplatform.endpoints.predict"
    ),
    Surface("firebase", "Firebase AI Logic", "firebasevertexai.googleapis.com"),
    Surface("code-assist", "Gemini Code Assist", "cloudaicompanion.googleapis.com"),
)
SURFACES: dict[str, Surface] = {s.id: s for s in _SURFACES}

GEMINI_API = SURFACES["gemini-api"]
VERTEX = SURFACES["vertex"]


def service_of(surface: str) -> str:
    """The service name a call on *surface* goes to (KeyError for an unknown surface)."""
    return SURFACES[surface].service


def service_by_title(title: str) -> Service | None:
    """The service Google calls *title* (any of its titles, exact case), or None."""
    return _BY_TITLE.get(title)


def host(service: str, location: str | None = None) -> str:
    """The base URL (scheme and host) for *service* (a full or short name) at *location*.

    Agent Platform serves ``global`` (and express-mode keys) on ``aiplatform.googleapis.com``, the
    ``us``/``eu`` multi-regions on ``aiplatform.{us,eu}.rep.googleapis.com``, and a single region
    on ``{region}-aiplatform.googleapis.com``; every other API has one global host.
    """
    short = (SERVICES[service] if service in SERVICES else BY_SHORT[service]).short
    if short == "aiplatform" and location and location != GLOBAL:
        if location in MULTI_REGIONS:
            return f"https://{short}.{location}.rep.{GOOGLEAPIS}"
        return f"https://{location}-{short}.{GOOGLEAPIS}"
    return f"https://{short}.{GOOGLEAPIS}"


def project_resource(project: str | int) -> str:
    """A project's full resource name, as IAM names the resource a permission is checked on
    (``//cloudresourcemanager.googleapis.com/projects/{id or number}``)."""
    return f"//{BY_SHORT['cloudresourcemanager'].name}/projects/{project}"


def vertex_model_path(
    model: str, project: str | None = None, location: str | None = None, version: str = "v1beta1"
) -> str:
    """A Google publisher model's resource path on Agent Platform; without a project, the express-mode path
    (API keys, served on the global host)."""
    if project is None:
        return f"/{version}/publishers/google/models/{model}"
    return f"/{version}/projects/{project}/locations/{location or GLOBAL}/publishers/google/models/{model}"


def _validated() -> dict[str, Service]:
    """Every link resolves and every title names one service; else fail at import."""
    problems = [
        f"service {s.name}: unknown surface {s.surface!r}"
        for s in _SERVICES
        if s.surface and s.surface not in SURFACES
    ]
    problems += [
        f"surface {s.id}: unknown service {s.service!r}" for s in _SURFACES if s.service not in SERVICES
    ]
    problems += [
        f"surface {s.id}: its service {s.service} serves {SERVICES[s.service].surface!r}"
        for s in _SURFACES
        if s.service in SERVICES and SERVICES[s.service].surface != s.id
    ]
    by_title: dict[str, Service] = {}
    for service in _SERVICES:
        for title in service.titles:
            if by_title.setdefault(title, service) is not service:
                problems.append(f"title {title!r} names both {by_title[title].name} and {service.name}")
    if len(SERVICES) != len(_SERVICES) or len(BY_SHORT) != len(_SERVICES) or len(SURFACES) != len(_SURFACES):
        problems.append("a service or surface is declared twice")
    if problems:
        raise ValueError("google.services: " + "; ".join(problems))
    return by_title


_BY_TITLE = _validated()
