"""The key that signs unsubscribe links: one Secrets Manager secret, its ``SecretString`` the
key itself. A separate secret from the shop-session key on purpose: unsubscribe links must keep
working for as long as the emails exist, so this key is retained and rarely rotated. Read once
per warm process."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from chalicelib.domain.communication.unsubscribe import MIN_KEY_BYTES


class UnsubscribeKeyInvalid(RuntimeError):
    """The secret is too short to sign with: an operator's mistake (a 500), never a 4xx."""


class UnsubscribeKey:
    def __init__(self, secret_arn: str, client: Any = None) -> None:
        self._secret_arn = secret_arn
        self._client = client

    @cached_property
    def value(self) -> bytes:
        from chalicelib.adapters.aws import client

        secrets = self._client or client("secretsmanager")
        raw = secrets.get_secret_value(SecretId=self._secret_arn).get("SecretString") or ""
        key = raw.strip().encode()
        if len(key) < MIN_KEY_BYTES:
            raise UnsubscribeKeyInvalid(
                f"{self._secret_arn} must hold at least {MIN_KEY_BYTES} bytes"
            )
        return key
