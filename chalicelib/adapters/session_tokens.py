"""Shop session tokens: JWT, HS256, signed with a key kept in Secrets Manager.

The key is read lazily (the first shop request of a Lambda instance, not at import) and kept for
:data:`KEY_MAX_AGE_SECONDS`, so that a rotated secret is picked up without a deploy; tokens signed
with the previous key then fail and parents enter their code again. Nothing here is hard-coded:
the secret's ARN (or name) is the setting ``PHOTOJOBS_SESSION_SECRET_ARN``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib.adapters import aws
from chalicelib.domain.shop_sessions import (
    AUDIENCE,
    ISSUER,
    ShopSession,
    session_claims,
    session_from_claims,
)
from chalicelib.errors import Unauthorized

ALGORITHM = "HS256"
KEY_MAX_AGE_SECONDS = 300
MIN_KEY_BYTES = 32  # RFC 7518: an HS256 key must be at least as long as the hash (256 bits)


class SigningKeyInvalid(RuntimeError):
    """The secret is missing or too short: an operator's mistake, never a client's."""


class SecretSigningKey:
    """Callable: ``key() -> bytes``, the secret's string read from Secrets Manager."""

    def __init__(
        self,
        secret_id: str,
        *,
        client: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret_id = secret_id
        self._client = client
        self._clock = clock
        self._cached: tuple[float, bytes] | None = None

    def __call__(self) -> bytes:
        now = self._clock()
        if self._cached is None or now - self._cached[0] >= KEY_MAX_AGE_SECONDS:
            self._cached = (now, self._read())
        return self._cached[1]

    def _read(self) -> bytes:
        secrets_manager = self._client or aws.client("secretsmanager")
        value = secrets_manager.get_secret_value(SecretId=self._secret_id).get("SecretString")
        key = (value or "").strip().encode()
        if len(key) < MIN_KEY_BYTES:
            raise SigningKeyInvalid(
                f"the session signing secret {self._secret_id} must hold at least "
                f"{MIN_KEY_BYTES} characters"
            )
        return key


class SessionTokens:
    """Issues and verifies shop session tokens (``Authorization: Bearer <token>``)."""

    def __init__(self, signing_key: Callable[[], bytes], *, leeway: int = 0) -> None:
        self._key = signing_key
        self._leeway = leeway

    def issue(self, session: ShopSession) -> str:
        import jwt  # deferred: keeps the API's import light

        return jwt.encode(session_claims(session), self._key(), algorithm=ALGORITHM)

    def verify(self, authorization: str | None) -> ShopSession:
        """The session of a valid token; ``Unauthorized`` for a missing, tampered, expired or
        foreign token (a Cognito token is refused: another algorithm, issuer and audience)."""
        import jwt

        if not authorization:
            raise Unauthorized("enter your access code first: no shop session was sent")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        try:
            claims = jwt.decode(
                token.strip(),
                self._key(),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the shop session has expired: enter your code again") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("the shop session is not valid: enter your code again") from exc
        return session_from_claims(claims)
