"""Find the credentials the user's code would really use, as google-genai and google-auth decide.

The surface, key and project/location rules are google-genai's (``_api_client.BaseApiClient``, checked
against the installed client by the tests); Application Default Credentials come from
``google.auth.default``. Secrets stay in memory; what is reported shows at most a masked key.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..google.access import CLOUD_PLATFORM, GENERATIVE_LANGUAGE_RETRIEVER
from . import FOR_CALL, FOR_KEY_CREATION
from .metadata_route import MetadataRoute, google_auth_under, metadata_route

# OAuth on the Gemini API needs a Gemini scope (the Gemini OAuth quickstart's login scopes).
GEMINI_OAUTH_SCOPES = [CLOUD_PLATFORM, GENERATIVE_LANGUAGE_RETRIEVER]
TRUE = (
    "true",
    "1",
)  # what google-genai reads as true in GOOGLE_GENAI_USE_ENTERPRISE / GOOGLE_GENAI_USE_VERTEXAI
# What google-genai raises when its client is created, before any request
NO_KEY = (
    "ValueError('No API key was provided. Please pass a valid API key. Learn how to create an API key at "
    "https://aistudio.google.com/docs/api-key.')"
)
NO_PROJECT = "ValueError('Project or API key must be set when using the Vertex AI API.')"
# The facts discovery establishes before any request (declared like a probe's: see probes/registry.py)
FACTS = {
    "no_credential": "the app would send no API key and finds no Application Default Credentials",
    "key_malformed": "the API key has quotes or white space around it, or the wrong length for its kind",
    "key_is_token": "the variable that should hold an API key holds an OAuth access token",
    "adc_without_quota_project": "user Application Default Credentials carry no quota project",
}
# The trap fix --apply has a remedy for (chmod 600)
KEY_FILE_READABLE = "key_file_readable_by_others"

_KEY_VARIABLES = ("GOOGLE_API_KEY", "GEMINI_API_KEY")


def mask(secret: str) -> str:
    """redact.mask, imported on use: the redactor's patterns are not needed before the first request."""
    from ..redact import mask as masked

    return masked(secret)


@dataclass
class Trap:
    id: str
    message: str


@dataclass
class AdminCredential:
    """check --admin-credentials: the credential the read-only admin probes (audit log, Policy Troubleshooter,
    org policy) run as, while the app's own probes keep the app's credential."""

    credentials: object  # google.auth credentials, unrefreshed
    kind: str
    source: str
    principal: str | None  # from the file, else from tokeninfo once the admin token probe ran
    automatic: bool = (
        False  # the gcloud login, chosen without --admin-credentials: the app's if it gets no token
    )

    def summary(self) -> dict:
        return {"kind": self.kind, "source": self.source, "principal": self.principal}


@dataclass
class Setup:
    """What the user's program would use, where each part came from, and the traps found."""

    surface: str
    model: str
    location: str
    api_key: str | None = None  # raw, for requests only; never rendered
    key_source: str | None = None
    credentials: object | None = None  # google.auth credentials, unrefreshed
    credential_kind: str | None = None
    credential_source: str | None = None
    credential_file: Path | None = None  # the JSON credential file in use, when there is one
    principal: str | None = None
    project: str | None = None
    project_source: str | None = None
    quota_project: str | None = None
    adc_error: str | None = None
    start_error: str | None = (
        None  # what the user's google-genai client would raise when created, if anything
    )
    express: bool = False  # Vertex with an API key and no project/location: google-genai's express mode
    traps: list[Trap] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    admin: AdminCredential | None = None  # --admin-credentials: what the read-only admin probes run as
    metadata: MetadataRoute | None = None  # where the token transport sends google-auth's metadata requests
    purpose: str = FOR_CALL  # what check asks: the app's call, or FOR_KEY_CREATION (see discover_person)

    @property
    def uses_key(self) -> bool:
        """True when the calls are made with the API key (Gemini API, or Vertex express mode)."""
        return self.api_key is not None and (self.surface == "gemini-api" or self.express)

    def credential_summary(self) -> dict:
        kind = "api_key" if self.uses_key else self.credential_kind
        source = self.key_source if self.uses_key else self.credential_source
        return {
            "kind": kind,
            "source": source,
            "principal": self.principal,
            "project": self.project,
            "project_source": self.project_source,
            "key": mask(self.api_key) if self.api_key else None,
        }


