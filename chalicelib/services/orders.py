"""Orders: placed by a shop session, paid through a :class:`PaymentProvider`, handled by the
photographer (mark paid, cancel, fulfilled).

Placing an order: the job must be one of the session's and open for orders (the status rule of
``domain/status.py``); every photo must be one the session is shown; the server prices the cart
from the job's price profile (client prices are ignored) and applies the voucher; the payment is
started (an order of total 0 is paid at once instead); then the order, with its payment
reference and its once-per-code voucher claims, is stored in one transaction. A quote is the
same pricing, stored nowhere. The photographer enters phone and paper orders by access code
through the same pricing, with the code's gallery in place of a session's."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo.access_codes_repository import AccessCodeRepository
from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.orders_repository import OrderRepository
from chalicelib.adapters.dynamo.pages import Page
from chalicelib.adapters.dynamo.pricing_repository import (
    PriceProfileRepository,
    VoucherRepository,
)
from chalicelib.adapters.dynamo.shop_reads import ShopReads, ShopSnapshot
from chalicelib.domain.access_codes import format_code
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.orders import (
    CANCELLED,
    FULFILLED,
    ORDER_STATUSES,
    Order,
    already_paid_by,
    check_payment,
    check_restartable,
    check_transition,
    free_of_charge,
    moved,
    new_order,
    next_payment_attempt,
    paid,
    parse_cart_request,
    parse_entered_order,
    parse_order_request,
    with_payment_start,
)
from chalicelib.domain.payments import PaymentProvider, PaymentStart
from chalicelib.domain.pricing import CartLine, PricedOrder, price_cart
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.domain.shop_access import check_open_for_orders, gallery_block, require_job
from chalicelib.domain.shop_sessions import SessionEntry, ShopSession
from chalicelib.domain.status import local_today
from chalicelib.domain.vouchers import Voucher
from chalicelib.errors import (
    ConcurrentUpdate,
    DomainError,
    NotFound,
    PaymentUnavailable,
    ValidationFailed,
)
from chalicelib.services.pricing import job_voucher, shop_price_profile
from chalicelib.services.shop_gallery import SessionGalleries, photo_owners, require_shown

logger = logging.getLogger(__name__)
PAYMENT_ATTEMPTS = 3  # a payment racing another change of the same order
ENTERED_SESSION_PREFIX = "entered:"  # orders the photographer entered belong to no shop session


@dataclass(frozen=True)
class PricedCart:
    """A cart priced for one job, with what storing it as an order needs."""

    job: Job
    priced: PricedOrder
    owners: dict[str, str]  # photo id -> subject id
    voucher: Voucher | None
    codes: tuple[str, ...]  # access codes the order is made with (once-per-code vouchers)
    now: datetime


class OrderService:
    def __init__(
        self,
        *,
        jobs: JobRepository,
        reads: ShopReads,
        orders: OrderRepository,
        profiles: PriceProfileRepository,
        vouchers: VoucherRepository,
        payments: PaymentProvider,
        codes: AccessCodeRepository | None = None,
        after_placed: Callable[[ShopSession, Order], None] | None = None,
        clock: Clock = utc_now,
        new_order_id: Callable[[], str] = new_id,
    ) -> None:
        self._codes = codes or AccessCodeRepository()
        self._jobs = jobs
        self._reads = reads
        self._galleries = SessionGalleries(reads)
        self._orders = orders
        self._profiles = profiles
        self._vouchers = vouchers
        self._payments = payments
        self._clock = clock
        self._new_order_id = new_order_id
        self._after_placed = after_placed  # the shop's carts: an ordered cart is done with

    # the shop -----------------------------------------------------------------------------
    def place(self, session: ShopSession, body: Any) -> Order:
        """Price, check and store a new order of the session (status ``pending_payment``, or
        ``paid`` when it costs nothing)."""
        request = parse_order_request(body)
        require_job(session.job_ids, request.job_id)
        cart = self._price(
            session.entries_of(request.job_id),
            request.job_id,
            request.lines,
            request.voucher_code,
            shop=True,
            build_runs=session.build_runs,
        )
        order = new_order(
            order_id=self._new_order_id(),
            session_id=session.session_id,
            job=cart.job,
            priced=cart.priced,
            owners=cart.owners,
            contact=request.contact,
            redeemed_codes=cart.codes,
            now=cart.now,
        )
        if order.total_minor == 0:  # a voucher covered it all: nothing to collect
            order = free_of_charge(order, cart.now)
        else:
            order = with_payment_start(order, self._start_payment(order))
        placed = self._orders.place(order, self._claims(cart, order))
        self._placed(session, placed)
        return placed

    def _placed(self, session: ShopSession, order: Order) -> None:
        if self._after_placed is None:
            return
        try:
            self._after_placed(session, order)
        except Exception:  # the order is stored: tidying the cart up must not fail it
            logger.exception("after-order step failed for order %s", order.order_id)

    def quote(self, session: ShopSession, body: Any) -> PricedOrder:
        """What the session's cart would cost if ordered now (voucher applied, or refused with
        its reason): the same checks and prices as :meth:`place`, stored nowhere."""
        request = parse_cart_request(body)
        require_job(session.job_ids, request.job_id)
        return self._price(
            session.entries_of(request.job_id),
            request.job_id,
            request.lines,
            request.voucher_code,
            shop=True,
            build_runs=session.build_runs,
        ).priced

    def _price(
        self,
        entries: Iterable[SessionEntry],
        job_id: str,
        lines: tuple[CartLine, ...],
        voucher_code: str | None,
        *,
        shop: bool,
        build_runs: Iterable[tuple[str, str]] = (),
    ) -> PricedCart:
        """Check and price ``lines`` of photos in the galleries ``entries`` open. ``shop``:
        the customer orders, so the job must be open for orders and its gallery shown to them
        (the photographer entering a paper order decides that for themselves). ``build_runs``
        (the session token's, job -> run) lets the galleries be read with the job."""
        entries = tuple(entries)
        snapshot = self._reads.snapshot(entries, dict(build_runs))
        job = snapshot.jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found", field="job_id")
        now = self._clock()
        if shop:
            check_open_for_orders(job, now)
            block = gallery_block(job, now, registered=snapshot.is_registered(entries))
            if block is not None:  # e.g. registration required: what is not shown is not sold
                raise block
        owners = photo_owners(self._galleries.load(snapshot, entries), job.job_id)
        require_shown(lines, owners)
        profile = shop_price_profile(self._profiles, job)
        voucher = job_voucher(self._vouchers, job, voucher_code) if voucher_code else None
        codes = _access_codes(snapshot, job, {owners[line.photo_id] for line in lines})
        used = bool(
            voucher
            and voucher.once_per_access_code
            and any(self._vouchers.has_redeemed(job.studio_id, voucher.code, c) for c in codes)
        )
        priced = price_cart(
            profile,
            lines,
            voucher,
            job=job,
            today=local_today(job, now),
            used_by_this_code=used,
        )
        return PricedCart(job, priced, owners, voucher, codes, now)

    @staticmethod
    def _claims(cart: PricedCart, order: Order) -> list[Any]:
        """The once-per-code voucher claims stored in the order's transaction."""
        if cart.voucher is None or not order.redeemed_codes:
            return []
        return [
            VoucherRepository.redemption_write(
                cart.voucher,
                access_code_key=code,
                job_id=cart.job.job_id,
                now=cart.now,
                order_id=order.order_id,
            )
            for code in order.redeemed_codes
        ]

    def for_session(self, session: ShopSession, order_id: str) -> Order:
        """An order the session placed; any other order is not found."""
        order = self._orders.get(order_id)
        if order.session_id != session.session_id or order.studio_id != session.studio_id:
            raise NotFound(f"order {order_id} not found", order_id=order_id)
        return order

    def pay_again(self, session: ShopSession, order_id: str) -> Order:
        """Start a fresh payment of a pending order of the session: the same order and amount,
        the next attempt number, a new checkout URL stored in place of the old one. The job must
        still be open for orders. The current checkout is expired at the provider first, so
        that only one checkout of the order can be paid at a time; if it was paid meanwhile
        (``PaymentInProgress``, 409), nothing is started and its webhook marks the order paid."""
        order = self.for_session(session, order_id)
        check_restartable(order, self._payments.name)
        now = self._clock()
        check_open_for_orders(self._jobs.get(order.studio_id, order.job_id), now)
        with self._provider_errors(order, "expired"):
            self._payments.expire(order)
        attempt = next_payment_attempt(order, now)
        after = with_payment_start(attempt, self._start_payment(attempt))
        try:
            return self._orders.replace(order, after)
        except ConcurrentUpdate:
            # A double click: the other request started the same attempt (same idempotency
            # key, so the same checkout) and stored it first. Anything else: try again.
            current = self._orders.get(order_id)
            if current.status == order.status and current.payment == after.payment:
                return current
            raise

    def _start_payment(self, order: Order) -> PaymentStart:
        with self._provider_errors(order, "started"):
            start = self._payments.start(order)
        return start

    @contextmanager
    def _provider_errors(self, order: Order, done: str) -> Iterator[None]:
        try:
            yield
        except DomainError:
            raise
        except Exception as exc:  # the provider's outage is not the customer's fault
            logger.exception("payment could not be %s for order %s", done, order.order_id)
            raise PaymentUnavailable(
                f"the payment could not be {done}; please try again in a moment"
            ) from exc

    # payments -----------------------------------------------------------------------------
    def record_payment(
        self,
        order_id: str,
        provider: str,
        provider_ref: str | None,
        amount_minor: int,
        currency: str,
        *,
        recorded_by: str | None = None,
    ) -> Order:
        """Mark an order paid. Idempotent: the same payment reported again returns the paid
        order unchanged. Raises ``PaymentMismatch`` (nothing changed) when the amount or
        currency is not the order's total or the order is no longer waiting for a payment,
        and ``NotFound`` for an unknown order."""
        for _ in range(PAYMENT_ATTEMPTS):
            order = self._orders.get(order_id)
            if already_paid_by(order, provider_ref):
                return order
            check_payment(order, amount_minor=amount_minor, currency=currency)
            after = paid(
                order,
                provider=recorded_by or provider,
                provider_ref=provider_ref,
                amount_minor=amount_minor,
                now=self._clock(),
            )
            try:
                return self._orders.replace(order, after)
            except ConcurrentUpdate:
                continue  # changed meanwhile (paid by a redelivery, cancelled): look again
        raise ConcurrentUpdate(f"order {order_id} keeps changing; try again")

    # the photographer ---------------------------------------------------------------------
    def list_for_job(
        self, who: Principal, job_id: str, *, status: str | None, limit: int, cursor: str | None
    ) -> Page[Order]:
        job = self._jobs.get(who.studio_id, job_id)
        if status is not None and status not in ORDER_STATUSES:
            raise ValidationFailed(
                [{"field": "status", "reason": "must be one of " + ", ".join(ORDER_STATUSES)}]
            )
        return self._orders.of_job(job.job_id, status=status, limit=limit, cursor=cursor)

    def get_for_job(self, who: Principal, job_id: str, order_id: str) -> Order:
        job = self._jobs.get(who.studio_id, job_id)
        order = self._orders.get(order_id)
        if order.job_id != job.job_id or order.studio_id != who.studio_id:
            raise NotFound(f"order {order_id} not found", order_id=order_id)
        return order

    def enter(self, who: Principal, job_id: str, body: Any) -> Order:
        """Store a phone or paper order of a job by the child's access code: its photos must be
        in that code's gallery, priced like a shop order; paid offline, and marked paid at once
        (recorded as the photographer) when the body says ``paid: true``."""
        request = parse_entered_order(body)
        job = self._jobs.get(who.studio_id, job_id)
        entry = self._entry_of_code(job, request.access_code)
        cart = self._price((entry,), job.job_id, request.lines, request.voucher_code, shop=False)
        by = who.email or who.user_id
        order = new_order(
            order_id=self._new_order_id(),
            session_id=ENTERED_SESSION_PREFIX + who.user_id,
            job=cart.job,
            priced=cart.priced,
            owners=cart.owners,
            contact=request.contact,
            redeemed_codes=cart.codes,
            now=cart.now,
            placed_by=by,
        )
        if order.total_minor == 0:
            order = free_of_charge(order, cart.now)
        elif request.paid:
            order = paid(
                order, provider=by, provider_ref=None, amount_minor=order.total_minor, now=cart.now
            )
        return self._orders.place(order, self._claims(cart, order))

    def _entry_of_code(self, job: Job, code: str) -> SessionEntry:
        """What ``code`` opens in ``job``; any other code (unknown, retired, another job's or
        another studio's) is not found, named as the photographer typed it."""
        claim = self._codes.find(code)
        shown = format_code(code)
        if claim is None or not claim.active or claim.studio_id != job.studio_id:
            raise NotFound(f"access code {shown} not found", field="access_code", code=shown)
        if claim.job_id != job.job_id:
            raise NotFound(
                f"access code {shown} belongs to another job, not to {job.name}",
                field="access_code",
                code=shown,
            )
        return SessionEntry(claim.job_id, claim.subject_id)

    def mark_paid(self, who: Principal, job_id: str, order_id: str) -> Order:
        """The photographer received the money offline (cash, bank transfer)."""
        order = self.get_for_job(who, job_id, order_id)
        return self.record_payment(
            order.order_id,
            "offline",
            None,
            order.total_minor,
            order.currency,
            recorded_by=who.email or who.user_id,
        )

    def cancel(self, who: Principal, job_id: str, order_id: str) -> Order:
        """Cancel an unpaid order; a once-per-code voucher it used can be used again."""
        order = self.get_for_job(who, job_id, order_id)
        check_transition(order, CANCELLED)
        after = moved(order, CANCELLED, by=who.email or who.user_id, now=self._clock())
        return self._orders.replace(order, after, release_codes=order.redeemed_codes)

    def fulfil(self, who: Principal, job_id: str, order_id: str) -> Order:
        """The order was produced and delivered."""
        order = self.get_for_job(who, job_id, order_id)
        after = moved(order, FULFILLED, by=who.email or who.user_id, now=self._clock())
        return self._orders.replace(order, after)


def _access_codes(snapshot: ShopSnapshot, job: Job, owners: set[str]) -> tuple[str, ...]:
    """The access codes an order with photos of ``owners`` (subject ids) is made with: the
    subjects' own codes, or the job's shared code."""
    if job.job_id in snapshot.shared_codes:
        return (snapshot.shared_codes[job.job_id],)
    codes = {
        subject.access_code
        for (job_id, subject_id), subject in snapshot.subjects.items()
        if job_id == job.job_id and subject_id in owners
    }
    return tuple(sorted(codes))
