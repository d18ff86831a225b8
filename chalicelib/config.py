"""One typed settings object, read from the environment once at the edge.

Domain code never reads ``os.environ``; handlers call :func:`get_settings` and pass values on.
AWS endpoints are not settings: boto3 honours ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache

from chalicelib.domain.payments import PAYMENT_PROVIDERS


class SettingsError(RuntimeError):
    """Configuration is missing or malformed; raised at start, never at request time."""


@dataclass(frozen=True)
class Settings:
    table_name: str
    bucket_name: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    jwt_issuer: str
    work_queue_url: str  # the queue functions/build_galleries consumes
    # Secrets Manager secret (ARN or name) holding the HMAC key of shop session tokens
    session_secret_arn: str
    stage: str = "local"
    region: str = "us-east-1"
    shop_url: str = "http://127.0.0.1:8001"
    # functions/render_documents (QR cards, contact sheets), invoked synchronously by the API
    documents_function: str = "photojobs-render-documents"
    max_upload_bytes: int = 200 * 1024 * 1024
    payment_provider: str = "offline"  # offline | stripe (domain/payments.PAYMENT_PROVIDERS)
    # Secrets Manager secret (ARN or name), JSON {"secret_key", "webhook_secret"}: required
    # when payment_provider is stripe; when set, the Stripe webhook route is live.
    stripe_secret_arn: str | None = None
    # Messages (issue 6). Optional here so that a function without messages starts without them;
    # the messaging wiring asks for them with ``required`` and fails loudly when one is missing.
    schedule_group: str | None = None  # EventBridge Scheduler group of message schedules
    messages_function_arn: str | None = None  # functions/send_messages: Scheduler target
    scheduler_role_arn: str | None = None  # the role Scheduler assumes to invoke it
    sender_email: str | None = None  # From: of every email (an SES identity)
    unsubscribe_secret_arn: str | None = None  # key that signs unsubscribe links
    api_url: str | None = None  # the API's public address (unsubscribe links point at it)

    def required(self, name: str) -> str:
        """A setting that the caller cannot work without; ``SettingsError`` names its
        environment variable when it is missing."""
        value = getattr(self, name)
        if not value:
            raise SettingsError(f"missing configuration: {ENVIRONMENT[name]}")
        return str(value)


# Setting name -> environment variable. Required settings have no default in Settings.
ENVIRONMENT = {
    "table_name": "PHOTOJOBS_TABLE",
    "bucket_name": "PHOTOJOBS_BUCKET",
    "user_pool_id": "COGNITO_USER_POOL_ID",
    "user_pool_client_id": "COGNITO_CLIENT_ID",
    "jwks_url": "COGNITO_JWKS_URL",
    "jwt_issuer": "COGNITO_ISSUER",
    "work_queue_url": "PHOTOJOBS_WORK_QUEUE_URL",
    "session_secret_arn": "PHOTOJOBS_SESSION_SECRET_ARN",
    "stage": "PHOTOJOBS_STAGE",
    "region": "AWS_DEFAULT_REGION",
    "shop_url": "PHOTOJOBS_SHOP_URL",
    "documents_function": "PHOTOJOBS_DOCUMENTS_FUNCTION",
    "max_upload_bytes": "PHOTOJOBS_MAX_UPLOAD_BYTES",
    "payment_provider": "PHOTOJOBS_PAYMENT_PROVIDER",
    "stripe_secret_arn": "PHOTOJOBS_STRIPE_SECRET_ARN",
    "schedule_group": "PHOTOJOBS_SCHEDULE_GROUP",
    "messages_function_arn": "PHOTOJOBS_MESSAGES_FUNCTION_ARN",
    "scheduler_role_arn": "PHOTOJOBS_SCHEDULER_ROLE_ARN",
    "sender_email": "PHOTOJOBS_SENDER_EMAIL",
    "unsubscribe_secret_arn": "PHOTOJOBS_UNSUBSCRIBE_SECRET_ARN",
    "api_url": "PHOTOJOBS_API_URL",
}


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build settings from an environment mapping, naming every missing or bad variable."""
    values: dict[str, object] = {}
    missing: list[str] = []
    for field in fields(Settings):
        variable = ENVIRONMENT[field.name]
        raw = environ.get(variable, "").strip()
        if field.name == "region" and not raw:
            raw = environ.get("AWS_REGION", "").strip()
        if not raw:
            if field.default is field.default_factory:  # no default: required
                missing.append(variable)
            continue
        if field.type == "int":
            try:
                values[field.name] = int(raw)
            except ValueError as exc:
                raise SettingsError(f"{variable} must be an integer, got {raw!r}") from exc
        else:
            values[field.name] = raw
    if missing:
        raise SettingsError("missing configuration: " + ", ".join(sorted(missing)))
    provider = values.get("payment_provider", "offline")
    if provider not in PAYMENT_PROVIDERS:
        raise SettingsError(
            f"PHOTOJOBS_PAYMENT_PROVIDER must be one of {', '.join(PAYMENT_PROVIDERS)}, "
            f"got {provider!r}"
        )
    if provider == "stripe" and not values.get("stripe_secret_arn"):
        raise SettingsError("PHOTOJOBS_PAYMENT_PROVIDER=stripe needs PHOTOJOBS_STRIPE_SECRET_ARN")
    return Settings(**values)  # type: ignore[arg-type]


@cache
def get_settings() -> Settings:
    return load_settings(os.environ)
