"""The Stripe keys, read from one Secrets Manager secret: JSON ``{"secret_key": "sk_...",
"webhook_secret": "whsec_..."}``. Read lazily, kept for a few minutes, so that a rotated key is
picked up without a deploy and a warm Lambda does not call Secrets Manager per request."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters import aws
from chalicelib.errors import PaymentsNotConfigured

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 300


class StripeSecretInvalid(PaymentsNotConfigured):
    """The secret is missing, not the JSON object we need, or has an empty key (the deployed
    placeholder is ``{"secret_key": "", "webhook_secret": ""}``): an operator's mistake. The
    caller gets 503 ``payments_not_configured`` (never the secret's name); the log names it."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"Stripe payments are not configured: the secret {problem}")


@dataclass(frozen=True)
class StripeSecrets:
    secret_key: str
    webhook_secret: str

    def __repr__(self) -> str:  # never in a log line
        return "StripeSecrets(secret_key=***, webhook_secret=***)"


class StripeSecretReader:
    """Callable: ``reader() -> StripeSecrets``, cached for :data:`MAX_AGE_SECONDS`."""

    def __init__(
        self,
        secret_arn: str,
        *,
        client: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret_arn = secret_arn
        self._client = client
        self._clock = clock
        self._cached: tuple[float, StripeSecrets] | None = None

    def __call__(self) -> StripeSecrets:
        now = self._clock()
        if self._cached is None or now - self._cached[0] >= MAX_AGE_SECONDS:
            self._cached = (now, self._read())
        return self._cached[1]

    def _read(self) -> StripeSecrets:
        secrets_manager = self._client or aws.client("secretsmanager")
        try:
            answer = secrets_manager.get_secret_value(SecretId=self._secret_arn)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            raise self._invalid("does not exist") from exc
        raw = answer.get("SecretString")
        try:
            values = json.loads(raw or "")
        except ValueError:
            values = None
        if not isinstance(values, dict):
            raise self._invalid("is not a JSON object")
        found = {name: values.get(name) for name in ("secret_key", "webhook_secret")}
        keys = {
            name: value.strip()
            for name, value in found.items()
            if isinstance(value, str) and value.strip()
        }
        missing = sorted(found.keys() - keys.keys())
        if missing:
            raise self._invalid(f"has no value for {', '.join(missing)}")
        return StripeSecrets(**keys)

    def _invalid(self, problem: str) -> StripeSecretInvalid:
        logger.error("the Stripe secret %s %s", self._secret_arn, problem)
        return StripeSecretInvalid(problem)
