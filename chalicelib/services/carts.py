"""The shop's server-side cart (see :mod:`chalicelib.domain.carts` for who owns a cart and what
it may trigger).

Saving a cart checks it like an order's lines: the job must be the session's and its gallery
shown to the session, every photo one the session is shown, every product on the job's price
list. A registered customer's change is then handed to ``on_change`` (the message scheduling:
``abandoned_cart``); a failure there is logged and never loses the saved cart. An order placed
by the session deletes its carts of that job (``order_placed``), so a pending nudge finds
nothing to remind of."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.adapters.dynamo.carts_repository import CartRepository
from chalicelib.adapters.dynamo.pricing_repository import PriceProfileRepository
from chalicelib.adapters.dynamo.shop_reads import ShopReads
from chalicelib.domain.carts import (
    Cart,
    CartOwner,
    CartOwnerKind,
    changed_cart,
    check_products,
    parse_cart_update,
)
from chalicelib.domain.customers import Customer
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.principal import Clock, utc_now
from chalicelib.domain.shop_access import gallery_block, require_job
from chalicelib.domain.shop_sessions import SessionEntry, ShopSession
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.services.pricing import shop_price_profile
from chalicelib.services.shop_gallery import SessionGalleries, photo_owners, require_shown

logger = logging.getLogger(__name__)

CartChanged = Callable[[Job, Cart], None]


class RegisteredCustomers(Protocol):
    def registered_customer(
        self, job_id: str, registration_keys: Iterable[str]
    ) -> Customer | None: ...


@dataclass(frozen=True)
class SessionCart:
    """The cart a session sees for a job: its owner, and the cart (None: nothing stored)."""

    job_id: str
    owner: CartOwner
    cart: Cart | None


class CartService:
    def __init__(
        self,
        *,
        reads: ShopReads,
        customers: RegisteredCustomers,
        profiles: PriceProfileRepository,
        carts: CartRepository,
        on_change: CartChanged | None = None,
        clock: Clock = utc_now,
        new_cart_id: Callable[[], str] = new_id,
    ) -> None:
        self._reads = reads
        self._galleries = SessionGalleries(reads)
        self._customers = customers
        self._profiles = profiles
        self._carts = carts
        self._on_change = on_change
        self._clock = clock
        self._new_cart_id = new_cart_id

    def save(self, session: ShopSession, body: Any) -> SessionCart:
        """Replace the session's cart of a job (no lines: the cart is emptied). A customer's
        lines of photos this session is not shown (another device's sibling) are kept."""
        update = parse_cart_update(body)
        require_job(session.job_ids, update.job_id)
        entries = session.entries_of(update.job_id)
        snapshot = self._reads.snapshot(entries, dict(session.build_runs))
        job = snapshot.jobs.get(update.job_id)
        if job is None:
            raise NotFound(f"job {update.job_id} not found", field="job_id")
        now = self._clock()
        block = gallery_block(job, now, registered=snapshot.is_registered(entries))
        if block is not None:  # what is not shown cannot be picked
            raise block
        owner = self._owner(session, job.job_id, entries)
        shown: set[str] | None = None
        if update.lines or owner.can_be_nudged:
            shown = set(photo_owners(self._galleries.load(snapshot, entries), job.job_id))
            require_shown(update.lines, shown)
        if update.lines:
            check_products(update.lines, shop_price_profile(self._profiles, job))
        current = self._carts.get(job.job_id, owner, now=now)
        cart = changed_cart(
            current,
            update,
            studio_id=job.studio_id,
            owner=owner,
            now=now,
            new_cart_id=self._new_cart_id(),
            shown=shown if owner.can_be_nudged else None,
        )
        self._carts.put(cart)
        if owner.can_be_nudged:
            self._changed(job, cart)
        return SessionCart(job.job_id, owner, cart)

    def load(self, session: ShopSession, job_id: str) -> SessionCart:
        """The session's cart of a job: its customer's (from any device) or its own."""
        if not job_id:
            raise ValidationFailed([{"field": "job_id", "reason": "is required"}])
        require_job(session.job_ids, job_id)
        owner = self._owner(session, job_id, session.entries_of(job_id))
        return SessionCart(job_id, owner, self._carts.get(job_id, owner, now=self._clock()))

    def order_placed(self, session: ShopSession, job_id: str) -> None:
        """The session ordered from a job: its carts of the job are done with. Deleting them
        is what stops a pending nudge (it finds no cart when it fires)."""
        owner = self._owner(session, job_id, session.entries_of(job_id))
        self._carts.delete(job_id, owner)
        if owner.can_be_nudged:  # the session may have stored one before registering
            self._carts.delete(job_id, _session_owner(session))

    # helpers ------------------------------------------------------------------------------
    def _owner(
        self, session: ShopSession, job_id: str, entries: Iterable[SessionEntry]
    ) -> CartOwner:
        customer = self._customers.registered_customer(
            job_id, [e.registration_key for e in entries]
        )
        if customer is None:
            return _session_owner(session)
        return CartOwner(CartOwnerKind.CUSTOMER, customer.customer_id)

    def _changed(self, job: Job, cart: Cart) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(job, cart)
        except Exception:  # the cart is saved; a missed nudge is not worth a failed request
            logger.exception(
                "abandoned-cart scheduling failed for job %s, cart %s", job.job_id, cart.cart_id
            )


def _session_owner(session: ShopSession) -> CartOwner:
    return CartOwner(CartOwnerKind.SESSION, session.session_id)
