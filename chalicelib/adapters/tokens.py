"""Verification of Cognito ID tokens against the user pool's JWKS.

API Gateway authorizers are not enforced by ``chalice local`` or ``chalice.test``, so the API
verifies every token itself: signature (RS256, key from the JWKS), issuer, audience (the app
client), expiry, ``token_use == "id"`` and the studio claim.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from chalicelib.domain.principal import Principal
from chalicelib.errors import Unauthorized

STUDIO_CLAIM = "custom:studio_id"


class TokenVerifier:
    def __init__(self, *, jwks_url: str, issuer: str, audience: str, leeway: int = 30) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway

    @cached_property
    def _keys(self) -> Any:
        import jwt  # deferred: keeps the API's cold start small

        return jwt.PyJWKClient(self._jwks_url, cache_keys=True, lifespan=3600, timeout=5)

    def verify(self, authorization: str | None) -> Principal:
        import jwt

        if not authorization:
            raise Unauthorized("sign in first: the Authorization header is missing")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        try:
            signing_key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the token has expired: sign in again") from exc
        except jwt.PyJWKClientConnectionError as exc:
            raise Unauthorized("the token's signing keys cannot be fetched") from exc
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
            raise Unauthorized(f"the token is not valid: {exc}") from exc
        if claims.get("token_use") != "id":
            raise Unauthorized("an ID token is required")
        studio_id = claims.get(STUDIO_CLAIM)
        if not studio_id:
            raise Unauthorized("the token does not belong to a studio")
        return Principal(studio_id=studio_id, user_id=claims["sub"], email=claims.get("email"))
