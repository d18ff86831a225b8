"""Admin routes for communication profiles (the shipped default is listed, read-only, copyable)."""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes, page_params

routes = Routes(__name__, tag="messages")


@routes.api(
    "/api/communication-profiles", "POST", status=201, request_schema="CommunicationProfileInput"
)
def create_communication_profile(request: ApiRequest) -> dict[str, Any]:
    """Create a communication profile (steps: trigger, offset, channel, audience, template)."""
    return wiring.communication_profiles().create(request.principal, request.json).as_dict()


@routes.api("/api/communication-profiles", query=("limit", "cursor"))
def list_communication_profiles(request: ApiRequest) -> dict[str, Any]:
    """List the studio's communication profiles, the shipped default first."""
    limit, cursor = page_params(request, default_limit=50)
    page = wiring.communication_profiles().list(request.principal, limit=limit, cursor=cursor)
    return {"items": [p.as_dict() for p in page.items], "cursor": page.cursor}


@routes.api("/api/communication-profiles/{profile_id}")
def get_communication_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Read one communication profile ('default' is the shipped one)."""
    return wiring.communication_profiles().get(request.principal, profile_id).as_dict()


@routes.api(
    "/api/communication-profiles/{profile_id}", "PATCH", request_schema="CommunicationProfileInput"
)
def update_communication_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Change a profile (steps, when given, replace the list); its jobs are re-planned."""
    service = wiring.communication_profiles()
    return service.update(request.principal, profile_id, request.json).as_dict()


@routes.api("/api/communication-profiles/{profile_id}", "DELETE")
def delete_communication_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Delete a profile no job uses (409 names the jobs that do)."""
    profile = wiring.communication_profiles().delete(request.principal, profile_id)
    return {"deleted": profile.profile_id}


@routes.api(
    "/api/communication-profiles/{profile_id}/copy",
    "POST",
    status=201,
    request_schema="PriceProfileCopy",
)
def copy_communication_profile(request: ApiRequest, profile_id: str) -> dict[str, Any]:
    """Copy a profile (e.g. the shipped default) to change the copy independently."""
    service = wiring.communication_profiles()
    return service.copy(request.principal, profile_id, request.json).as_dict()
