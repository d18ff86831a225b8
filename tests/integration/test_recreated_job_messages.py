"""Seed 004 against the local endpoint: a job recreated after an accidental delete, with the
name list of the deleted one (codes modified), tells its parents "your photos are back online"
with their new codes, through the real send_messages handler, exactly once per parent."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from chalicelib import wiring
from chalicelib.domain.ids import new_id
from chalicelib.domain.shop_access import Registration
from tests.integration.messaging import (
    call,
    local_today,
    make_job,
    outbox,
    profile_without_quiet_hours,
    runs_of,
    set_status,
    wait_for,
)

pytestmark = pytest.mark.integration

# The deleted job's export, each code with "2026" appended (seed 004, option 2).
NAME_LIST = """First name,Last name,Class,Access code,Parent email,Parent phone
Mia,Berg,1a,MIA1232026,mia.mum@example.com,+4915111111111
Ben,Roth,1a,BEN4562026,ben.parent@example.com,
Carla,Diaz,1b,CAR7892026,,
"""


def import_name_list(api_url, who, job_id: str) -> dict[str, str]:
    body = {
        "filename": "export.csv",
        "content_base64": base64.b64encode(NAME_LIST.encode()).decode(),
    }
    answer = call(api_url, who, "POST", f"/api/jobs/{job_id}/subjects/import", body)
    assert answer.status_code == 200, answer.text
    items = call(api_url, who, "GET", f"/api/jobs/{job_id}/subjects").json()["items"]
    return {s["first_name"]: s["subject_id"] for s in items}


def test_a_recreated_job_tells_the_name_list_its_photos_are_back_online_with_new_codes(
    api_url, photographer, messaging
):
    studio = photographer.studio_id
    profile_id = profile_without_quiet_hours(api_url, photographer)
    archive = local_today("Europe/Berlin") + timedelta(days=20)
    # Given a job that replaces the deleted "2026-st-john", with the deleted job's name list
    job = make_job(
        api_url,
        photographer,
        recreates="2026-st-john",
        archive_date=archive.isoformat(),
        communication_profile_id=profile_id,
    )
    job_id = job["job_id"]
    subjects = import_name_list(api_url, photographer, job_id)
    # and Mia's mother, who already registered with Mia's new code (and agreed to newsletters)
    wiring.customers().register(
        Registration(job_id, "Anna", "Berg", "MIA.MUM@example.com", None, marketing_consent=True),
        studio_id=studio,
        registration_keys=[subjects["Mia"]],
        customer_id=new_id(),
        now=datetime.now(UTC),
    )
    # When the job starts selling
    set_status(api_url, photographer, job_id, "selling")
    # Then "back online" goes to each parent once, with the child's new code; "online" does not
    runs = wait_for(
        lambda: (r := runs_of(api_url, photographer, job_id, "back-online"))["runs"] and r
    )
    assert runs and runs["sent"] == 2, runs
    assert runs_of(api_url, photographer, job_id, "online")["runs"] == 0
    emails = {e.to[0]: e for e in outbox().emails}
    assert set(emails) == {"MIA.MUM@example.com", "ben.parent@example.com"}
    for address, code in (
        ("MIA.MUM@example.com", "MIA1232026"),
        ("ben.parent@example.com", "BEN4562026"),
    ):
        email = emails[address]
        assert email.subject == "Your photos of St. John Primary School are back online"
        assert f"?code={quote(code)}" in email.body
        assert "Your access code has changed" in email.body
        assert "/shop/unsubscribe?token=" in email.body
    assert "Hello Anna," in emails["MIA.MUM@example.com"].body
    # When the status goes back and forth, nobody gets a second copy
    set_status(api_url, photographer, job_id, "planning")
    set_status(api_url, photographer, job_id, "selling")
    again = wait_for(
        lambda: (r := runs_of(api_url, photographer, job_id, "back-online"))["runs"] == 2 and r
    )
    assert again and again["already_handled"] >= 2
    assert len(outbox().emails) == 2
    # And the reminders count the name list's contacts (Mia's row is her registered mother)
    view = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/messages").json()
    steps = {s["step_id"]: s for s in view["steps"]}
    assert steps["archive-7d"]["recipients_now"] == 2
    assert steps["archive-1d-sms"]["recipients_now"] == 0  # Mia's row contact is her mother
    # And a newsletter leaves out contacts who never agreed to marketing messages
    draft = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/newsletters",
        {"subject": "Group photos added", "body": "Hello {name}, see {shop_link}"},
    ).json()  # fmt: skip
    assert (draft["recipients"], draft["skipped"]) == (1, {"no_marketing_consent": 1})
