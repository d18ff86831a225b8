"""Sending a job's messages through the real functions/send_messages handler against the local
endpoint (SES, SNS, DynamoDB, Scheduler): exactly once per recipient, audiences at send time,
opt-outs (unsubscribe links, SNS's STOP list), bad phone numbers, status toggles."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from chalicelib import wiring
from chalicelib.adapters.dynamo.messages_repository import MessageRepository
from chalicelib.config import get_settings
from chalicelib.local.wiring import LocalLambdaContext, schedule_due_at
from functions.send_messages.handler import handler
from tests.integration.messaging import (
    call,
    fire,
    firer,
    local_today,
    make_job,
    outbox,
    place_order,
    profile_without_quiet_hours,
    register,
    runs_of,
    schedules,
    set_status,
    wait_for,
)

pytestmark = pytest.mark.integration

OPTED_OUT_AT_SNS = "+447420500600"  # on the local endpoint's SMS opt-out list


def unsubscribe_link(html: str) -> str:
    links = re.findall(r'href="([^"]*/shop/unsubscribe\?token=[^"]+)"', html)
    assert links, "every email carries an unsubscribe link"
    return links[0].replace("&amp;", "&")


def test_a_reminder_goes_once_to_non_buyers_and_skips_opt_outs(api_url, photographer, messaging):
    stage = messaging
    studio = photographer.studio_id
    archive = local_today("Europe/Berlin") + timedelta(days=10)
    profile_id = profile_without_quiet_hours(api_url, photographer)
    job = make_job(
        api_url,
        photographer,
        archive_date=archive.isoformat(),
        communication_profile_id=profile_id,
    )
    job_id = job["job_id"]
    # Given five registered parents: one bought, one will unsubscribe, one has a broken
    # number, one answered STOP to an earlier SMS
    register(job, studio, "anna@example.com", "Anna", phone="+4915112345678")
    register(job, studio, "ben@example.com", "Ben", phone="+4915112345679")
    register(job, studio, "carla@example.com", "Carla")
    register(job, studio, "dora@example.com", "Dora", phone="12345")
    register(job, studio, "emil@example.com", "Emil", phone=OPTED_OUT_AT_SNS)
    place_order(job, studio, "ben@example.com", status="paid")
    # When the job starts selling, everybody gets "your photos are online" at once
    set_status(api_url, photographer, job_id, "selling")
    online = wait_for(lambda: len(outbox().emails) == 5 and outbox())
    assert online, "the selling_started email reached every registered customer"
    assert {e.to[0] for e in online.emails} == {
        "anna@example.com",
        "ben@example.com",
        "carla@example.com",
        "dora@example.com",
        "emil@example.com",
    }
    assert {e.subject for e in online.emails} == {
        "Your photos of St. John Primary School are online"
    }
    # And Carla follows the unsubscribe link of hers (no login)
    carla = online.emails_to("carla@example.com")[0]
    page = requests.get(unsubscribe_link(carla.body), timeout=10)
    assert page.status_code == 200 and "You are unsubscribed" in page.text
    assert "carla@example.com" in page.text
    assert requests.get(f"{api_url}/shop/unsubscribe?token=1.x.y", timeout=10).status_code == 400

    # When the "7 days before the archive date" email fires
    assert fire(stage, f"pj-{job_id}-archive-7d") == [f"pj-{job_id}-archive-7d"]
    reminders = [e for e in outbox().emails if e.subject.startswith("Last chance")]
    # Then it went once to each parent who has not bought, except the one who unsubscribed
    assert sorted(e.to[0] for e in reminders) == [
        "anna@example.com",
        "dora@example.com",
        "emil@example.com",
    ]
    runs = runs_of(api_url, photographer, job_id, "archive-7d")
    assert (runs["runs"], runs["sent"]) == (1, 3)
    assert runs["skipped"] == {"already_ordered": 1, "opted_out": 1}
    # And firing it again (a re-fired schedule, a retried Lambda) sends nobody a second copy
    payload = {
        "v": 1, "kind": "date", "studio_id": studio, "job_id": job_id, "step_id": "archive-7d",
        "trigger": "archive_due", "anchor": archive.isoformat(), "offset": "-P7D",
        "fire_at": f"{archive - timedelta(days=7)}T10:00:00", "timezone": "Europe/Berlin",
    }  # fmt: skip
    assert handler(payload, LocalLambdaContext("send_messages"))["sent"] == 0
    assert len([e for e in outbox().emails if e.subject.startswith("Last chance")]) == 3
    runs = runs_of(api_url, photographer, job_id, "archive-7d")
    assert (runs["runs"], runs["sent"], runs["already_handled"]) == (2, 3, 3)

    # When the SMS the day before fires
    fire(stage, f"pj-{job_id}-archive-1d-sms")
    # Then Anna gets it; Dora's number is recorded failed, never sent; Emil (STOP) is skipped
    texts = outbox().sms
    assert [s.phone_number for s in texts] == ["+4915112345678"]
    assert texts[0].text.startswith("Studio anna@studio-a.example: Photos of St. John Primary")
    assert texts[0].text.endswith(get_settings().shop_url + "/")
    runs = runs_of(api_url, photographer, job_id, "archive-1d-sms")
    assert (runs["sent"], runs["failed"]) == (1, 1)
    assert runs["skipped"] == {"already_ordered": 1, "no_phone": 1, "opted_out": 1}
    log = call(
        api_url, photographer, "GET", f"/api/jobs/{job_id}/messages", step="archive-1d-sms"
    ).json()["log"]["items"]
    assert {(m["address"], m["state"], m["reason"]) for m in log} == {
        ("+4915112345678", "sent", None),
        ("12345", "failed", "invalid_phone_number"),
    }


def test_a_status_toggled_back_and_forth_never_sends_a_second_copy(
    api_url, photographer, messaging
):
    studio = photographer.studio_id
    profile_id = profile_without_quiet_hours(api_url, photographer)
    job = make_job(api_url, photographer, communication_profile_id=profile_id)
    register(job, studio, "anna@example.com", "Anna")
    register(job, studio, "ben@example.com", "Ben")
    # Given the online email went out when the job started selling
    set_status(api_url, photographer, job["job_id"], "selling")
    assert wait_for(lambda: runs_of(api_url, photographer, job["job_id"], "online")["runs"] == 1)
    assert len(outbox().emails) == 2
    # When it goes back to planning (nothing is sent) and to selling again
    set_status(api_url, photographer, job["job_id"], "planning")
    set_status(api_url, photographer, job["job_id"], "selling")
    # Then the second dispatch ran and sent nobody a second copy
    runs = wait_for(
        lambda: (r := runs_of(api_url, photographer, job["job_id"], "online"))["runs"] == 2 and r
    )
    assert runs and (runs["sent"], runs["already_handled"]) == (2, 2)
    assert sorted(e.to[0] for e in outbox().emails) == ["anna@example.com", "ben@example.com"]
    # And deleting the job deletes its message log
    assert call(api_url, photographer, "DELETE", f"/api/jobs/{job['job_id']}").status_code == 200
    assert MessageRepository().step_runs(job["job_id"]) == []
    assert MessageRepository().log(job["job_id"]).items == []


def test_a_status_change_at_night_waits_for_the_morning(api_url, photographer, messaging):
    stage = messaging
    studio = photographer.studio_id
    # Given quiet hours that hold right now in the job's time zone
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    start = (now - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    end = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    quiet = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    profile_id = profile_without_quiet_hours(api_url, photographer, quiet_hours=quiet)
    job = make_job(api_url, photographer, communication_profile_id=profile_id)
    register(job, studio, "anna@example.com", "Anna")
    # When the job starts selling, the online email is scheduled for the end of quiet hours
    set_status(api_url, photographer, job["job_id"], "selling")
    name = f"pje-{job['job_id']}-online"
    pending = schedules(stage, prefix="pje-")
    assert list(pending) == [name]
    assert pending[name]["ScheduleExpression"] == f"at({end.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert outbox().emails == ()
    view = call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}/messages").json()
    assert [s["schedule"] for s in view["other_schedules"]] == [name]
    # Then it goes out when the schedule fires
    assert fire_event(stage, name) == [name]
    assert [e.to[0] for e in outbox().emails] == ["anna@example.com"]


def fire_event(stage: Any, name: str) -> list[str]:
    schedule = schedules(stage, prefix="pje-")[name]
    return firer(stage).fire_due(schedule_due_at(schedule))


def test_messages_view_previews_and_a_newsletter_previewed_before_sending(
    api_url, photographer, messaging
):
    studio = photographer.studio_id
    archive = local_today("Europe/Berlin") + timedelta(days=21)
    job = make_job(api_url, photographer, archive_date=archive.isoformat())
    job_id = job["job_id"]
    anna = register(job, studio, "anna@example.com", "Anna", consent=True)
    register(job, studio, "ben@example.com", "Ben", consent=False)
    # The planned messages are listed with their local time and who they would reach now
    view = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/messages").json()
    assert view["planned"] == []  # planning: nothing is planned
    assert {s["step_id"]: s["reason"] for s in view["not_planned"]}["archive-7d"] == "status"
    set_status(api_url, photographer, job_id, "selling")
    view = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/messages").json()
    planned = {p["step_id"]: p for p in view["planned"]}
    assert planned["archive-7d"]["local_time"] == f"{archive - timedelta(days=7)}T10:00"
    assert (
        planned["archive-7d"]["timezone"] == "Europe/Berlin" and planned["archive-7d"]["scheduled"]
    )
    steps = {s["step_id"]: s for s in view["steps"]}
    assert steps["archive-7d"]["when"] == "7 days before archive_due"
    assert steps["archive-7d"]["recipients_now"] == 2
    assert steps["archive-1d-sms"]["skipped_now"] == {"no_phone": 2}
    # A step previews for a customer of the job, or for a sample customer
    preview = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/messages/preview",
        {"step_id": "archive-7d", "customer_id": anna.customer_id},
    ).json()  # fmt: skip
    assert preview["subject"].startswith("Last chance: the photos of St. John Primary School")
    assert "Hello Anna," in preview["html"] and "/shop/unsubscribe?token=" in preview["html"]
    sms = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/messages/preview",
        {"step_id": "archive-1d-sms"},
    ).json()  # fmt: skip
    assert sms["channel"] == "sms" and sms["segments"] == 1
    unknown = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/messages/preview", {"step_id": "x"}
    )
    assert unknown.status_code == 400
    # A newsletter is drafted with its preview and audience (marketing consent only) ...
    draft = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/newsletters",
        {"subject": "Group photos added", "body": "Hello {name},\n\nnew photos: {shop_link}"},
    ).json()  # fmt: skip
    assert (draft["state"], draft["recipients"]) == ("draft", 1)
    assert draft["skipped"] == {"no_marketing_consent": 1}
    assert draft["preview"]["subject"] == "Group photos added"
    assert "Hello Anna," in draft["preview"]["html"]
    before = len(outbox().emails)
    # ... and sent when asked (twice: nobody gets it twice)
    path = f"/api/jobs/{job_id}/newsletters/{draft['newsletter_id']}/send"
    assert call(api_url, photographer, "POST", path).status_code == 202
    assert wait_for(lambda: len(outbox().emails) == before + 1)
    call(api_url, photographer, "POST", path)
    step = f"newsletter:{draft['newsletter_id']}"
    assert wait_for(lambda: runs_of(api_url, photographer, job_id, step)["runs"] == 2)
    letters = [e for e in outbox().emails if e.subject == "Group photos added"]
    assert [e.to for e in letters] == [("anna@example.com",)]
    listed = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/newsletters").json()
    assert [(n["newsletter_id"], n["state"]) for n in listed["items"]] == [
        (draft["newsletter_id"], "sending")
    ]


def test_registration_welcome_and_the_archived_note(api_url, photographer, messaging):
    studio = photographer.studio_id
    closed = {
        "step_id": "closed", "trigger": "archived", "offset": "P0D", "channel": "email",
        "audience": "not_ordered", "template_id": "archived",
    }  # fmt: skip
    default = call(api_url, photographer, "GET", "/api/communication-profiles/default").json()
    profile_id = profile_without_quiet_hours(
        api_url, photographer, steps=[*default["steps"], closed]
    )
    job = make_job(api_url, photographer, communication_profile_id=profile_id)
    set_status(api_url, photographer, job["job_id"], "selling")
    # When a parent registers in the shop, the shop's hook sends the welcome to them alone
    anna = register(job, studio, "anna@example.com", "Anna")
    register(job, studio, "ben@example.com", "Ben")
    stored = wiring.job_service().get_job(photographer_principal(photographer), job["job_id"])
    assert wiring.message_scheduling().customer_registered(stored, anna.customer_id) == [
        "now:welcome"
    ]
    welcome = wait_for(lambda: outbox().emails)
    assert [(e.to[0], e.subject) for e in welcome] == [
        ("anna@example.com", "Welcome! Your photos of St. John Primary School")
    ]
    # When the job is archived, the parents who did not buy get the note
    place_order(job, studio, "ben@example.com", status="paid")
    set_status(api_url, photographer, job["job_id"], "archived")
    assert wait_for(lambda: runs_of(api_url, photographer, job["job_id"], "closed")["runs"])
    notes = [e for e in outbox().emails if e.subject.endswith("have been archived")]
    assert [e.to[0] for e in notes] == ["anna@example.com"]


def photographer_principal(who: Any) -> Any:
    from chalicelib.domain.principal import Principal

    return Principal(studio_id=who.studio_id, user_id="test", email=who.email)
