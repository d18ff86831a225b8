"""Payment providers' webhooks. No bearer token: each route verifies its provider's signature
over the raw request body, so the body is read as bytes and never parsed before that."""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes

routes = Routes(__name__, tag="shop")


@routes.api("/shop/webhooks/stripe", "POST", auth=False, request_schema="StripeEvent")
def stripe_webhook(request: ApiRequest) -> dict[str, Any]:
    """Stripe events: a paid Checkout Session marks its order paid (signature-verified)."""
    return wiring.stripe_notifications().receive(
        request.raw_body, request.headers.get("stripe-signature")
    )
