"""Contractees (seed 000): the school a job's commission goes to. Only the name is required."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain import validation as v


@dataclass(frozen=True)
class Contractee:
    contractee_id: str
    studio_id: str
    name: str
    created_at: datetime
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    contact_person: str | None = None
    commission_rate: float | None = None  # fraction of sales, 0.10 = 10 %
    sales_access: bool = False  # "Access to sales information"


CONTRACTEE_PARSERS: dict[str, Any] = {
    "name": lambda x: v.text(x, max_length=120),
    "address": lambda x: v.optional_text(x, max_length=400),
    "email": v.email,
    "phone": v.phone,
    "contact_person": lambda x: v.optional_text(x, max_length=120),
    "commission_rate": lambda x: None if x is None else v.number(x, minimum=0.0, maximum=1.0),
    "sales_access": v.boolean,
}


def parse_contractee(body: Any, *, creating: bool, prefix: str = "") -> dict[str, Any]:
    required = ("name",) if creating else ()
    return v.collect(v.require_object(body), CONTRACTEE_PARSERS, required=required, prefix=prefix)


def new_contractee(
    *, contractee_id: str, studio_id: str, fields: dict[str, Any], now: datetime
) -> Contractee:
    return Contractee(contractee_id=contractee_id, studio_id=studio_id, created_at=now, **fields)


def updated_contractee(contractee: Contractee, changes: dict[str, Any]) -> Contractee:
    return replace(contractee, **changes)
