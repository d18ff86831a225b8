"""The shop's events reaching the communication profile, over HTTP against the local endpoint:
a registration sends the welcome once; a registered customer's cart is kept for all devices
and, left alone, nudged once by its one pending schedule; an order or a change meanwhile
means no nudge (recorded with the reason); an anonymous cart schedules nothing."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.config import get_settings
from chalicelib.local.wiring import LocalLambdaContext, schedule_due_at
from functions.send_messages.handler import handler
from tests.integration.messaging import (
    firer,
    outbox,
    profile_without_quiet_hours,
    runs_of,
    schedules,
    wait_for,
)
from tests.integration.shop import admin, ok, order_body, session, shop

pytestmark = pytest.mark.integration

MUM = "mum@example.com"
JOB_NAME = "St. Mary Primary School"


@pytest.fixture
def selling(api_url, photographer, gallery):
    """The selling school job with photos, and a profile that sends at any hour."""
    os.environ["PHOTOJOBS_API_URL"] = api_url  # every email's unsubscribe link points there
    get_settings.cache_clear()
    wiring.reset()
    profile_id = profile_without_quiet_hours(api_url, photographer)
    body = {"communication_profile_id": profile_id}
    ok(admin(api_url, photographer, "PATCH", f"/api/jobs/{gallery['job_id']}", body))
    yield gallery
    os.environ.pop("PHOTOJOBS_API_URL", None)


def registered_token(api_url: str, job: dict[str, Any], child: str = "Anna") -> str:
    token = str(session(api_url, job["subjects"][child]["access_code"])["token"])
    form = {
        "job_id": job["job_id"],
        "first_name": "Maria",
        "last_name": "Adler",
        "email": MUM,
        "marketing_consent": False,
    }
    ok(shop(api_url, token, "POST", "registration", form), 201)
    return token


def cart_body(job_id: str, *lines: tuple[str, str, int]) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "lines": [{"photo_id": p, "product_id": prod, "quantity": q} for p, prod, q in lines],
    }


def cart_schedules(stage: Any, job_id: str) -> dict[str, dict[str, Any]]:
    return schedules(stage, prefix=f"pje-{job_id}-cart-1d-")


def payload_of(schedule: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(schedule["Target"]["Input"]))


def same_second(a: str, b: str) -> bool:
    return datetime.fromisoformat(a).replace(microsecond=0) == datetime.fromisoformat(b).replace(
        microsecond=0
    )


def nudges() -> list[Any]:
    return [e for e in outbox().emails if e.subject.startswith("Your cart for")]


def test_a_registration_sends_the_welcome_once(api_url, photographer, selling):
    job_id = selling["job_id"]
    # When a parent registers in the shop
    registered_token(api_url, selling)
    # Then the welcome email goes out at once, with a link back to the shop with the code
    sent = wait_for(lambda: outbox().emails_to(MUM))
    assert [e.subject for e in sent] == [f"Welcome! Your photos of {JOB_NAME}"]
    code = selling["subjects"]["Anna"]["access_code"]
    assert f"?code={code}" in sent[0].body
    # When the parent registers again (another device, a corrected phone number)
    registered_token(api_url, selling)
    # Then the trigger ran again and sent nothing new
    runs = wait_for(
        lambda: (r := runs_of(api_url, photographer, job_id, "welcome"))["runs"] == 2 and r
    )
    assert runs and (runs["sent"], runs["already_handled"]) == (1, 1)
    assert len(outbox().emails_to(MUM)) == 1


def test_a_customers_cart_follows_them_and_is_nudged_once(api_url, photographer, stage, selling):
    job_id, photo = selling["job_id"], selling["photos"]
    token = registered_token(api_url, selling)
    # When the registered parent puts photos in the cart
    first = ok(shop(api_url, token, "PUT", "cart", cart_body(job_id, (photo["A_1.jpg"], "p13", 2))))
    assert first["saved_for"] == "customer" and first["lines"][0]["quantity"] == 2
    # Then exactly one nudge is pending, counted from that change
    (name,) = cart_schedules(stage, job_id)
    assert same_second(
        payload_of(cart_schedules(stage, job_id)[name])["anchor"], first["updated_at"]
    )
    # When the cart changes, the same schedule moves along: still exactly one
    time.sleep(1.1)
    body = cart_body(job_id, (photo["A_1.jpg"], "p13", 1), (photo["3b.jpg"], "dl", 1))
    second = ok(shop(api_url, token, "PUT", "cart", body))
    pending = cart_schedules(stage, job_id)
    assert list(pending) == [name]
    assert same_second(payload_of(pending[name])["anchor"], second["updated_at"])
    # And on another device (a new session with the same code) the cart is restored
    other = session(api_url, selling["subjects"]["Anna"]["access_code"])["token"]
    restored = ok(shop(api_url, other, "GET", "cart", job_id=job_id))
    assert restored["lines"] == second["lines"] and restored["saved_for"] == "customer"
    # When the schedule fires, the parent gets one nudge with the link back to the shop
    assert firer(stage).fire_due(schedule_due_at(pending[name])) == [name]
    (nudge,) = wait_for(nudges)
    assert nudge.to == (MUM,) and nudge.subject == f"Your cart for {JOB_NAME} is waiting"
    assert f"?code={selling['subjects']['Anna']['access_code']}" in nudge.body
    # And a re-fired schedule sends no second copy
    assert handler(payload_of(pending[name]), LocalLambdaContext("send_messages"))["sent"] == 0
    assert len(nudges()) == 1


def test_an_order_placed_meanwhile_means_no_nudge(api_url, photographer, stage, selling):
    job_id, photo = selling["job_id"], selling["photos"]
    token = registered_token(api_url, selling)
    ok(shop(api_url, token, "PUT", "cart", cart_body(job_id, (photo["A_2.jpg"], "p13", 1))))
    (schedule,) = cart_schedules(stage, job_id).values()
    # When the parent orders before the nudge is due
    body = order_body(job_id, (photo["A_2.jpg"], "p13", 1))
    ok(shop(api_url, token, "POST", "orders", body), 201)
    # Then the cart is gone on every device
    assert ok(shop(api_url, token, "GET", "cart", job_id=job_id))["lines"] == []
    # And the schedule, when it fires, sends nothing and says why
    report = handler(payload_of(schedule), LocalLambdaContext("send_messages"))
    assert (report["outcome"], report["sent"]) == ("stale:cart_gone", 0)
    assert nudges() == []
    runs = runs_of(api_url, photographer, job_id, "cart-1d")
    assert (runs["runs"], runs["sent"], runs["last_outcome"]) == (1, 0, "stale:cart_gone")


def test_a_changed_or_emptied_cart_means_no_nudge_for_the_old_schedule(
    api_url, photographer, stage, selling
):
    job_id, photo = selling["job_id"], selling["photos"]
    token = registered_token(api_url, selling)
    ok(shop(api_url, token, "PUT", "cart", cart_body(job_id, (photo["A_1.jpg"], "dl", 1))))
    (old,) = cart_schedules(stage, job_id).values()
    # When the cart changes after that schedule was made
    time.sleep(1.1)
    ok(shop(api_url, token, "PUT", "cart", cart_body(job_id, (photo["A_1.jpg"], "dl", 2))))
    # Then a late fire of the old schedule sends nothing: the cart has its own, later one
    report = handler(payload_of(old), LocalLambdaContext("send_messages"))
    assert (report["outcome"], report["sent"]) == ("stale:subject_changed", 0)
    assert len(cart_schedules(stage, job_id)) == 1
    # When the parent empties the cart, nothing is left pending and nothing is sent
    emptied = ok(shop(api_url, token, "PUT", "cart", cart_body(job_id)))
    assert emptied["lines"] == [] and cart_schedules(stage, job_id) == {}
    assert nudges() == []


def test_an_anonymous_cart_is_kept_for_its_session_and_schedules_nothing(stage, api_url, selling):
    job_id, photo = selling["job_id"], selling["photos"]
    code = selling["subjects"]["Ben"]["access_code"]
    token = session(api_url, code)["token"]
    # When a parent who did not register fills the cart
    saved = ok(shop(api_url, token, "PUT", "cart", cart_body(job_id, (photo["B_1.jpg"], "p13", 3))))
    # Then it is kept for this session only, and nobody is to be reminded
    assert saved["saved_for"] == "session"
    assert ok(shop(api_url, token, "GET", "cart", job_id=job_id))["lines"] == saved["lines"]
    assert cart_schedules(stage, job_id) == {}
    elsewhere = session(api_url, code)["token"]
    assert ok(shop(api_url, elsewhere, "GET", "cart", job_id=job_id))["lines"] == []


def test_a_cart_holds_only_what_the_session_is_shown_and_sold(api_url, other_photographer, selling):
    job_id, photo = selling["job_id"], selling["photos"]
    token = session(api_url, selling["subjects"]["Anna"]["access_code"])["token"]

    def put(body: Any) -> Any:
        return shop(api_url, token, "PUT", "cart", body)

    # Another child's photo is not found; the error names the line
    answer = put(cart_body(job_id, (photo["A_1.jpg"], "p13", 1), (photo["B_1.jpg"], "p13", 1)))
    assert answer.status_code == 404 and answer.json()["fields"] == ["lines[1].photo_id"]
    # A product the price list lacks, a bad quantity, a bad body: 400 naming the field
    answer = put(cart_body(job_id, (photo["A_1.jpg"], "mug", 1)))
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["lines[0].product_id"]
    answer = put(cart_body(job_id, (photo["A_1.jpg"], "p13", 100)))
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["lines[0].quantity"]
    assert put("[]").status_code == 400
    # A job the session has no code for does not exist, reading or writing
    assert put(cart_body("JOBOFSOMEONEELSE")).status_code == 404
    assert shop(api_url, token, "GET", "cart", job_id="JOBOFSOMEONEELSE").status_code == 404
    answer = shop(api_url, token, "GET", "cart")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "job_id"
    # Without a valid session token nothing is read
    assert shop(api_url, "x.y.z", "GET", "cart", job_id=job_id).status_code == 401


def test_a_device_without_the_siblings_code_keeps_the_siblings_lines(api_url, stage, selling):
    job_id, photo, subjects = selling["job_id"], selling["photos"], selling["subjects"]
    # Given a laptop with both children's codes fills the registered parent's cart
    laptop = registered_token(api_url, selling)
    laptop = session(api_url, subjects["Ben"]["access_code"], token=laptop)["token"]
    body = cart_body(job_id, (photo["A_1.jpg"], "p13", 1), (photo["B_1.jpg"], "p13", 2))
    ok(shop(api_url, laptop, "PUT", "cart", body))
    # When a phone with Anna's code only changes Anna's lines
    phone = session(api_url, subjects["Anna"]["access_code"])["token"]
    ok(shop(api_url, phone, "PUT", "cart", cart_body(job_id, (photo["A_2.jpg"], "dl", 1))))
    # Then Ben's line, which the phone never showed, is still in the cart
    lines = ok(shop(api_url, laptop, "GET", "cart", job_id=job_id))["lines"]
    assert [(line["photo_id"], line["quantity"]) for line in lines] == [
        (photo["A_2.jpg"], 1),
        (photo["B_1.jpg"], 2),
    ]
    assert len(cart_schedules(stage, job_id)) == 1
