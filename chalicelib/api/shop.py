"""The parents' shop API (``/shop/...``), called by the static site from its own origin.

Authentication is a shop session token (``POST /shop/session``), never a Cognito token. CORS:
the preflight (answered by API Gateway, or ``chalice local``, from the route configuration) lets
any origin send; every answer then names only the site's origin (``PHOTOJOBS_SHOP_URL``) in
``Access-Control-Allow-Origin``, so no other page can read it. The token travels in a header,
never a cookie, so the preflight permits nothing a page could not already do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chalice import CORSConfig

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes
from chalicelib.api.serializers import contact_json, iso
from chalicelib.config import get_settings
from chalicelib.domain.downloads import downloadable_photo_ids
from chalicelib.domain.orders import PENDING_PAYMENT, Order
from chalicelib.domain.pricing import PricedOrder

if TYPE_CHECKING:  # the services import PynamoDB: only when a request needs them
    from chalicelib.adapters.storage import MediaStorage
    from chalicelib.services.order_downloads import OrderDownloads
    from chalicelib.services.shop import SessionView, ShopGallery

GALLERY_URL_SECONDS = 10 * 60  # the limit is 15 minutes; a page refresh gets new ones


def site_origin() -> str:
    """The origin (scheme://host[:port]) of the shop site, from ``PHOTOJOBS_SHOP_URL``."""
    parts = urlsplit(get_settings().shop_url)
    return f"{parts.scheme}://{parts.netloc}"


# The preflight of every shop route.
SHOP_CORS = CORSConfig(allow_origin="*", expose_headers=["Retry-After"], max_age=600)


def shop_routes(import_name: str) -> Routes:
    """A blueprint of shop routes: session-token auth, the shop's CORS and origin."""
    return Routes(
        import_name,
        tag="shop",
        verifier=wiring.session_tokens,
        security="shopSession",
        cors=SHOP_CORS,
        site_origin=site_origin,
    )


routes = shop_routes(__name__)


@routes.api("/shop/session", "POST", auth=False, request_schema="ShopSessionRequest")
def open_session(request: ApiRequest) -> dict[str, Any]:
    """Log in with an access code, or add a sibling's code to the session (new token)."""
    view = wiring.shop_service().open_session(
        request.json,
        authorization=request.headers.get("authorization"),
        source_ip=request.source_ip,
        forwarded_for=request.headers.get("x-forwarded-for"),
    )
    return session_json(view)


@routes.api("/shop/registration", "POST", status=201, request_schema="ShopRegistration")
def register(request: ApiRequest) -> dict[str, Any]:
    """Register as the job's customer (name, e-mail, phone, marketing consent)."""
    customer = wiring.shop_service().register(request.principal, request.json)
    return {
        "job_id": customer.job_id,
        "registered": True,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        "phone": customer.phone,
        "marketing_consent": customer.marketing_consent,
    }


@routes.api("/shop/gallery", query=("job_id",))
def gallery(request: ApiRequest) -> dict[str, Any]:
    """The session's photos: watermarked previews behind short-lived signed URLs."""
    found = wiring.shop_service().gallery(request.principal, request.query.get("job_id") or None)
    return gallery_json(found, wiring.storage())


@routes.api("/shop/products", query=("job_id",))
def products(request: ApiRequest) -> dict[str, Any]:
    """The job's products and prices (no profile name, no lab codes)."""
    job_id = request.query.get("job_id") or ""
    return wiring.shop_service().products(request.principal, job_id).as_dict()


@routes.api("/shop/orders", "POST", status=201, request_schema="ShopOrder")
def place_order(request: ApiRequest) -> dict[str, Any]:
    """Place an order: priced by the server, stored with its payment start."""
    return order_json(wiring.order_service().place(request.principal, request.json))


@routes.api("/shop/orders/{order_id}")
def get_order(request: ApiRequest, order_id: str) -> dict[str, Any]:
    """One order of this session."""
    return order_json(wiring.order_service().for_session(request.principal, order_id))


@routes.api("/shop/orders/{order_id}/payment", "POST")
def pay_again(request: ApiRequest, order_id: str) -> dict[str, Any]:
    """Start a new payment of a pending order of this session (its checkout expired)."""
    return order_json(wiring.order_service().pay_again(request.principal, order_id))


@routes.api("/shop/quote", "POST", request_schema="ShopQuote")
def quote(request: ApiRequest) -> dict[str, Any]:
    """Price a cart as an order would be priced (voucher included); nothing is stored."""
    body = request.json
    priced = wiring.order_service().quote(request.principal, body)
    return quote_json(body.get("job_id"), priced)


@routes.api("/shop/orders/{order_id}/downloads")
def order_downloads(request: ApiRequest, order_id: str) -> dict[str, Any]:
    """Short-lived links to the originals a paid order of this session bought as files."""
    return downloads_json(wiring.order_downloads().for_session(request.principal, order_id))


# JSON -----------------------------------------------------------------------------------------
def session_json(view: SessionView) -> dict[str, Any]:
    snapshot = view.snapshot
    subjects = []
    for entry in view.session.entries:
        subject = snapshot.subject(entry)
        if subject is not None:
            subjects.append(
                {
                    "subject_id": subject.subject_id,
                    "job_id": subject.job_id,
                    "first_name": subject.first_name,
                    "last_name": subject.last_name,
                    "class_name": subject.class_name,
                }
            )
    return {
        "token": view.token,
        "expires_at": iso(view.session.expires_at),
        "subjects": subjects,
        "jobs": [
            {
                "job_id": j.job.job_id,
                "name": j.job.name,
                "status": j.job.status,
                "open_for_orders": j.window.open,
                "closed_reason": j.window.reason,
                "message": j.window.message,
                "registration": j.job.registration,
                "registered": j.registered,
                "currency": j.currency,
                "voucher_deadline": iso(j.job.voucher_deadline),
                "archive_date": iso(j.job.archive_date),
                "prepay_deadline": iso(j.job.prepay_deadline),
                "shared_access": any(
                    e.subject_id is None for e in view.session.entries_of(j.job.job_id)
                ),
            }
            for j in view.jobs
        ],
    }


def gallery_json(found: ShopGallery, storage: MediaStorage) -> dict[str, Any]:
    return {
        "subjects": [
            {
                "subject_id": g.subject_id,
                "job_id": g.job_id,
                "first_name": g.first_name,
                "class_name": g.class_name,
                "photos": [
                    {
                        "photo_id": item.photo.photo_id,
                        "kind": item.kind,
                        "thumbnail_url": storage.signed_url(
                            item.photo.thumbnail_key or "", GALLERY_URL_SECONDS
                        ),
                        "preview_url": storage.signed_url(
                            item.photo.preview_key or "", GALLERY_URL_SECONDS
                        ),
                        "width": item.photo.width,
                        "height": item.photo.height,
                    }
                    for item in g.photos
                ],
            }
            for g in found.galleries
        ],
        "url_expires_in": GALLERY_URL_SECONDS,
        "unavailable": [
            {"job_id": h.details.get("job_id"), "reason": h.code, "message": h.message}
            for h in found.hidden
        ],
    }


def order_json(order: Order) -> dict[str, Any]:
    """An order as its customer sees it (no lab codes, no access codes)."""
    names = {p.product_id: p.name for p in order.products}
    payment: dict[str, Any] = {"method": order.payment.method}
    if order.payment.checkout_url and order.status == PENDING_PAYMENT:
        payment["checkout_url"] = order.payment.checkout_url
    return {
        "order_id": order.order_id,
        "status": order.status,
        "job_id": order.job_id,
        "job_name": order.job_name,
        "internal_job_name": order.internal_job_name,
        "lines": [
            {
                "photo_id": line.photo_id,
                "product_id": line.product_id,
                "name": names.get(line.product_id, line.product_id),
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "total_minor": line.total_minor,
            }
            for line in order.lines
        ],
        "subtotal_minor": order.subtotal_minor,
        "discount_minor": order.discount_minor,
        "total_minor": order.total_minor,
        "currency": order.currency,
        "voucher": order.voucher.code if order.voucher else None,
        "contact": contact_json(order.contact),
        "payment": payment,
        "has_downloads": bool(downloadable_photo_ids(order)),
        "created_at": iso(order.created_at),
    }


def quote_json(job_id: str, priced: PricedOrder) -> dict[str, Any]:
    """A priced cart, its lines shaped like an order's."""
    return {
        "job_id": job_id,
        "lines": [
            {
                "photo_id": line.photo_id,
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "total_minor": line.line_total_minor,
            }
            for line in priced.lines
        ],
        "subtotal_minor": priced.subtotal_minor,
        "discount_minor": priced.discount_minor,
        "total_minor": priced.total_minor,
        "currency": priced.currency,
        "voucher": priced.voucher.code if priced.voucher else None,
    }


def downloads_json(found: OrderDownloads) -> dict[str, Any]:
    return {
        "order_id": found.order.order_id,
        "status": found.order.status,
        "files": [
            {"photo_id": f.photo_id, "file_name": f.file_name, "url": f.url} for f in found.files
        ],
        "unavailable": list(found.unavailable),
        "url_expires_in": found.expires_in,
    }
