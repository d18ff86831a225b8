"""Admin routes for contractees (the schools)."""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes, page_params
from chalicelib.api.serializers import contractee_json

routes = Routes(__name__, tag="contractees")


@routes.api("/api/contractees", "POST", status=201, request_schema="ContracteeInput")
def create_contractee(request: ApiRequest) -> dict[str, Any]:
    """Create a contractee (only the name is required)."""
    return contractee_json(wiring.job_service().create_contractee(request.principal, request.json))


@routes.api("/api/contractees", query=("limit", "cursor"))
def list_contractees(request: ApiRequest) -> dict[str, Any]:
    """List the studio's contractees."""
    limit, cursor = page_params(request, default_limit=50)
    page = wiring.job_service().list_contractees(request.principal, limit=limit, cursor=cursor)
    return {"items": [contractee_json(c) for c in page.items], "cursor": page.cursor}


@routes.api("/api/contractees/{contractee_id}")
def get_contractee(request: ApiRequest, contractee_id: str) -> dict[str, Any]:
    """Read one contractee."""
    return contractee_json(wiring.job_service().get_contractee(request.principal, contractee_id))


@routes.api("/api/contractees/{contractee_id}", "PATCH", request_schema="ContracteeInput")
def update_contractee(request: ApiRequest, contractee_id: str) -> dict[str, Any]:
    """Change a contractee."""
    service = wiring.job_service()
    return contractee_json(
        service.update_contractee(request.principal, contractee_id, request.json)
    )
