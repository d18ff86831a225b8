"""Price profiles (seed 000, "Prices Profile"): a studio's reusable product lists, attached to
jobs. Products are prints (with a size), digital downloads, or packages of several of them;
prices are integer minor units of the profile's one currency. The profile's name is for the
photographer only: what customers see is :func:`customer_view`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.domain.currencies import currency, minor_unit_exponent
from chalicelib.errors import ValidationFailed

PRODUCT_KINDS = ("print", "download", "package")
MAX_PRODUCTS = 200
MAX_PACKAGE_ITEMS = 20
MAX_PACKAGE_QUANTITY = 99
MAX_PRICE_MINOR = 100_000_000
PRODUCT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
NAME_LENGTH = 120


@dataclass(frozen=True)
class PackageItem:
    product_id: str  # a print or download of the same profile
    quantity: int = 1


@dataclass(frozen=True)
class Product:
    product_id: str  # stable within its profile: carts and orders refer to it
    kind: str  # print | download | package
    name: str
    price_minor: int
    size: str | None = None  # prints only, e.g. "13x18"
    items: tuple[PackageItem, ...] = ()  # packages only
    lab_code: str | None = None  # production code for the lab; never shown to customers


@dataclass(frozen=True)
class PriceProfile:
    profile_id: str
    studio_id: str
    name: str  # the photographer's label, never shown to customers
    currency: str  # ISO 4217
    created_at: datetime
    updated_at: datetime
    products: tuple[Product, ...] = ()
    version: int = 0

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.product_id == product_id), None)


# Parsing ------------------------------------------------------------------------------------
def _product_id(value: Any) -> str:
    text = v.text(value, max_length=40)
    if not PRODUCT_ID_PATTERN.fullmatch(text):
        raise v.FieldError("may contain only letters, digits, '.', '_' and '-'")
    return text


def _package_items(value: Any, field: str) -> tuple[PackageItem, ...]:
    if not isinstance(value, list) or not value:
        raise ValidationFailed([{"field": field, "reason": "must be a non-empty list"}])
    if len(value) > MAX_PACKAGE_ITEMS:
        raise ValidationFailed(
            [{"field": field, "reason": f"must have at most {MAX_PACKAGE_ITEMS} items"}]
        )
    errors: list[dict[str, str]] = []
    items: list[PackageItem] = []
    for i, raw in enumerate(value):
        try:
            fields = v.collect(
                v.require_object(raw),
                {
                    "product_id": _product_id,
                    "quantity": lambda x: v.integer(x, minimum=1, maximum=MAX_PACKAGE_QUANTITY),
                },
                required=("product_id",),
                prefix=f"{field}[{i}].",
            )
        except ValidationFailed as exc:
            errors.extend(
                {**e, "field": f"{field}[{i}]"} if e["field"] == "body" else e for e in exc.errors
            )
            continue
        items.append(PackageItem(**fields))
    if errors:
        raise ValidationFailed(errors)
    return tuple(items)


def _parse_product(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationFailed([{"field": field, "reason": "must be an object"}])
    prefix = field + "."
    fields = v.collect(
        raw,
        {
            "product_id": _product_id,
            "kind": lambda x: v.choice(x, PRODUCT_KINDS),
            "name": lambda x: v.text(x, max_length=NAME_LENGTH),
            "price_minor": lambda x: v.integer(x, minimum=0, maximum=MAX_PRICE_MINOR),
            "size": lambda x: v.optional_text(x, max_length=40),
            "items": lambda x: () if x is None else _package_items(x, prefix + "items"),
            "lab_code": lambda x: v.optional_text(x, max_length=64),
        },
        required=("kind", "name", "price_minor"),
        prefix=prefix,
    )
    errors = []
    kind = fields["kind"]
    if kind == "print" and not fields.get("size"):
        errors.append({"field": prefix + "size", "reason": "is required for a print"})
    if kind != "print" and fields.get("size"):
        errors.append({"field": prefix + "size", "reason": "is only for prints"})
    if kind == "package" and not fields.get("items"):
        errors.append({"field": prefix + "items", "reason": "is required for a package"})
    if kind != "package" and fields.get("items"):
        errors.append({"field": prefix + "items", "reason": "is only for packages"})
    if errors:
        raise ValidationFailed(errors)
    return fields


def _slug(fields: dict[str, Any]) -> str:
    words = " ".join(str(fields[k]) for k in ("name", "size") if fields.get(k))
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_words.lower()).strip("-")[:32] or fields["kind"]


def _with_ids(parsed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Products without an id get one derived from their name and size (``portrait-13x18``),
    so re-sending an unchanged list keeps its ids. Packages refer to explicit ids."""
    taken = {p["product_id"] for p in parsed if "product_id" in p}
    for fields in parsed:
        if "product_id" in fields:
            continue
        base = candidate = _slug(fields)
        n = 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate)
        fields["product_id"] = candidate
    return parsed


