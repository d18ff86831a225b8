"""Admin routes of a job's orders: list and filter, read, enter a phone or paper order by access
code, mark paid (offline payments), cancel, mark fulfilled. Status moves: pending_payment ->
paid -> fulfilled; pending_payment -> cancelled."""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes, page_params
from chalicelib.api.serializers import contact_json, iso
from chalicelib.domain.orders import Order

routes = Routes(__name__, tag="orders")


@routes.api("/api/jobs/{job_id}/orders", query=("status", "limit", "cursor"))
def list_orders(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """A job's orders, newest first (optionally of one status)."""
    limit, cursor = page_params(request)
    page = wiring.order_service().list_for_job(
        request.principal,
        job_id,
        status=request.query.get("status") or None,
        limit=limit,
        cursor=cursor,
    )
    return {"items": [admin_order_json(o) for o in page.items], "cursor": page.cursor}


@routes.api("/api/jobs/{job_id}/orders", "POST", status=201, request_schema="EnteredOrder")
def enter_order(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Enter a phone or paper order by the child's access code (priced like a shop order)."""
    return admin_order_json(wiring.order_service().enter(request.principal, job_id, request.json))


@routes.api("/api/jobs/{job_id}/orders/{order_id}")
def get_order(request: ApiRequest, job_id: str, order_id: str) -> dict[str, Any]:
    """One order of a job, with what production needs (lab codes, package contents)."""
    return admin_order_json(wiring.order_service().get_for_job(request.principal, job_id, order_id))


@routes.api("/api/jobs/{job_id}/orders/{order_id}/paid", "POST")
def mark_paid(request: ApiRequest, job_id: str, order_id: str) -> dict[str, Any]:
    """Record that an order was paid offline (idempotent)."""
    order = wiring.order_service().mark_paid(request.principal, job_id, order_id)
    return admin_order_json(order)


@routes.api("/api/jobs/{job_id}/orders/{order_id}/cancel", "POST")
def cancel(request: ApiRequest, job_id: str, order_id: str) -> dict[str, Any]:
    """Cancel an unpaid order (a once-per-code voucher it used becomes usable again)."""
    return admin_order_json(wiring.order_service().cancel(request.principal, job_id, order_id))


@routes.api("/api/jobs/{job_id}/orders/{order_id}/fulfilled", "POST")
def fulfilled(request: ApiRequest, job_id: str, order_id: str) -> dict[str, Any]:
    """Mark a paid order as produced and delivered."""
    return admin_order_json(wiring.order_service().fulfil(request.principal, job_id, order_id))


def admin_order_json(order: Order) -> dict[str, Any]:
    voucher = order.voucher
    return {
        "order_id": order.order_id,
        "job_id": order.job_id,
        "job_name": order.job_name,
        "internal_job_name": order.internal_job_name,
        "status": order.status,
        "subject_ids": list(order.subject_ids),
        "contact": contact_json(order.contact),
        "lines": [
            {
                "photo_id": line.photo_id,
                "subject_id": line.subject_id,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "total_minor": line.total_minor,
            }
            for line in order.lines
        ],
        "products": [
            {
                "product_id": p.product_id,
                "kind": p.kind,
                "name": p.name,
                "size": p.size,
                "lab_code": p.lab_code,
                "components": [
                    {
                        "product_id": c.product_id,
                        "kind": c.kind,
                        "name": c.name,
                        "size": c.size,
                        "lab_code": c.lab_code,
                        "quantity": c.quantity,
                    }
                    for c in p.components
                ],
            }
            for p in order.products
        ],
        "currency": order.currency,
        "subtotal_minor": order.subtotal_minor,
        "discount_minor": order.discount_minor,
        "total_minor": order.total_minor,
        "voucher": {
            "code": voucher.code,
            "scope": voucher.scope,
            "percent": voucher.percent,
            "amount_minor": voucher.amount_minor,
            "once_per_access_code": voucher.once_per_access_code,
        }
        if voucher
        else None,
        "payment": {
            "method": order.payment.method,
            "provider_ref": order.payment.provider_ref,
            "paid_at": iso(order.payment.paid_at),
            "paid_minor": order.payment.paid_minor,
            "recorded_by": order.payment.recorded_by,
        },
        "history": [{"status": h.status, "at": iso(h.at), "by": h.by} for h in order.history],
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
    }
