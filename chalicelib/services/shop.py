"""The parents' shop: log in with access codes, register, see the gallery, read the price list.
Ordering is :mod:`chalicelib.services.orders`.

Login (``open_session``), in this order:
1. the attempt reserves one unit of the client address's failed-login counter (and of each job
   the session already holds) — over the limit: ``TooManyAttempts``, before anything else;
2. the code is normalised; a generated code with a wrong check character is refused here
   (``InvalidCode``), without a lookup — the attempt stays counted;
3. one ``GetItem`` finds the claim; unknown and retired codes get the same ``UnknownCode``;
4. on success the reservations are given back and a new token is issued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.adapters.dynamo.access_codes_repository import AccessCodeRepository
from chalicelib.adapters.dynamo.customers_repository import CustomerRepository
from chalicelib.adapters.dynamo.pricing_repository import PriceProfileRepository
from chalicelib.adapters.dynamo.shop_reads import ShopReads, ShopSnapshot
from chalicelib.adapters.dynamo.throttle_repository import LoginAttemptCounters
from chalicelib.domain import validation as v
from chalicelib.domain.access_codes import InvalidAccessCode, normalize_any_code
from chalicelib.domain.customers import Customer
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.login_throttle import (
    ATTEMPT_LIMIT,
    Counter,
    Window,
    client_address,
    counters,
    window_at,
)
from chalicelib.domain.price_profiles import CustomerPriceList, customer_view
from chalicelib.domain.principal import Clock, utc_now
from chalicelib.domain.shop_access import (
    GalleryHidden,
    InvalidCode,
    UnknownCode,
    gallery_block,
    parse_registration,
    require_job,
)
from chalicelib.domain.shop_sessions import (
    SessionEntry,
    ShopSession,
    with_build_runs,
    with_code,
)
from chalicelib.domain.status import OrderWindow, order_window
from chalicelib.errors import (
    NotFound,
    RegistrationOff,
    TooManyAttempts,
    ValidationFailed,
)
from chalicelib.services.pricing import job_price_profile, shop_price_profile
from chalicelib.services.shop_gallery import SessionGalleries, SubjectGallery

logger = logging.getLogger(__name__)
MAX_CODE_LENGTH = 64


class Tokens(Protocol):
    def issue(self, session: ShopSession) -> str: ...
    def verify(self, authorization: str | None) -> ShopSession: ...


@dataclass(frozen=True)
class JobView:
    job: Job
    window: OrderWindow
    registered: bool
    currency: str | None


@dataclass(frozen=True)
class SessionView:
    token: str
    session: ShopSession
    snapshot: ShopSnapshot
    jobs: tuple[JobView, ...]


@dataclass(frozen=True)
class ShopGallery:
    galleries: tuple[SubjectGallery, ...]
    hidden: tuple[GalleryHidden, ...]  # jobs of the session whose gallery is not shown


class ShopService:
    def __init__(
        self,
        *,
        access_codes: AccessCodeRepository,
        attempts: LoginAttemptCounters,
        reads: ShopReads,
        customers: CustomerRepository,
        profiles: PriceProfileRepository,
        tokens: Tokens,
        on_registered: Callable[[Customer], None] | None = None,
        clock: Clock = utc_now,
        new_session_id: Callable[[], str] = new_id,
    ) -> None:
        """``on_registered`` learns of every stored registration (the welcome messages); its
        failure is logged and never fails or undoes the registration."""
        self._codes = access_codes
        self._attempts = attempts
        self._reads = reads
        self._galleries = SessionGalleries(reads)
        self._customers = customers
        self._profiles = profiles
        self._tokens = tokens
        self._on_registered = on_registered
        self._clock = clock
        self._new_session_id = new_session_id

    # login --------------------------------------------------------------------------------
    def open_session(
        self,
        body: Any,
        *,
        authorization: str | None,
        source_ip: str | None,
        forwarded_for: str | None = None,
    ) -> SessionView:
        """Log in with a code, or (with a valid session token in ``authorization``) add a code
        to that session. ``source_ip`` and ``forwarded_for`` say where the attempt comes from
        (see ``login_throttle.client_address``)."""
        typed = v.collect(
            v.require_object(body),
            {"code": lambda x: v.text(x, max_length=MAX_CODE_LENGTH)},
            required=("code",),
        )["code"]
        current = self._tokens.verify(authorization) if authorization else None
        now = self._clock()
        window = window_at(now)
        address = client_address(source_ip, forwarded_for)
        charged = counters(address, current.job_ids if current else ())
        self._reserve(charged, window, now)
        try:
            try:
                key = normalize_any_code(typed)
            except InvalidAccessCode as exc:
                raise InvalidCode(exc.message, reason=exc.reason) from exc
            claim = self._codes.find(key)
            if claim is None or not claim.active:
                raise UnknownCode("this access code opens no gallery; check it on the card")
            session = with_code(current, claim, session_id=self._new_session_id(), now=now)
            snapshot = self._reads.snapshot(session.entries)
            if claim.job_id not in snapshot.jobs or (
                claim.subject_id is not None
                and (claim.job_id, claim.subject_id) not in snapshot.subjects
            ):  # a claim whose subject or job is gone opens nothing either
                raise UnknownCode("this access code opens no gallery; check it on the card")
        except (InvalidCode, UnknownCode):
            logger.info("failed shop login", extra={"scopes": [c.scope for c in charged]})
            raise
        except Exception:
            self._give_back(charged, window)  # not a wrong guess: a valid code, or our error
            raise
        self._give_back(charged, window)
        session = with_build_runs(session, snapshot.published_runs())  # the gallery's read hint
        return SessionView(
            self._tokens.issue(session),
            session,
            snapshot,
            tuple(self._job_views(session, snapshot, now)),
        )

    def _reserve(self, charged: tuple[Counter, ...], window: Window, now: datetime) -> None:
        reserved: list[Counter] = []
        for counter in charged:
            if not self._attempts.reserve(counter, window, limit=ATTEMPT_LIMIT):
                self._give_back(tuple(reserved), window)
                retry_after = window.retry_after(now)
                raise TooManyAttempts(
                    f"too many wrong codes; try again in {retry_after} seconds",
                    retry_after=retry_after,
                )
            reserved.append(counter)

    def _give_back(self, charged: tuple[Counter, ...], window: Window) -> None:
        for counter in charged:
            self._attempts.give_back(counter, window)

    def _job_views(
        self, session: ShopSession, snapshot: ShopSnapshot, now: datetime
    ) -> Iterator[JobView]:
        for job_id in session.job_ids:
            job = snapshot.jobs.get(job_id)
            if job is None:
                continue
            yield JobView(
                job,
                order_window(job, now),
                snapshot.is_registered(session.entries_of(job_id)),
                self._currency(job),
            )

    def _currency(self, job: Job) -> str | None:
        profile = job_price_profile(self._profiles, job)
        return profile.currency if profile else None

    # registration -------------------------------------------------------------------------
    def register(self, session: ShopSession, body: Any) -> Customer:
        """Store the parent as a customer of the job, linked to the session's subjects of it,
        then tell ``on_registered`` (a repeated registration keeps the customer's id, so its
        welcome, claimed once per customer, is not sent twice)."""
        registration = parse_registration(body)
        require_job(session.job_ids, registration.job_id)
        entries = session.entries_of(registration.job_id)
        job = self._reads.snapshot(entries).jobs.get(registration.job_id)
        if job is None:
            raise NotFound(f"job {registration.job_id} not found", field="job_id")
        if job.registration == "off":  # no form is shown; nothing is collected either
            raise RegistrationOff(
                "this job does not take registrations", job_id=registration.job_id
            )
        customer = self._customers.register(
            registration,
            studio_id=session.studio_id,
            registration_keys=[e.registration_key for e in entries],
            customer_id=new_id(),
            now=self._clock(),
        )
        self._registered(customer)
        return customer

    def _registered(self, customer: Customer) -> None:
        if self._on_registered is None:
            return
        try:
            self._on_registered(customer)
        except Exception:  # the registration is stored; a missed welcome must not undo it
            logger.exception(
                "registration trigger failed for job %s, customer %s",
                customer.job_id,
                customer.customer_id,
            )

    # gallery ------------------------------------------------------------------------------
    def gallery(self, session: ShopSession, job_id: str | None = None) -> ShopGallery:
        """The session's galleries (of one job with ``job_id``). Jobs whose gallery is hidden
        are named in ``hidden``; when no job of the request is shown, its reason is raised."""
        if job_id is not None:
            require_job(session.job_ids, job_id)
        entries = tuple(e for e in session.entries if job_id in (None, e.job_id))
        snapshot = self._reads.snapshot(entries, dict(session.build_runs))
        now = self._clock()
        hidden: list[GalleryHidden] = []
        shown: list[SessionEntry] = []
        for job in dict.fromkeys(e.job_id for e in entries):
            block = self._block(snapshot, job, entries, now)
            if block is None:
                shown.extend(e for e in entries if e.job_id == job)
            else:
                hidden.append(block)
        if not shown:
            raise hidden[0]
        return ShopGallery(tuple(self._galleries.load(snapshot, shown)), tuple(hidden))

    @staticmethod
    def _block(
        snapshot: ShopSnapshot, job_id: str, entries: tuple[SessionEntry, ...], now: datetime
    ) -> GalleryHidden | None:
        job = snapshot.jobs.get(job_id)
        if job is None:
            return GalleryHidden("not_found", "This job no longer exists.", job_id=job_id)
        registered = snapshot.is_registered(e for e in entries if e.job_id == job_id)
        return gallery_block(job, now, registered=registered)

    def _visible_job(self, session: ShopSession, job_id: str) -> Job:
        """A job of the session whose gallery the session may see (or the reason it may not)."""
        require_job(session.job_ids, job_id)
        entries = session.entries_of(job_id)
        snapshot = self._reads.snapshot(entries)
        block = self._block(snapshot, job_id, entries, self._clock())
        if block is not None:
            raise block
        return snapshot.jobs[job_id]

    # products -----------------------------------------------------------------------------
    def products(self, session: ShopSession, job_id: str) -> CustomerPriceList:
        """The job's price list as customers see it (shown whenever its gallery is)."""
        if not job_id:
            raise ValidationFailed([{"field": "job_id", "reason": "is required"}])
        job = self._visible_job(session, job_id)
        return customer_view(shop_price_profile(self._profiles, job))
