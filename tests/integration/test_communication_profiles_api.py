"""Communication profiles over HTTP against the local AWS endpoint: the studio's library with
the shipped default (read-only, copyable), validation, and attaching a profile to a job."""

from __future__ import annotations

from typing import Any

import pytest
import requests

pytestmark = pytest.mark.integration

STEPS: list[dict[str, Any]] = [
    {"step_id": "online", "trigger": "selling_started", "offset": "at once", "channel": "email",
     "audience": "all_registered", "template_id": "selling_started"},
    {"step_id": "archive-3d", "trigger": "archive_due", "offset": "3 days before",
     "channel": "email", "audience": "not_ordered", "template_id": "archive_due"},
]  # fmt: skip


def call(api_url: str, who: Any, method: str, path: str, body: Any = None, **params: Any):
    return requests.request(
        method, api_url + path, json=body, params=params or None, headers=who.headers, timeout=10
    )


def fields(answer: requests.Response) -> dict[str, str]:
    assert answer.status_code == 400, answer.text
    return {e["field"]: e["reason"] for e in answer.json()["errors"]}


def test_the_default_profile_is_listed_read_only_and_copyable(api_url, photographer):
    # Given a new studio, its library holds only the shipped default
    listed = call(api_url, photographer, "GET", "/api/communication-profiles").json()["items"]
    assert [(p["profile_id"], p["builtin"]) for p in listed] == [("default", True)]
    default = listed[0]
    assert default["quiet_hours"] == {"start": "21:00", "end": "08:00"}
    assert {s["trigger"] for s in default["steps"]} >= {"selling_started", "archive_due"}
    # When the default is changed or deleted, it refuses; a copy is the studio's own
    answer = call(api_url, photographer, "PATCH", "/api/communication-profiles/default", {})
    assert answer.status_code == 409
    assert answer.json()["error"] == "builtin_profile_read_only"
    copy = call(
        api_url, photographer, "POST", "/api/communication-profiles/default/copy", {}
    ).json()
    assert copy["name"] == "Standard (photojobs default) (copy)" and not copy["builtin"]
    assert copy["steps"] == default["steps"]
    # Then the copy can be edited without touching the default
    path = f"/api/communication-profiles/{copy['profile_id']}"
    changed = call(
        api_url,
        photographer,
        "PATCH",
        path,
        {"name": "Schools DE", "locale": "de", "quiet_hours": {"start": "20:00", "end": "09:00"}},
    ).json()
    assert (changed["name"], changed["locale"], changed["quiet_hours"]) == (
        "Schools DE",
        "de",
        {"start": "20:00", "end": "09:00"},
    )
    assert call(api_url, photographer, "GET", path).json() == changed
    again = call(api_url, photographer, "GET", "/api/communication-profiles/default").json()
    assert again == default


def test_profile_crud_validation_and_isolation(api_url, photographer, other_photographer):
    # Given a profile with two steps
    created = call(
        api_url, photographer, "POST", "/api/communication-profiles",
        {"name": "Primary schools", "steps": STEPS},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    profile = created.json()
    assert [s["offset"] for s in profile["steps"]] == ["P0D", "-P3D"]
    assert profile["locale"] == "en"
    path = f"/api/communication-profiles/{profile['profile_id']}"
    # When a step is invalid (unknown template for the channel, bad offset, anticipation of a
    # status trigger), every problem is named
    bad = [
        {**STEPS[0], "template_id": "newsletter_xyz"},
        {**STEPS[1], "offset": "soon"},
        {**STEPS[0], "step_id": "early", "offset": "-P1D"},
    ]
    problems = fields(call(api_url, photographer, "PATCH", path, {"steps": bad}))
    assert problems == {"steps[1].offset": "not an offset: 'soon' (try -P3D, P2D, -1d or '3 "
                        "days before')"}  # fmt: skip
    problems = fields(call(api_url, photographer, "PATCH", path, {"steps": [bad[0], bad[2]]}))
    assert problems == {
        "steps[1].offset": "selling_started cannot be anticipated, use 0 or a delay"
    }
    problems = fields(call(api_url, photographer, "PATCH", path, {"steps": bad[:1]}))
    assert problems == {"steps[0].template_id": "no email template 'newsletter_xyz'"}
    sms_without_template = {**STEPS[0], "channel": "sms", "template_id": "archived"}
    problems = fields(call(api_url, photographer, "PATCH", path, {"steps": [sms_without_template]}))
    assert problems == {"steps[0].template_id": "no sms template 'archived'"}
    assert fields(call(api_url, photographer, "POST", "/api/communication-profiles", {})) == {
        "name": "is required",
        "steps": "is required",
    }
    # Then another studio sees none of it
    assert call(api_url, other_photographer, "GET", path).status_code == 404
    others = call(api_url, other_photographer, "GET", "/api/communication-profiles").json()
    assert [p["profile_id"] for p in others["items"]] == ["default"]
    # And the profile is deleted when no job uses it
    assert call(api_url, photographer, "DELETE", path).json() == {"deleted": profile["profile_id"]}
    assert call(api_url, photographer, "GET", path).status_code == 404


def test_a_job_uses_a_profile_by_id_and_the_profile_cannot_go_while_used(api_url, photographer):
    profile = call(
        api_url, photographer, "POST", "/api/communication-profiles",
        {"name": "Primary schools", "steps": STEPS},
    ).json()  # fmt: skip
    job = {"name": "St. Mary", "shooting_date": "2026-09-14", "job_type": "school"}
    # A job refuses a profile the studio does not have
    answer = call(
        api_url, photographer, "POST", "/api/jobs", {**job, "communication_profile_id": "nope"}
    )
    assert fields(answer) == {
        "communication_profile_id": "no such communication profile in this studio"
    }
    # A job takes the studio's profile, or the shipped default
    created = call(
        api_url,
        photographer,
        "POST",
        "/api/jobs",
        {**job, "communication_profile_id": profile["profile_id"]},
    ).json()
    assert created["communication_profile_id"] == profile["profile_id"]
    other = call(
        api_url, photographer, "POST", "/api/jobs",
        {**job, "internal_name": "other", "communication_profile_id": "default"},
    )  # fmt: skip
    assert other.status_code == 201, other.text
    # The profile in use cannot be deleted; the answer names the job
    answer = call(
        api_url, photographer, "DELETE", f"/api/communication-profiles/{profile['profile_id']}"
    )
    assert answer.status_code == 409
    assert answer.json()["error"] == "communication_profile_in_use"
    assert [j["job_id"] for j in answer.json()["jobs"]] == [created["job_id"]]
