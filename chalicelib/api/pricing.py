"""Admin routes for price profiles, vouchers (studio and job scope) and quotes."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes, page_params
from chalicelib.api.serializers import iso
from chalicelib.domain.currencies import minor_unit_exponent
from chalicelib.domain.price_profiles import PriceProfile, Product, customer_view

if TYPE_CHECKING:
    from chalicelib.services.pricing import VoucherView

routes = Routes(__name__, tag="pricing")


# price profiles -----------------------------------------------------------------------------
@routes.api("/api/price-profiles", "POST", status=201, request_schema="PriceProfileInput")
def create_price_profile(request: ApiRequest) -> dict[str, Any]:
    """Create a price profile (products with prices in minor units of one currency)."""
    return profile_json(wiring.pricing_service().create_profile(request.principal, request.json))


@routes.api("/api/price-profiles", query=("limit", "cursor"))
def list_price_profiles(request: ApiRequest) -> dict[str, Any]:
    """List the studio's price profiles."""
    limit, cursor = page_params(request, default_limit=50)
    page = wiring.pricing_service().list_profiles(request.principal, limit=limit, cursor=cursor)
    return {"items": [profile_json(p) for p in page.items], "cursor": page.cursor}


@routes.api("/api/price-profiles/{profile_id}")
def get_price_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Read one price profile."""
    return profile_json(wiring.pricing_service().get_profile(request.principal, profile_id))


@routes.api("/api/price-profiles/{profile_id}", "PATCH", request_schema="PriceProfileInput")
def update_price_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Change a price profile (products, when given, replace the whole list)."""
    service = wiring.pricing_service()
    return profile_json(service.update_profile(request.principal, profile_id, request.json))


@routes.api("/api/price-profiles/{profile_id}", "DELETE")
def delete_price_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Delete a price profile that no job uses (409 names the jobs that do)."""
    profile = wiring.pricing_service().delete_profile(request.principal, profile_id)
    return {"deleted": profile.profile_id}


@routes.api(
    "/api/price-profiles/{profile_id}/copy",
    "POST",
    status=201,
    request_schema="PriceProfileCopy",
)
def copy_price_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Copy a price profile, to change the copy independently."""
    service = wiring.pricing_service()
    return profile_json(service.copy_profile(request.principal, profile_id, request.json))