def _reference_errors(parsed: list[dict[str, Any]]) -> list[dict[str, str]]:
    errors = []
    first_index: dict[str, int] = {}
    for i, fields in enumerate(parsed):
        pid = fields["product_id"]
        if pid in first_index:
            errors.append(
                {
                    "field": f"products[{i}].product_id",
                    "reason": f"is used by products[{first_index[pid]}] too",
                }
            )
        first_index.setdefault(pid, i)
    kinds = {fields["product_id"]: fields["kind"] for fields in parsed}
    for i, fields in enumerate(parsed):
        for j, item in enumerate(fields.get("items", ())):
            if kinds.get(item.product_id) not in ("print", "download"):
                errors.append(
                    {
                        "field": f"products[{i}].items[{j}].product_id",
                        "reason": "must be the product_id of a print or download in this profile",
                    }
                )
    return errors


def parse_products(value: Any) -> tuple[Product, ...]:
    """Field parser of a whole product list; every error names its product by position."""
    if not isinstance(value, list):
        raise v.FieldError("must be a list of products")
    if len(value) > MAX_PRODUCTS:
        raise v.FieldError(f"must have at most {MAX_PRODUCTS} products")
    errors: list[dict[str, str]] = []
    parsed: list[dict[str, Any]] = []
    for i, raw in enumerate(value):
        try:
            parsed.append(_parse_product(raw, f"products[{i}]"))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    parsed = _with_ids(parsed)
    errors = _reference_errors(parsed)
    if errors:
        raise ValidationFailed(errors)
    return tuple(Product(**fields) for fields in parsed)


_PROFILE_PARSERS: dict[str, Any] = {
    "name": lambda x: v.text(x, max_length=NAME_LENGTH),
    "currency": currency,
    "products": parse_products,
}


def parse_price_profile(body: Any, *, creating: bool) -> dict[str, Any]:
    """The fields of a create or update request; ``products`` always replaces the whole list."""
    required = ("name", "currency") if creating else ()
    return v.collect(v.require_object(body), _PROFILE_PARSERS, required=required)


def parse_copy_request(body: Any) -> str | None:
    """The new name of a copy, if the request gives one."""
    parsed = v.collect(
        v.require_object(body), {"name": lambda x: v.optional_text(x, max_length=NAME_LENGTH)}
    )
    return parsed.get("name")


# Changes ------------------------------------------------------------------------------------
def new_price_profile(
    *, profile_id: str, studio_id: str, fields: dict[str, Any], now: datetime
) -> PriceProfile:
    return PriceProfile(
        profile_id=profile_id, studio_id=studio_id, created_at=now, updated_at=now, **fields
    )


def updated_price_profile(
    profile: PriceProfile, changes: dict[str, Any], now: datetime
) -> PriceProfile:
    return replace(profile, updated_at=now, **changes)


def copied_price_profile(
    profile: PriceProfile, *, profile_id: str, name: str | None, now: datetime
) -> PriceProfile:
    """A new profile with the same products (and product ids), to be changed independently."""
    copy_name = name or f"{profile.name} (copy)"[:NAME_LENGTH]
    return replace(
        profile, profile_id=profile_id, name=copy_name, created_at=now, updated_at=now, version=0
    )


# What customers see -------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerProduct:
    product_id: str
    kind: str
    name: str
    price_minor: int
    size: str | None
    items: tuple[tuple[str, str, int], ...]  # (product_id, name, quantity) of a package

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "kind": self.kind,
            "name": self.name,
            "price_minor": self.price_minor,
            "size": self.size,
            "items": [{"product_id": p, "name": n, "quantity": q} for p, n, q in self.items],
        }


@dataclass(frozen=True)
class CustomerPriceList:
    currency: str
    currency_exponent: int  # 2: price_minor 1250 is 12.50
    products: tuple[CustomerProduct, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "currency_exponent": self.currency_exponent,
            "products": [p.as_dict() for p in self.products],
        }


def customer_view(profile: PriceProfile) -> CustomerPriceList:
    """The products as the shop shows them: no profile name, no ids of ours, no lab codes."""
    names = {p.product_id: p.name for p in profile.products}
    return CustomerPriceList(
        currency=profile.currency,
        currency_exponent=minor_unit_exponent(profile.currency),
        products=tuple(
            CustomerProduct(
                product_id=p.product_id,
                kind=p.kind,
                name=p.name,
                price_minor=p.price_minor,
                size=p.size,
                items=tuple((i.product_id, names[i.product_id], i.quantity) for i in p.items),
            )
            for p in profile.products
        ),
    )
