"""OAuth state shared by every emulated service: the signing keys of the key files the emulator wrote, the
refresh tokens it issued, and the access tokens with their principal, scopes and quota project.

The token endpoint that issues them is ``services/oauth2.py``.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from google.auth import exceptions as auth_exceptions
from google.auth import jwt

from ..google.access import CLOUD_PLATFORM, USERINFO_EMAIL

TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
TOKEN_LIFETIME = 3600
# A user ADC file's own access token: google-auth refreshes authorized-user files only at Google's token URL,
# so the file the emulator writes carries a token that lasts a day (Google's last an hour) and a plain app
# never refreshes.
FILE_TOKEN_LIFETIME = 24 * 3600
# What `gcloud auth application-default login` grants unless --scopes says otherwise.
DEFAULT_USER_SCOPES = (CLOUD_PLATFORM, USERINFO_EMAIL)


def login_scopes(user: dict) -> set[str]:
    """The scopes a user's login granted: their ADC file's refresh token may ask for these, or fewer."""
    return set(user.get("scopes") or DEFAULT_USER_SCOPES)


@dataclass
class Token:
    principal: str
    scopes: frozenset[str]
    expires_at: float
    quota_project: str | None = None


@dataclass
class OAuthState:
    signing_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # kid -> (email, public PEM)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> user email
    tokens: dict[str, Token] = field(default_factory=dict)

    def issue(
        self,
        principal: str,
        scopes: set[str],
        quota_project: str | None = None,
        lifetime: int = TOKEN_LIFETIME,
    ) -> str:
        token = "ya29.emulated-" + secrets.token_urlsafe(24)
        self.tokens[token] = Token(principal, frozenset(scopes), time.time() + lifetime, quota_project)
        return token

    def lookup(self, token: str) -> Token | None:
        return self.tokens.get(token)

    def self_signed(self, assertion: str, service: str, accounts: list[dict]) -> Token | None:
        """A service account's self-signed JWT used as the bearer (AIP-4111), as Google accepts it:
        signed with a key the emulator wrote, issued by that key's account (one of *accounts*, not
        disabled), for this API (``aud`` its URL) or for scopes (a ``scope`` claim). Else None."""
        try:
            kid = jwt.decode_header(assertion).get("kid", "")
            email, public_pem = self.signing_keys[kid]
            claims = jwt.decode(assertion, certs={kid: public_pem}, audience=None)
        except (KeyError, ValueError, auth_exceptions.GoogleAuthError):
            return None
        scopes = frozenset(str(claims.get("scope", "")).split())
        if not any(sa.get("email") == email and not sa.get("disabled") for sa in accounts):
            return None
        if claims.get("iss") != email or not (
            scopes or claims.get("aud") in (f"https://{service}/", f"https://{service}")
        ):
            return None
        return Token(email, scopes or frozenset({CLOUD_PLATFORM}), float(claims["exp"]))
