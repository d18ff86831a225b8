"""The shop's carts in DynamoDB: one item per (job, owner) (``keys.cart_sk``), read and
written whole, expiring through the table's TTL (an expired item that TTL has not removed
yet is treated as gone)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.models import CartItem, CartLineMap
from chalicelib.domain.carts import Cart, CartOwner, CartOwnerKind
from chalicelib.domain.pricing import CartLine


def cart_from_item(item: CartItem) -> Cart:
    return Cart(
        cart_id=item.cart_id,
        job_id=item.job_id,
        studio_id=item.studio_id,
        owner=CartOwner(CartOwnerKind(item.owner_kind), item.owner_id),
        lines=tuple(
            CartLine(line.photo_id, line.product_id, int(line.quantity)) for line in item.lines
        ),
        updated_at=item.updated_at,
        expires_at=item.expires_at,
    )


class CartRepository:
    def get(self, job_id: str, owner: CartOwner, *, now: datetime) -> Cart | None:
        """The owner's cart of the job, or None (never stored, deleted, or expired)."""
        try:
            item = CartItem.get(
                keys.job_pk(job_id),
                keys.cart_sk(owner.kind.value, owner.owner_id),
                consistent_read=True,
            )
        except DoesNotExist:
            return None
        if item.expires_at is not None and item.expires_at <= now:
            return None
        return cart_from_item(item)

    def put(self, cart: Cart) -> Cart:
        CartItem(
            keys.job_pk(cart.job_id),
            keys.cart_sk(cart.owner.kind.value, cart.owner.owner_id),
            cart_id=cart.cart_id,
            job_id=cart.job_id,
            studio_id=cart.studio_id,
            owner_kind=cart.owner.kind.value,
            owner_id=cart.owner.owner_id,
            lines=[
                CartLineMap(
                    photo_id=line.photo_id, product_id=line.product_id, quantity=line.quantity
                )
                for line in cart.lines
            ],
            updated_at=cart.updated_at,
            expires_at=cart.expires_at,
        ).save()
        return cart

    def delete(self, job_id: str, owner: CartOwner) -> None:
        """Delete the owner's cart of the job (nothing to delete is fine)."""
        CartItem(keys.job_pk(job_id), keys.cart_sk(owner.kind.value, owner.owner_id)).delete()
