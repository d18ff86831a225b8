"""Vouchers (coupons; seed 000, "Sales Promotion"): time-limited discounts of a studio, for one
job or for all its jobs. Pure: parsing, the rules a voucher must pass for an order, and the
discount it gives. Storage and the once-per-access-code claim live in the pricing repository."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.domain import validation as v
from chalicelib.domain.currencies import currency
from chalicelib.errors import ValidationFailed, VoucherRefused

SCOPES = ("job", "studio")
MAX_AMOUNT_MINOR = 100_000_000
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")

# Why a voucher is refused (VoucherRefused.reason), in the order they are checked.
UNKNOWN = "unknown"
WRONG_JOB = "wrong_job"
CURRENCY_MISMATCH = "currency_mismatch"
EXPIRED = "expired"
ALREADY_USED = "already_used"
BELOW_MINIMUM = "below_minimum"


class VoucherJob(Protocol):
    """What a voucher needs to know about the job it is used for (``jobs.Job`` fits)."""

    @property
    def job_id(self) -> str: ...
    @property
    def studio_id(self) -> str: ...
    @property
    def voucher_deadline(self) -> date | None: ...


@dataclass(frozen=True)
class Voucher:
    code: str  # normalised: upper case, see normalize_voucher_code
    studio_id: str
    scope: str  # job | studio
    job_id: str | None  # only for scope job
    created_at: datetime
    updated_at: datetime
    percent: int | None = None  # 1..100 off the subtotal, or
    amount_minor: int | None = None  # a fixed amount off, in `currency`
    currency: str | None = None  # only with amount_minor
    min_order_minor: int = 0  # compared with the subtotal, before the discount
    # Last day it can be used (inclusive), a calendar date in the job's time zone. None on a job
    # voucher: the job's voucher deadline, whatever it is when the order is made.
    valid_until: date | None = None
    once_per_access_code: bool = False

    def expires_on(self, job_voucher_deadline: date | None) -> date | None:
        """The last day this voucher can be used in a job with that voucher deadline."""
        if self.valid_until is not None:
            return self.valid_until
        return job_voucher_deadline if self.scope == "job" else None

    @property
    def follows_voucher_deadline(self) -> bool:
        return self.scope == "job" and self.valid_until is None


def normalize_voucher_code(value: Any) -> str:
    """Field parser: codes are case-insensitive, ``summer-10`` is ``SUMMER-10``."""
    code = unicodedata.normalize("NFKC", v.text(value, max_length=40)).upper()
    if not CODE_PATTERN.fullmatch(code):
        raise v.FieldError("must be 3 to 32 letters A-Z, digits, '-' or '_'")
    return code


def optional_voucher_code(value: Any) -> str | None:
    """Field parser of a voucher a request may leave out (``None`` or ``""``: no voucher)."""
    return None if value in (None, "") else normalize_voucher_code(value)


def _fixed_code(value: Any) -> str:
    raise v.FieldError("cannot be changed; delete the voucher and create one with the new code")


def _optional(parse: Any) -> Any:
    return lambda x: None if x is None else parse(x)


_PARSERS: dict[str, Any] = {
    "code": normalize_voucher_code,
    "percent": _optional(lambda x: v.integer(x, minimum=1, maximum=100)),
    "amount_minor": _optional(lambda x: v.integer(x, minimum=1, maximum=MAX_AMOUNT_MINOR)),
    "currency": _optional(currency),
    "min_order_minor": lambda x: v.integer(x, minimum=0, maximum=MAX_AMOUNT_MINOR),
    "valid_until": v.optional_date,
    "once_per_access_code": v.boolean,
}


def parse_voucher(body: Any, *, creating: bool) -> dict[str, Any]:
    """The fields of a create or update request. The scope comes from the route, not the body."""
    parsers = dict(_PARSERS) if creating else {**_PARSERS, "code": _fixed_code}
    return v.collect(v.require_object(body), parsers, required=("code",) if creating else ())


def new_voucher(
    *,
    studio_id: str,
    job_id: str | None,
    fields: dict[str, Any],
    now: datetime,
    price_list_currency: str | None = None,
) -> Voucher:
    """A voucher for the studio (``job_id`` None) or one job. ``price_list_currency`` (the job's
    price profile, when it has one) is the default and the only accepted currency of a fixed
    amount off a job voucher."""
    voucher = Voucher(
        studio_id=studio_id,
        scope="studio" if job_id is None else "job",
        job_id=job_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    return _checked(voucher, price_list_currency)


def updated_voucher(
    voucher: Voucher,
    changes: dict[str, Any],
    now: datetime,
    *,
    price_list_currency: str | None = None,
) -> Voucher:
    """Apply a partial change. Giving a percent replaces a fixed amount and the other way round."""
    changes = dict(changes)
    if changes.get("percent") is not None and "amount_minor" not in changes:
        changes["amount_minor"] = None
    if changes.get("amount_minor") is not None and "percent" not in changes:
        changes["percent"] = None
    return _checked(replace(voucher, updated_at=now, **changes), price_list_currency)


def _checked(voucher: Voucher, price_list_currency: str | None) -> Voucher:
    if voucher.percent is not None:
        voucher = replace(voucher, currency=None)  # a percentage has no currency
    elif voucher.amount_minor is not None and voucher.currency is None:
        voucher = replace(voucher, currency=price_list_currency)
    errors: list[dict[str, str]] = []
    if voucher.percent is None and voucher.amount_minor is None:
        errors.append({"field": "percent", "reason": "give a percent or an amount_minor"})
    elif voucher.percent is not None and voucher.amount_minor is not None:
        errors.append({"field": "amount_minor", "reason": "give a percent or an amount_minor"})
    elif voucher.amount_minor is not None and voucher.currency is None:
        errors.append({"field": "currency", "reason": "is required with amount_minor"})
    elif (
        voucher.amount_minor is not None
        and price_list_currency is not None
        and voucher.currency != price_list_currency
    ):
        errors.append(
            {
                "field": "currency",
                "reason": f"must be the currency of the job's price list ({price_list_currency})",
            }
        )
    if errors:
        raise ValidationFailed(errors)
    return voucher


def check_voucher(
    voucher: Voucher,
    *,
    job: VoucherJob,
    currency: str,
    subtotal_minor: int,
    today: date,
    used_by_this_code: bool,
) -> None:
    """Raise ``VoucherRefused`` with the precise reason when ``voucher`` cannot be used for an
    order of ``subtotal_minor`` in ``job`` on ``today`` (the job's local date)."""
    if voucher.studio_id != job.studio_id:  # never tell one studio about another's codes
        raise VoucherRefused(UNKNOWN, f"there is no voucher {voucher.code}", code=voucher.code)
    if voucher.scope == "job" and voucher.job_id != job.job_id:
        raise VoucherRefused(WRONG_JOB, f"voucher {voucher.code} is for another job")
    if voucher.amount_minor is not None and voucher.currency != currency:
        raise VoucherRefused(
            CURRENCY_MISMATCH,
            f"voucher {voucher.code} is in {voucher.currency}, the prices are in {currency}",
            voucher_currency=voucher.currency,
            currency=currency,
        )
    last_day = voucher.expires_on(job.voucher_deadline)
    if last_day is not None and today > last_day:
        raise VoucherRefused(
            EXPIRED,
            f"voucher {voucher.code} could be used until {last_day.isoformat()}",
            valid_until=last_day.isoformat(),
        )
    if voucher.once_per_access_code and used_by_this_code:
        raise VoucherRefused(
            ALREADY_USED, f"voucher {voucher.code} has already been used with this access code"
        )
    if subtotal_minor < voucher.min_order_minor:
        raise VoucherRefused(
            BELOW_MINIMUM,
            f"voucher {voucher.code} needs an order of at least {voucher.min_order_minor} "
            f"(minor units of {currency}); this order is {subtotal_minor}",
            min_order_minor=voucher.min_order_minor,
            subtotal_minor=subtotal_minor,
        )


def discount_minor(voucher: Voucher, subtotal_minor: int) -> int:
    """The discount on ``subtotal_minor``: a percentage rounds half up to a whole minor unit, and
    no voucher takes an order below zero."""
    if voucher.percent is not None:
        discount = (subtotal_minor * voucher.percent + 50) // 100
    else:
        discount = voucher.amount_minor or 0
    return min(discount, subtotal_minor)