@routes.api("/api/price-profiles/{profile_id}/customer-view")
def price_profile_customer_view(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """The products as customers see them (no profile name, no lab codes)."""
    profile = wiring.pricing_service().get_profile(request.principal, profile_id)
    return customer_view(profile).as_dict()


# vouchers -----------------------------------------------------------------------------------
@routes.api("/api/vouchers", "POST", status=201, request_schema="VoucherInput")
def create_studio_voucher(request: ApiRequest) -> dict[str, Any]:
    """Create a voucher for all of the studio's jobs."""
    return voucher_json(wiring.pricing_service().create_voucher(request.principal, request.json))


@routes.api("/api/vouchers", query=("limit", "cursor"))
def list_studio_vouchers(request: ApiRequest) -> dict[str, Any]:
    """List the studio's own vouchers (job vouchers are listed with their job)."""
    limit, cursor = page_params(request, default_limit=50)
    page = wiring.pricing_service().list_vouchers(request.principal, limit=limit, cursor=cursor)
    return {"items": [voucher_json(v) for v in page.items], "cursor": page.cursor}


@routes.api("/api/vouchers/{code}")
def get_studio_voucher(request: ApiRequest, code: str) -> dict[str, Any]:
    """Read one studio voucher (codes are case-insensitive)."""
    return voucher_json(wiring.pricing_service().get_voucher(request.principal, code))


@routes.api("/api/vouchers/{code}", "PATCH", request_schema="VoucherInput")
def update_studio_voucher(request: ApiRequest, code: str) -> dict[str, Any]:
    """Change a studio voucher."""
    service = wiring.pricing_service()
    return voucher_json(service.update_voucher(request.principal, code, request.json))


@routes.api("/api/vouchers/{code}", "DELETE")
def delete_studio_voucher(request: ApiRequest, code: str) -> dict[str, Any]:
    """Delete a studio voucher; its code can be used again."""
    return {"deleted": wiring.pricing_service().delete_voucher(request.principal, code).code}


@routes.api("/api/jobs/{job_id}/vouchers", "POST", status=201, request_schema="VoucherInput")
def create_job_voucher(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Create a voucher of one job (valid until the job's voucher deadline unless given)."""
    service = wiring.pricing_service()
    return voucher_json(service.create_voucher(request.principal, request.json, job_id=job_id))


@routes.api("/api/jobs/{job_id}/vouchers", query=("limit", "cursor"))
def list_job_vouchers(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """List a job's vouchers."""
    limit, cursor = page_params(request, default_limit=50)
    page = wiring.pricing_service().list_vouchers(
        request.principal, job_id=job_id, limit=limit, cursor=cursor
    )
    return {"items": [voucher_json(v) for v in page.items], "cursor": page.cursor}


@routes.api("/api/jobs/{job_id}/vouchers/{code}")
def get_job_voucher(request: ApiRequest, job_id: str, code: str) -> dict[str, Any]:
    """Read one voucher of a job."""
    service = wiring.pricing_service()
    return voucher_json(service.get_voucher(request.principal, code, job_id=job_id))


@routes.api("/api/jobs/{job_id}/vouchers/{code}", "PATCH", request_schema="VoucherInput")
def update_job_voucher(request: ApiRequest, job_id: str, code: str) -> dict[str, Any]:
    """Change a voucher of a job."""
    service = wiring.pricing_service()
    return voucher_json(
        service.update_voucher(request.principal, code, request.json, job_id=job_id)
    )


@routes.api("/api/jobs/{job_id}/vouchers/{code}", "DELETE")
def delete_job_voucher(request: ApiRequest, job_id: str, code: str) -> dict[str, Any]:
    """Delete a voucher of a job."""
    voucher = wiring.pricing_service().delete_voucher(request.principal, code, job_id=job_id)
    return {"deleted": voucher.code}


# quotes -------------------------------------------------------------------------------------
@routes.api("/api/jobs/{job_id}/quote", "POST", request_schema="QuoteRequest")
def quote(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Price a cart in a job as the shop would (job's price profile, voucher, totals)."""
    order = wiring.pricing_service().quote(request.principal, job_id, request.json)
    return {**asdict(order), "currency_exponent": minor_unit_exponent(order.currency)}


# JSON -----------------------------------------------------------------------------------------
def product_json(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "kind": product.kind,
        "name": product.name,
        "price_minor": product.price_minor,
        "size": product.size,
        "items": [{"product_id": i.product_id, "quantity": i.quantity} for i in product.items],
        "lab_code": product.lab_code,
    }


def profile_json(profile: PriceProfile) -> dict[str, Any]:
    return {
        "profile_id": profile.profile_id,
        "name": profile.name,
        "currency": profile.currency,
        "currency_exponent": minor_unit_exponent(profile.currency),
        "products": [product_json(p) for p in profile.products],
        "created_at": iso(profile.created_at),
        "updated_at": iso(profile.updated_at),
    }


def voucher_json(view: VoucherView) -> dict[str, Any]:
    voucher = view.voucher
    return {
        "code": voucher.code,
        "scope": voucher.scope,
        "job_id": voucher.job_id,
        "percent": voucher.percent,
        "amount_minor": voucher.amount_minor,
        "currency": voucher.currency,
        "min_order_minor": voucher.min_order_minor,
        "valid_until": iso(voucher.valid_until),
        "follows_voucher_deadline": voucher.follows_voucher_deadline,
        "expires_on": iso(view.expires_on),
        "once_per_access_code": voucher.once_per_access_code,
        "created_at": iso(voucher.created_at),
        "updated_at": iso(voucher.updated_at),
    }