def discover(
    env: dict[str, str],
    surface: str = "auto",
    model: str | None = None,
    project: str | None = None,
    location: str | None = None,
    endpoint: str | None = None,
) -> Setup:
    """The setup a program with environment *env* would use; flags override the environment."""
    from ..google.lifecycle import model_table

    key, key_source, traps = _api_key(env)
    chosen = surface if surface != "auto" else ("vertex" if _vertex_flag(env) else "gemini-api")
    env_location = location or env.get("GOOGLE_CLOUD_LOCATION")
    setup = Setup(
        surface=chosen,
        model=model or model_table().control[0],
        location=env_location or "global",
        api_key=key,
        key_source=key_source,
        traps=traps,
    )
    if project or env.get("GOOGLE_CLOUD_PROJECT"):
        setup.project = project or env.get("GOOGLE_CLOUD_PROJECT")
        setup.project_source = "--project" if project else "GOOGLE_CLOUD_PROJECT"
    # google-genai on Vertex: a project or location (from the environment) beats an API key from the
    # environment; an API key alone is express mode, on the global host.
    setup.express = chosen == "vertex" and key is not None and not (setup.project or env_location)
    _check_key(setup)
    if setup.surface == "gemini-api" and setup.api_key is None and surface == "auto":
        setup.start_error = NO_KEY  # google-genai refuses OAuth on the Gemini API: it would not even start
    _load_adc(setup, env, endpoint)
    if setup.surface == "vertex" and not setup.uses_key and not setup.project and setup.start_error is None:
        setup.start_error = (
            NO_PROJECT if setup.credentials is not None else f"DefaultCredentialsError({setup.adc_error!r})"
        )
    if setup.start_error:
        setup.facts["no_credential"] = f"google-genai would not start: {setup.start_error}"
    elif setup.api_key is None and setup.credentials is None:
        broken = env.get("GOOGLE_APPLICATION_CREDENTIALS") if setup.adc_error else None
        setup.facts["no_credential"] = (
            f"GOOGLE_APPLICATION_CREDENTIALS names {broken}, which cannot be used: {setup.adc_error}"
            if broken
            else "no API key in GEMINI_API_KEY / GOOGLE_API_KEY and no "
            "Application Default Credentials" + (f" ({setup.adc_error})" if setup.adc_error else "")
        )
    return setup


def discover_person(env: dict[str, str], project: str | None, endpoint: str | None) -> Setup:
    """``check --for key-creation``: the account that signs in to AI Studio, as this machine knows it: the
    gcloud login (its ADC file) when there is one, else whatever Application Default Credentials find. API
    keys in the environment play no part."""
    env = {name: value for name, value in env.items() if name not in _KEY_VARIABLES}
    if env.get("GOOGLE_APPLICATION_CREDENTIALS") and gcloud_adc_path(env).exists():
        del env["GOOGLE_APPLICATION_CREDENTIALS"]  # the app's identity, not the person's
    setup = discover(env, "gemini-api", project=project, endpoint=endpoint)
    setup.facts = {
        k: v for k, v in setup.facts.items() if k == "no_credential"
    }  # the call's facts do not apply here
    setup.purpose = FOR_KEY_CREATION
    return setup


def _vertex_flag(env: dict[str, str]) -> bool:
    """google-genai: GOOGLE_GENAI_USE_ENTERPRISE wins over GOOGLE_GENAI_USE_VERTEXAI; only 'true' and '1' are
    true."""
    flag = env.get("GOOGLE_GENAI_USE_ENTERPRISE", env.get("GOOGLE_GENAI_USE_VERTEXAI"))
    return flag is not None and flag.lower() in TRUE


def _api_key(env: dict[str, str]) -> tuple[str | None, str | None, list[Trap]]:
    """google-genai reads GOOGLE_API_KEY first, then GEMINI_API_KEY (warning when both are set); an empty one
    is none."""
    traps = []
    google, gemini = env.get("GOOGLE_API_KEY"), env.get("GEMINI_API_KEY")
    if google and gemini and google != gemini:
        traps.append(
            Trap(
                "two_keys",
                f"GOOGLE_API_KEY ({mask(google)}) and GEMINI_API_KEY ({mask(gemini)}) differ: "
                "google-genai uses GOOGLE_API_KEY, the older google-generativeai uses GEMINI_API_KEY",
            )
        )
    if google:
        return google, "GOOGLE_API_KEY", traps
    if gemini:
        return gemini, "GEMINI_API_KEY", traps
    return None, None, traps


