"""OAuth 2.0 (oauth2.googleapis.com): the token endpoint and tokeninfo.

Service accounts sign a JWT with a key file the emulator wrote; the signature is verified with
google-auth against the public key registered in the shared :class:`OAuthState`. authorized_user refresh
tokens are the ones the emulator issued. Issued tokens remember their principal, scopes and quota project.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from google.auth import exceptions as auth_exceptions
from google.auth import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.services import BY_SHORT
from ..oauth import TOKEN_AUDIENCE, TOKEN_LIFETIME, login_scopes
from ..registry import Context, EmulatedService


class OAuthBackend:
    def __init__(self, ctx: Context) -> None:
        self.world, self.state = ctx.world, ctx.oauth

    def routes(self) -> list[Route]:
        return [
            Route("/token", self.token, methods=["POST"]),
            Route("/tokeninfo", self.tokeninfo, methods=["GET", "POST"]),
        ]

    async def token(self, request: Request) -> Response:
        form = await _form(request)
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._jwt_grant(str(form.get("assertion", "")))
        if grant == "refresh_token":
            return self._refresh_grant(str(form.get("refresh_token", "")), str(form.get("scope", "")))
        return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")

    def _jwt_grant(self, assertion: str) -> Response:
        try:
            header = jwt.decode_header(assertion)
            email, public_pem = self.state.signing_keys[header.get("kid", "")]
            claims = jwt.decode(assertion, certs={header["kid"]: public_pem}, audience=TOKEN_AUDIENCE)
        except (KeyError, ValueError, auth_exceptions.GoogleAuthError):
            return _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        account = next((sa for sa in self.world.service_accounts if sa.get("email") == email), None)
        if account is None or account.get("disabled") or claims.get("iss") != email:
            return _oauth_error(400, "invalid_grant", "Invalid grant: account not found")
        scopes = set(str(claims.get("scope", "")).split())
        if not scopes:
            return _oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        return self._granted(email, scopes, None)

    def _refresh_grant(self, refresh_token: str, scope: str) -> Response:
        email = self.state.refresh_tokens.get(refresh_token)
        user = next((u for u in self.world.users if u.get("email") == email), None)
        if user is None:
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        login = login_scopes(user)
        requested = set(scope.split())
        if not requested <= login:  # a refresh may narrow the scopes granted at login, never widen them
            return _oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        return self._granted(user["email"], requested or login, user.get("quota_project"))

    def _granted(self, principal: str, scopes: set[str], quota_project: str | None) -> Response:
        token = self.state.issue(principal, scopes, quota_project)
        return JSONResponse(
            {
                "access_token": token,
                "expires_in": TOKEN_LIFETIME - 1,
                "token_type": "Bearer",
                "scope": " ".join(sorted(scopes)),
            }
        )

    async def tokeninfo(self, request: Request) -> Response:
        token = request.query_params.get("access_token")
        if token is None and request.method == "POST":
            token = (await _form(request)).get("access_token")
        info = self.state.lookup(str(token or ""))
        if info is None or info.expires_at < time.time():
            return _oauth_error(400, "invalid_token", "Invalid Value")
        remaining = int(info.expires_at - time.time())
        return JSONResponse(
            {
                "azp": "emulated",
                "aud": "emulated",
                "sub": info.principal,
                "scope": " ".join(sorted(info.scopes)),
                "exp": str(int(info.expires_at)),
                "expires_in": str(remaining),
                "email": info.principal,
                "email_verified": "true",
            }
        )


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form body (the token endpoint's only format)."""
    pairs = parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
    return dict(pairs)


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


EMULATED = EmulatedService(BY_SHORT["oauth2"].name, OAuthBackend)
