"""Sign-in routes: the CLI and admin pages exchange email and password for Cognito tokens."""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes
from chalicelib.domain import validation as v

routes = Routes(__name__, tag="auth")


def _tokens(tokens: Any) -> dict[str, Any]:
    return {
        "id_token": tokens.id_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
    }


@routes.api("/api/auth/login", "POST", auth=False, request_schema="Login")
def login(request: ApiRequest) -> dict[str, Any]:
    """Sign in with email and password; returns an ID token for the Authorization header."""
    body = v.collect(
        v.require_object(request.json),
        {"email": lambda x: v.text(x, max_length=254), "password": v.text},
        required=("email", "password"),
    )
    return _tokens(wiring.identity().sign_in(body["email"], body["password"]))


@routes.api("/api/auth/refresh", "POST", auth=False, request_schema="Refresh")
def refresh(request: ApiRequest) -> dict[str, Any]:
    """Exchange a refresh token for a new ID token."""
    body = v.collect(
        v.require_object(request.json),
        {"refresh_token": lambda x: v.text(x, max_length=4096)},
        required=("refresh_token",),
    )
    return _tokens(wiring.identity().refresh(body["refresh_token"]))


@routes.api("/api/me")
def me(request: ApiRequest) -> dict[str, Any]:
    """Who the token belongs to."""
    who = request.principal
    return {"studio_id": who.studio_id, "user_id": who.user_id, "email": who.email}