def _check_key(setup: Setup) -> None:
    if setup.api_key is None:
        return
    key = setup.api_key = setup.api_key.strip()  # google-genai strips white space around the key itself
    stripped = key.strip("'\"").strip()
    if stripped != key:
        setup.facts["key_malformed"] = f"{setup.key_source} has quotes around the key ({mask(stripped)})"
    elif key.startswith("ya29."):
        setup.facts["key_is_token"] = (
            f"{setup.key_source} holds an OAuth access token ({mask(key)}), not an API key"
        )
    elif key.startswith("AIza") and len(key) != 39:
        setup.facts["key_malformed"] = f"{setup.key_source} is {len(key)} characters long; AIza keys have 39"


def _load_adc(setup: Setup, env: dict[str, str], endpoint: str | None) -> None:
    import google.auth
    from google.auth import exceptions as auth_exceptions

    from .auth import Request

    path = env.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path:
        _check_key_file(setup, path)
    route = setup.metadata = metadata_route(env, endpoint)
    scopes = (
        GEMINI_OAUTH_SCOPES if setup.surface == "gemini-api" and setup.api_key is None else [CLOUD_PLATFORM]
    )
    # the metadata route goes in explicitly: google-auth read NO_GCE_CHECK when this process imported it
    request = Request(trust_env=endpoint is None, metadata=route)
    try:
        with google_auth_under(env, route) as skipped_here:
            credentials, adc_project = google.auth.default(scopes=scopes, request=request)
        # found by the GCE residency file alone (a google-auth whose check we could not turn off)
        if not route.checked and _kind(credentials) == "compute_engine":
            raise auth_exceptions.DefaultCredentialsError("the metadata server is not checked (NO_GCE_CHECK)")
    except (auth_exceptions.DefaultCredentialsError, ValueError) as exc:
        setup.adc_error = plain_error(exc)
        if path:  # say which file is broken, and how, even when it is valid JSON (e.g. a corrupt private key)
            setup.credential_source = f"GOOGLE_APPLICATION_CREDENTIALS={path} (cannot be used)"
            if not any(trap.id.startswith("key_file_") for trap in setup.traps):
                setup.traps.append(
                    Trap(
                        "key_file_invalid",
                        f"GOOGLE_APPLICATION_CREDENTIALS file {path} cannot be used: {setup.adc_error}",
                    )
                )
        return
    if endpoint and hasattr(credentials, "with_token_uri"):
        credentials = credentials.with_token_uri(endpoint.rstrip("/") + "/token")
    setup.credentials = credentials
    setup.credential_kind = _kind(credentials)
    gcloud_file = gcloud_adc_path(env)
    if path:
        setup.credential_source, setup.credential_file = f"GOOGLE_APPLICATION_CREDENTIALS={path}", Path(path)
    elif gcloud_file.exists():
        setup.credential_source, setup.credential_file = f"gcloud ADC file {gcloud_file}", gcloud_file
    else:
        setup.credential_source = "metadata server"
        if skipped_here:
            setup.traps.append(
                Trap(
                    "metadata_check_off_in_process",
                    "google-auth was first imported in this process with NO_GCE_CHECK=true: code running in "
                    "this process skips the metadata server and finds no credential (a new process with this "
                    "environment uses the one checked here)",
                )
            )
    setup.principal = named_principal(credentials)
    setup.quota_project = getattr(credentials, "quota_project_id", None)
    if not setup.project and adc_project:
        setup.project, setup.project_source = adc_project, "Application Default Credentials"
    if setup.credential_kind == "authorized_user" and not setup.quota_project:
        setup.traps.append(
            Trap(
                "adc_without_quota_project",
                "user credentials without a quota project: "
                "gcloud auth application-default set-quota-project PROJECT_ID",
            )
        )
        if setup.surface == "gemini-api" and setup.api_key is None:
            setup.facts["adc_without_quota_project"] = "the user credentials carry no quota_project_id"


def plain_error(exc: BaseException) -> str:
    """google-auth's error as one readable line: its messages joined (no tuple or repr), each cut at its first
    sentence; a private key that does not parse is named as such."""
    text = ": ".join(_messages(exc)) or type(exc).__name__
    if "deserialize key data" in text:
        text += " (its private_key is corrupt or truncated: create a new key for the account)"
    return text


def _messages(exc: BaseException) -> list[str]:
    out = []
    for arg in exc.args or (str(exc),):
        if isinstance(arg, BaseException):
            out += _messages(arg)
        elif isinstance(arg, str) and arg.strip():
            out.append(arg.strip().splitlines()[0].split(". ")[0].rstrip("."))
    return out


