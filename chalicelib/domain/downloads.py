"""Digital downloads of an order (issue 5): once an order is paid, its buyer may fetch the
originals of the photos it bought as digital files, and nothing else.

A photo counts as bought digitally when one of its lines is a ``download`` product or a package
with a download among its components. Pure: which photos, and whether the order is paid; the
links themselves are signed by the storage adapter."""

from __future__ import annotations

from chalicelib.domain.orders import FULFILLED, PAID, Order
from chalicelib.errors import Conflict

DIGITAL_KIND = "download"
# Links to originals: long enough to start a few downloads on a slow line, short enough that a
# forwarded link is soon useless. The limit is 15 minutes.
DOWNLOAD_LINK_SECONDS = 10 * 60
MAX_LINK_SECONDS = 15 * 60


class OrderNotPaid(Conflict):
    """The order's downloads open once it is paid; ``status`` says where the order is."""

    code = "order_not_paid"


def check_downloads_open(order: Order) -> None:
    """Raise :class:`OrderNotPaid` unless ``order`` is paid (or already fulfilled)."""
    if order.status not in (PAID, FULFILLED):
        raise OrderNotPaid(
            f"order {order.order_id} is {order.status}: its downloads open once it is paid",
            order_id=order.order_id,
            status=order.status,
        )


def is_digital(order: Order, product_id: str) -> bool:
    """Whether the order's product (as it was when ordered) includes a digital file."""
    product = order.product(product_id)
    if product is None:
        return False
    return product.kind == DIGITAL_KIND or any(
        component.kind == DIGITAL_KIND for component in product.components
    )


def downloadable_photo_ids(order: Order) -> tuple[str, ...]:
    """The photos whose originals ``order`` bought, each once, in the order's line order."""
    return tuple(
        dict.fromkeys(line.photo_id for line in order.lines if is_digital(order, line.product_id))
    )
