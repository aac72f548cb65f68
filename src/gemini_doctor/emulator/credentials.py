"""Credential files for a world's principals: real key files the emulator's token endpoint trusts.

Service accounts get RSA keys (one per account and process: the public half is registered with
the OAuth state, the private half goes only into the 0600 key file); users get authorized_user
ADC files with refresh tokens the emulator issued, and an access token it issued (google-auth refreshes such
files only at Google's token URL, so a plain app uses that token and never refreshes). ``env.sh`` sets what a
user's app would set to use them.
"""

from __future__ import annotations

import json
import secrets
import shlex
import time
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..google.services import GEMINI_API, VERTEX
from ..safefiles import PRIVATE, FileRefused, inside, safe_name, write_atomic
from .hostpath import host_prefix
from .oauth import FILE_TOKEN_LIFETIME, OAuthState, login_scopes
from .world import World


def write_credentials(world: World, oauth: OAuthState, directory: Path, base_url: str) -> dict[str, Path]:
    """Write key files, ADC files and env.sh into *directory*; return {principal or 'env': path}.

    File names come from the world's e-mails, made safe and kept in *directory*; no file is
    written through a symbolic link (see :mod:`..safefiles`)."""
    directory = directory.resolve()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileRefused(f"cannot create {directory}: {exc.strerror or exc}") from None
    written: dict[str, Path] = {}
    names: set[str] = set()
    for account in world.service_accounts:
        email = account["email"]
        written[email] = _write_private(
            _free_name(directory, f"sa-{email.split('@')[0]}", names),
            _service_account_file(account, oauth, base_url),
        )
    for user in world.users:
        email = user["email"]
        refresh = "1//emulated-" + secrets.token_urlsafe(24)
        oauth.refresh_tokens[refresh] = email
        token = oauth.issue(
            email, login_scopes(user), user.get("quota_project"), lifetime=FILE_TOKEN_LIFETIME
        )
        expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(oauth.tokens[token].expires_at))
        info = {
            "type": "authorized_user",
            "client_id": "emulated-client.apps.googleusercontent.com",
            "client_secret": "emulated-secret",
            "refresh_token": refresh,
            "account": email,
            "token": token,
            "expiry": expiry,
        }
        if user.get("quota_project"):
            info["quota_project_id"] = user["quota_project"]
        written[email] = _write_private(_free_name(directory, f"adc-{email.split('@')[0]}", names), info)
    written["env"] = _write_private(
        directory / "env.sh", None, _env_script(world, written, base_url, world.client)
    )
    return written


def _free_name(directory: Path, stem: str, taken: set[str]) -> Path:
    """*directory*/STEM.json with STEM made safe, and numbered when two principals would share it."""
    name, n = safe_name(stem), 1
    while f"{name}.json" in taken or name == "env":
        n += 1
        name = f"{safe_name(stem)}-{n}"
    taken.add(f"{name}.json")
    return inside(directory, f"{name}.json")


@cache
def _key_pair(email: str) -> tuple[str, str]:
    """The account's RSA key (private PEM, public PEM): made once per process, as making one
    costs tens of milliseconds. Each credential file still gets a key ID of its own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def _service_account_file(account: dict, oauth: OAuthState, base_url: str) -> dict:
    private_pem, public_pem = _key_pair(account["email"])
    kid = secrets.token_hex(20)
    oauth.signing_keys[kid] = (account["email"], public_pem)
    return {
        "type": "service_account",
        "project_id": account.get("project", ""),
        "private_key_id": kid,
        "private_key": private_pem,
        "client_email": account["email"],
        "client_id": str(secrets.randbelow(10**20)),
        "auth_uri": f"{base_url}/o/oauth2/auth",
        "token_uri": f"{base_url}/token",
        "auth_provider_x509_cert_url": f"{base_url}/oauth2/v1/certs",
        "universe_domain": "googleapis.com",
    }


def _env_script(world: World, written: dict[str, Path], base_url: str, client: dict) -> str:
    # Base URLs carry Google's host as their path (hostpath.py): google-genai then keeps project, location and
    # method (it reads the Gemini variable even in Vertex mode unless the app passes vertexai=True)
    env = {
        "GOOGLE_GEMINI_BASE_URL": base_url + host_prefix(GEMINI_API.service),
        "GOOGLE_VERTEX_BASE_URL": base_url + host_prefix(VERTEX.service),
        "GEMINI_DOCTOR_ENDPOINT": base_url,
    }
    key = client.get("api_key", world.api_keys[0].key if world.api_keys else None)
    if key:
        env["GEMINI_API_KEY"] = key
    principal = (
        client["principal"] if "principal" in client else next(iter(p for p in written if p != "env"), None)
    )
    if principal in written:
        env["GOOGLE_APPLICATION_CREDENTIALS"] = str(written[principal])
    project = client.get("project", world.projects[0].id if world.projects else None)
    if project:  # a client section may leave the project and location unset (Vertex express mode)
        env["GOOGLE_CLOUD_PROJECT"] = project
    if client.get("location", "global"):
        env["GOOGLE_CLOUD_LOCATION"] = client.get("location", "global")
    # google-genai 3.x and @google/genai read GOOGLE_GENAI_USE_ENTERPRISE first and warn when it disagrees
    # with GOOGLE_GENAI_USE_VERTEXAI (older clients read that alone): both name the surface, over the shell's
    vertex = "true" if client.get("surface") == "vertex" else "false"
    env["GOOGLE_GENAI_USE_ENTERPRISE"] = env["GOOGLE_GENAI_USE_VERTEXAI"] = vertex
    if world.metadata:  # google-auth reaches the machine's metadata server here (and pings it by "IP")
        env["GCE_METADATA_HOST"] = env["GCE_METADATA_IP"] = base_url.split("://", 1)[-1].rstrip("/")
    lines = ["# Generated by gemini-doctor emulate: source this file to point your app at the emulator."]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    return "\n".join(lines) + "\n"


def read_env_script(path: Path) -> dict[str, str]:
    """The variables an env.sh written here exports."""
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            out[name] = shlex.split(value)[0]
    return out


def _write_private(path: Path, data: dict | None, text: str | None = None) -> Path:
    """Write a credential file readable by its owner only (0600), from the first byte, atomically; not
    flushed to disk (the files serve one emulator run; flushing them made a start about twice as slow)."""
    content = text if text is not None else json.dumps(data, indent=2) + "\n"
    write_atomic(path, content.encode(), mode=PRIVATE, durable=False)
    return path