def gcloud_adc_path(env: dict[str, str]) -> Path:
    """Where `gcloud auth application-default login` writes (as google-auth looks for it)."""
    config = env.get("CLOUDSDK_CONFIG") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".config", "gcloud"
    )
    return Path(config) / "application_default_credentials.json"


def named_principal(credentials: object) -> str | None:
    """The account a credential names (None for the metadata server's "default" alias: tokeninfo tells)."""
    principal = getattr(credentials, "service_account_email", None) or getattr(credentials, "account", None)
    return principal if principal and principal != "default" else None


def load_credential_file(path: str, endpoint: str | None):
    """A service-account key or authorized-user file, loaded by google-auth; its token URL the endpoint's, if
    any."""
    import google.auth

    credentials, _ = google.auth.load_credentials_from_file(path, scopes=[CLOUD_PLATFORM])
    if endpoint and hasattr(credentials, "with_token_uri"):
        credentials = credentials.with_token_uri(endpoint.rstrip("/") + "/token")
    return credentials


def admin_credential(path: str, endpoint: str | None) -> AdminCredential:
    """check --admin-credentials PATH; ValueError, in plain words, when google-auth cannot use the file."""
    from google.auth import exceptions as auth_exceptions

    try:
        credentials = load_credential_file(path, endpoint)
    except (auth_exceptions.DefaultCredentialsError, ValueError, OSError) as exc:
        raise ValueError(f"{path} cannot be used: {plain_error(exc)}") from None
    except Exception:  # noqa: BLE001 - google-auth reads any JSON (a list, a string) without checking its shape
        raise ValueError(
            f"{path} cannot be used: not a service-account key or authorized-user JSON file"
        ) from None
    return AdminCredential(
        credentials, _kind(credentials), f"--admin-credentials {path}", named_principal(credentials)
    )


def gcloud_login(setup: Setup, env: dict[str, str], endpoint: str | None) -> AdminCredential | None:
    """The person's gcloud login (its ADC file) as the admin credential, when the app runs as another
    credential and google-auth can use the file; else None."""
    path = gcloud_adc_path(env)
    if not path.is_file() or (
        setup.credential_file and Path(setup.credential_file).resolve() == path.resolve()
    ):
        return None
    try:
        admin = admin_credential(str(path), endpoint)
    except ValueError:
        return None
    admin.source, admin.automatic = f"your gcloud login ({path})", True
    return admin


def load_admin_credentials(setup: Setup, env: dict[str, str], endpoint: str | None, admin_file: str | None):
    """Who applies fixes: --admin-credentials, else your gcloud login when the app runs as another credential,
    else the app's own credential."""
    if admin_file is not None:
        return load_credential_file(admin_file, endpoint)
    login = gcloud_login(setup, env, endpoint)
    return setup.credentials if login is None else login.credentials


def _check_key_file(setup: Setup, path: str) -> None:
    try:
        mode = os.stat(path).st_mode
        with open(path, encoding="utf-8") as handle:
            info = json.load(handle)
    except FileNotFoundError:
        setup.traps.append(
            Trap("key_file_missing", f"GOOGLE_APPLICATION_CREDENTIALS points at {path}, which does not exist")
        )
        return
    except OSError as exc:
        setup.traps.append(
            Trap(
                "key_file_unreadable",
                f"GOOGLE_APPLICATION_CREDENTIALS file {path} cannot be read: {exc.strerror or exc}",
            )
        )
        return
    except ValueError as exc:
        setup.traps.append(
            Trap(
                "key_file_unreadable", f"GOOGLE_APPLICATION_CREDENTIALS file {path} is not valid JSON ({exc})"
            )
        )
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        setup.traps.append(
            Trap(
                KEY_FILE_READABLE,
                f"{path} is readable by group/others "
                f"(mode {stat.S_IMODE(mode):o}); it should be 600: chmod 600 {path}",
            )
        )
    if (
        isinstance(info, dict)
        and info.get("type") == "service_account"
        and setup.surface == "gemini-api"
        and setup.api_key
    ):
        setup.traps.append(
            Trap(
                "two_credentials",
                "both an API key and a service-account file are set: google-genai uses "
                "the API key for the Gemini API and ignores the service account",
            )
        )


def _kind(credentials: object) -> str:
    module = type(credentials).__module__
    name = type(credentials).__name__
    if "service_account" in module:
        return "service_account"
    if name == "Credentials" and module.endswith("oauth2.credentials"):
        return "authorized_user"
    if "impersonated" in module:
        return "impersonated_service_account"
    if "external_account" in module or "identity_pool" in module or "aws" in module:
        return "external_account"
    if "compute_engine" in module:
        return "compute_engine"
    return name
