"""Use cases of price profiles, vouchers and quotes: parse, apply the pricing rules, persist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.pages import Page
from chalicelib.adapters.dynamo.pricing_repository import (
    PriceProfileRepository,
    VoucherRepository,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.price_profiles import (
    PriceProfile,
    copied_price_profile,
    new_price_profile,
    parse_copy_request,
    parse_price_profile,
    updated_price_profile,
)
from chalicelib.domain.pricing import PricedOrder, parse_quote_request, price_cart
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.domain.status import local_today
from chalicelib.domain.validation import FieldError
from chalicelib.domain.vouchers import (
    UNKNOWN,
    Voucher,
    new_voucher,
    normalize_voucher_code,
    parse_voucher,
    updated_voucher,
)
from chalicelib.errors import NoPriceProfile, NotFound, PriceProfileInUse, VoucherRefused

MAX_JOBS_NAMED = 50  # in a "profile in use" answer; the count is always complete


@dataclass(frozen=True)
class VoucherView:
    """A voucher with the last day it can be used (a job voucher without its own date follows
    the job's voucher deadline)."""

    voucher: Voucher
    expires_on: date | None


class PricingService:
    def __init__(
        self,
        jobs: JobRepository,
        profiles: PriceProfileRepository,
        vouchers: VoucherRepository,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._jobs = jobs
        self._profiles = profiles
        self._vouchers = vouchers
        self._clock = clock

    # price profiles -----------------------------------------------------------------------
    def create_profile(self, who: Principal, body: Any) -> PriceProfile:
        fields = parse_price_profile(body, creating=True)
        profile = new_price_profile(
            profile_id=new_id(), studio_id=who.studio_id, fields=fields, now=self._clock()
        )
        return self._profiles.save(profile)

    def get_profile(self, who: Principal, profile_id: str) -> PriceProfile:
        return self._profiles.get(who.studio_id, profile_id)

    def list_profiles(
        self, who: Principal, *, limit: int, cursor: str | None
    ) -> Page[PriceProfile]:
        return self._profiles.list(who.studio_id, limit=limit, cursor=cursor)

    def update_profile(self, who: Principal, profile_id: str, body: Any) -> PriceProfile:
        changes = parse_price_profile(body, creating=False)
        current = self._profiles.get(who.studio_id, profile_id)
        return self._profiles.save(updated_price_profile(current, changes, self._clock()))

    def copy_profile(self, who: Principal, profile_id: str, body: Any) -> PriceProfile:
        name = parse_copy_request(body)
        source = self._profiles.get(who.studio_id, profile_id)
        copy = copied_price_profile(source, profile_id=new_id(), name=name, now=self._clock())
        return self._profiles.save(copy)

    def delete_profile(self, who: Principal, profile_id: str) -> PriceProfile:
        """Delete a profile no job uses; otherwise ``PriceProfileInUse`` names the jobs."""
        profile = self._profiles.get(who.studio_id, profile_id)
        users = self._jobs.using_price_profile(who.studio_id, profile_id)
        if users:
            raise PriceProfileInUse(
                f"price profile {profile_id} is used by {len(users)} job(s); give them another "
                "price profile first",
                job_count=len(users),
                jobs=[
                    {"job_id": j.job_id, "name": j.name, "internal_name": j.internal_name}
                    for j in users[:MAX_JOBS_NAMED]
                ],
            )
        self._profiles.delete(profile)
        return profile

    # vouchers -----------------------------------------------------------------------------
    def create_voucher(
        self, who: Principal, body: Any, *, job_id: str | None = None
    ) -> VoucherView:
        """A studio voucher, or (``job_id``) a voucher of one job."""
        job = self._jobs.get(who.studio_id, job_id) if job_id else None
        fields = parse_voucher(body, creating=True)
        voucher = new_voucher(
            studio_id=who.studio_id,
            job_id=job_id,
            fields=fields,
            now=self._clock(),
            price_list_currency=self._price_list_currency(job),
        )
        return _view(self._vouchers.create(voucher), job)

    def get_voucher(self, who: Principal, code: str, *, job_id: str | None = None) -> VoucherView:
        job = self._jobs.get(who.studio_id, job_id) if job_id else None
        voucher = self._vouchers.get(who.studio_id, _path_code(code), job_id=job_id)
        return _view(voucher, job)

    def list_vouchers(
        self, who: Principal, *, job_id: str | None = None, limit: int, cursor: str | None
    ) -> Page[VoucherView]:
        job = self._jobs.get(who.studio_id, job_id) if job_id else None
        page = self._vouchers.list(who.studio_id, job_id=job_id, limit=limit, cursor=cursor)
        return Page([_view(v, job) for v in page.items], page.cursor)

    def update_voucher(
        self, who: Principal, code: str, body: Any, *, job_id: str | None = None
    ) -> VoucherView:
        job = self._jobs.get(who.studio_id, job_id) if job_id else None
        changes = parse_voucher(body, creating=False)
        current = self._vouchers.get(who.studio_id, _path_code(code), job_id=job_id)
        changed = updated_voucher(
            current, changes, self._clock(), price_list_currency=self._price_list_currency(job)
        )
        return _view(self._vouchers.update(changed), job)

    def delete_voucher(self, who: Principal, code: str, *, job_id: str | None = None) -> Voucher:
        voucher = self.get_voucher(who, code, job_id=job_id).voucher
        self._vouchers.delete(voucher)
        return voucher

    # quotes -------------------------------------------------------------------------------
    def quote(self, who: Principal, job_id: str, body: Any) -> PricedOrder:
        """What an order would cost in a job today: the photographer's preview of a price."""
        job = self._jobs.get(who.studio_id, job_id)
        request = parse_quote_request(body)
        profile = self._job_profile(job)
        voucher = None
        used = False
        if request.voucher_code:
            voucher = job_voucher(self._vouchers, job, request.voucher_code)
            if voucher.once_per_access_code and request.access_code:
                used = self._vouchers.has_redeemed(job.studio_id, voucher.code, request.access_code)
        return price_cart(
            profile,
            request.lines,
            voucher,
            job=job,
            today=local_today(job, self._clock()),
            used_by_this_code=used,
        )

    # helpers ------------------------------------------------------------------------------
    def _job_profile(self, job: Job) -> PriceProfile:
        if not job.price_profile_id:
            raise NoPriceProfile(f"job {job.job_id} has no price profile", job_id=job.job_id)
        try:
            return self._profiles.get(job.studio_id, job.price_profile_id)
        except NotFound as exc:
            raise NoPriceProfile(
                f"the price profile {job.price_profile_id} of job {job.job_id} no longer exists",
                job_id=job.job_id,
            ) from exc

    def _price_list_currency(self, job: Job | None) -> str | None:
        profile = job_price_profile(self._profiles, job) if job is not None else None
        return profile.currency if profile is not None else None


def job_price_profile(profiles: PriceProfileRepository, job: Job) -> PriceProfile | None:
    """The price profile ``job`` sells with; None while it has none (or it was deleted)."""
    if not job.price_profile_id:
        return None
    try:
        return profiles.get(job.studio_id, job.price_profile_id)
    except NotFound:
        return None


def shop_price_profile(profiles: PriceProfileRepository, job: Job) -> PriceProfile:
    """:func:`job_price_profile`, or ``NoPriceProfile`` in the words the shop shows."""
    profile = job_price_profile(profiles, job)
    if profile is None:
        raise NoPriceProfile("this job has no price list yet", job_id=job.job_id)
    return profile


def job_voucher(vouchers: VoucherRepository, job: Job, code: str) -> Voucher:
    """The voucher ``code`` usable in ``job`` (its own or the studio's), or ``VoucherRefused``
    (``unknown``)."""
    voucher = vouchers.find_for_job(job.studio_id, job.job_id, code)
    if voucher is None:
        raise VoucherRefused(UNKNOWN, f"there is no voucher {code}", code=code)
    return voucher


def _view(voucher: Voucher, job: Job | None) -> VoucherView:
    return VoucherView(voucher, voucher.expires_on(job.voucher_deadline if job else None))


def _path_code(code: str) -> str:
    try:
        return normalize_voucher_code(code)
    except FieldError as exc:  # a code that cannot exist is simply not found
        raise NotFound(f"voucher {code} not found", code=code) from exc
