"""The shop's server-side cart (``/shop/cart``): the site saves the cart of a registered
customer on every change, and restores it on another device. Same session token, CORS and
origin rules as the rest of the shop (:mod:`chalicelib.api.shop`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest
from chalicelib.api.shop import shop_routes

if TYPE_CHECKING:
    from chalicelib.services.carts import SessionCart

routes = shop_routes(__name__)


@routes.api("/shop/cart", "PUT", request_schema="ShopCart")
def save_cart(request: ApiRequest) -> dict[str, Any]:
    """Save the session's cart of a job (checked like an order; no lines: emptied)."""
    return cart_json(wiring.cart_service().save(request.principal, request.json))


@routes.api("/shop/cart", query=("job_id",))
def load_cart(request: ApiRequest) -> dict[str, Any]:
    """The session's cart of a job: its registered customer's, saved from any device."""
    job_id = request.query.get("job_id") or ""
    return cart_json(wiring.cart_service().load(request.principal, job_id))


def cart_json(found: SessionCart) -> dict[str, Any]:
    cart = found.cart
    return {
        "job_id": found.job_id,
        "saved_for": found.owner.kind.value,  # customer (any device) | session (this one)
        "lines": [
            {"photo_id": line.photo_id, "product_id": line.product_id, "quantity": line.quantity}
            for line in (cart.lines if cart else ())
        ],
        "updated_at": cart.updated_at.isoformat() if cart else None,
    }
