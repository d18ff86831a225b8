"""The parents' shop over HTTP against the local AWS endpoint: code login (siblings, other
studios, typos, brute force), registration, the gallery, ordering, vouchers and payments, and
the photographer's side of orders."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib import wiring
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.access_codes import code_key, new_access_code
from chalicelib.domain.login_throttle import WINDOW_SECONDS
from tests.integration.shop import (
    SITE,
    admin,
    import_names,
    login,
    make_job,
    ok,
    order_body,
    session,
    set_status,
    shop,
    typo,
)
from tests.integration.test_galleries_api import build
from tests.integration.test_pricing_api import PRODUCTS

pytestmark = pytest.mark.integration


# helpers -------------------------------------------------------------------------------------
def attempt_items(address: str) -> list[dict[str, Any]]:
    answer = client("dynamodb").query(
        TableName=get_settings().table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"THROTTLE#ADDR#{address}"}},
        ConsistentRead=True,
    )
    return list(answer["Items"])


def clear_of_window_edge(margin: float = 20.0) -> None:
    """Wait when a failed-login window is about to roll over, so a test's attempts share one."""
    into = time.time() % WINDOW_SECONDS
    if into > WINDOW_SECONDS - margin:
        time.sleep(WINDOW_SECONDS - into + 0.5)


# login ----------------------------------------------------------------------------------------
def test_a_code_opens_a_session_with_the_job_and_the_child(api_url, school):
    anna = school["subjects"]["Anna"]
    # When a parent types the code in lower case with spaces
    answer = login(api_url, anna["access_code"].lower().replace("-", " "))
    body = ok(answer)
    # Then the session names the child and the job, and only the site's origin may read it
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert body["token"].count(".") == 2 and body["expires_at"]
    assert body["subjects"] == [
        {
            "subject_id": anna["subject_id"],
            "job_id": school["job_id"],
            "first_name": "Anna",
            "last_name": "Adler",
            "class_name": "3b",
        }
    ]
    (job,) = body["jobs"]
    assert job["job_id"] == school["job_id"] and job["name"] == "St. Mary Primary School"
    assert (job["status"], job["open_for_orders"], job["closed_reason"]) == (
        "planning",
        False,
        "not_yet_available",
    )
    assert job["registration"] == "optional" and job["registered"] is False
    assert job["currency"] == "EUR" and job["archive_date"] and job["voucher_deadline"]
    # The preflight allows the site's request with a token
    preflight = requests.options(
        f"{api_url}/shop/gallery",
        headers={"Origin": SITE, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_a_siblings_code_joins_the_session_and_another_studios_code_does_not(
    api_url, photographer, other_photographer, school
):
    subjects = school["subjects"]
    first = session(api_url, subjects["Anna"]["access_code"])
    # Given a sibling in another job of the same studio
    other_job = make_job(api_url, photographer, school["profile_id"], name="St. Mary Kindergarten")
    dora = import_names(api_url, photographer, other_job, "First name,Last name,Class\nDora,A,k\n")
    # When both siblings' codes are added with the session's token
    second = session(api_url, subjects["Ben"]["access_code"], token=first["token"])
    third = session(api_url, dora["Dora"]["access_code"], token=second["token"])
    # Then each answer is a new token for one session holding all of them
    assert len({first["token"], second["token"], third["token"]}) == 3
    assert [s["first_name"] for s in third["subjects"]] == ["Anna", "Ben", "Dora"]
    assert [j["job_id"] for j in third["jobs"]] == [school["job_id"], other_job]
    # And a code of another studio is refused, naming why
    theirs_job = make_job(api_url, other_photographer, None)
    theirs = import_names(api_url, other_photographer, theirs_job)["Anna"]["access_code"]
    refused = login(api_url, theirs, token=third["token"])
    assert refused.status_code == 400 and refused.json()["error"] == "different_studio"
    # though on its own it opens its own session
    assert session(api_url, theirs)["jobs"][0]["job_id"] == theirs_job


def test_unknown_wrong_and_retired_codes_get_the_same_answer(api_url, photographer, school):
    # Given a job whose codes were retired when it was deleted
    gone = make_job(api_url, photographer, None)
    retired = import_names(api_url, photographer, gone)["Anna"]["access_code"]
    ok(admin(api_url, photographer, "DELETE", f"/api/jobs/{gone}"))
    answers = [
        login(api_url, code, address="198.18.0.2")
        for code in (new_access_code(), "ABCD2026", retired)  # unknown, imported form, retired
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["error"] == "unknown_code"


def test_a_typo_is_refused_by_the_check_character_before_any_lookup(api_url, school, monkeypatch):
    # Given a spy on the code lookup
    looked_up: list[str] = []
    codes = wiring.access_codes()
    real_find = codes.find
    monkeypatch.setattr(codes, "find", lambda key: looked_up.append(key) or real_find(key))
    code = school["subjects"]["Anna"]["access_code"]
    # When the code is typed with one wrong character
    answer = login(api_url, typo(code), address="198.18.0.3")
    # Then it is refused as invalid without being looked up, and the attempt counts
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_code"
    assert answer.json()["reason"] == "check_failed"
    assert looked_up == []
    assert [int(i["attempts"]["N"]) for i in attempt_items("198.18.0.3")] == [1]
    # while the right code is looked up once
    assert login(api_url, code, address="198.18.0.3").status_code == 200
    assert looked_up == [code_key(code)]


def test_the_eleventh_failure_is_refused_with_retry_after_until_the_window_ends(api_url, school):
    clear_of_window_edge()
    code = school["subjects"]["Anna"]["access_code"]
    address = "198.18.0.10"
    # Successful logins do not count
    for _ in range(3):
        assert login(api_url, code, address=address).status_code == 200
    # Ten failures are answered as such
    for _ in range(10):
        assert login(api_url, new_access_code(), address=address).status_code == 401
    # The eleventh attempt is refused, and so is the right code: a blocked client learns nothing
    for attempt in (new_access_code(), code):
        refused = login(api_url, attempt, address=address)
        assert refused.status_code == 429, refused.text
        retry_after = int(refused.headers["Retry-After"])
        assert 0 < retry_after <= WINDOW_SECONDS
        assert refused.json()["error"] == "too_many_attempts"
        assert refused.json()["retry_after"] == retry_after
        assert refused.headers["Access-Control-Allow-Origin"] == SITE
    # The counter holds exactly the failures and carries a TTL after the window
    (item,) = attempt_items(address)
    assert int(item["attempts"]["N"]) == 10
    expires = datetime.fromtimestamp(int(item["expires_at"]["N"]), UTC)
    assert datetime.now(UTC) + timedelta(seconds=retry_after) < expires
    assert expires < datetime.now(UTC) + timedelta(minutes=30)
    # Another address is not affected
    assert login(api_url, code, address="198.18.0.11").status_code == 200


def test_failures_with_a_session_count_against_its_job_from_any_address(api_url, school):
    clear_of_window_edge()
    subjects = school["subjects"]
    token = session(api_url, subjects["Anna"]["access_code"])["token"]
    # Wrong sibling codes tried with the session, from ten different addresses
    for n in range(10):
        answer = login(api_url, new_access_code(), token=token, address=f"198.18.1.{n}")
        assert answer.status_code == 401
    # Then the job's counter refuses the next attempt with the session, from a fresh address
    blocked = login(api_url, subjects["Ben"]["access_code"], token=token, address="198.18.2.1")
    assert blocked.status_code == 429
    # while a plain login (no session: the job is not known) still works
    assert login(api_url, subjects["Ben"]["access_code"], address="198.18.2.1").status_code == 200


def test_tampered_expired_or_foreign_tokens_are_refused(api_url, photographer, school):
    token = session(api_url, school["subjects"]["Anna"]["access_code"])["token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-2]}xx.{signature}"
    for bad in (tampered, photographer.token, "nonsense"):
        answer = shop(api_url, bad, "GET", "gallery")
        assert answer.status_code == 401, answer.text
    # A token signed with the right key whose session has run out is refused as expired
    tokens = wiring.session_tokens()
    live = tokens.verify(f"Bearer {token}")
    now = datetime.now(UTC)
    expired = tokens.issue(
        replace(live, issued_at=now - timedelta(hours=3), expires_at=now - timedelta(minutes=1))
    )
    for method, path in (("GET", "gallery"), ("POST", "orders")):
        answer = shop(api_url, expired, method, path, order_body(school["job_id"]))
        assert answer.status_code == 401, answer.text
        assert "expired" in answer.json()["message"]
    # while the same session's live token is let in (and told the job is still in planning)
    still = shop(api_url, token, "GET", "gallery")
    assert still.status_code == 403 and still.json()["error"] == "not_yet_available"
    # and a shop token opens no admin route
    answer = requests.get(
        f"{api_url}/api/jobs", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 401


# registration and gallery ---------------------------------------------------------------------
def test_required_registration_blocks_the_gallery_until_done(api_url, photographer, gallery):
    job_id = gallery["job_id"]
    ok(admin(api_url, photographer, "PATCH", f"/api/jobs/{job_id}", {"registration": "required"}))
    anna, ben = (gallery["subjects"][n] for n in ("Anna", "Ben"))
    token = session(api_url, anna["access_code"])["token"]
    token = session(api_url, ben["access_code"], token=token)["token"]
    # When the gallery is opened before registering
    blocked = shop(api_url, token, "GET", "gallery")
    assert blocked.status_code == 403 and blocked.json()["error"] == "registration_required"
    order = shop(api_url, token, "POST", "orders", order_body(job_id, ("X", "p13", 1)))
    assert order.status_code == 403 and order.json()["error"] == "registration_required"
    # Then a bad form names its fields
    bad = shop(
        api_url,
        token,
        "POST",
        "registration",
        {"job_id": job_id, "first_name": "Eva", "email": "eva@", "phone": "12x"},
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {
        "last_name",
        "email",
        "phone",
        "marketing_consent",
    }
    # and registering opens it
    form = {
        "job_id": job_id,
        "first_name": "Eva",
        "last_name": "Adler",
        "email": "Eva.Adler@Example.com",
        "phone": "0170 1234567",
        "marketing_consent": True,
    }
    registered = ok(shop(api_url, token, "POST", "registration", form), 201)
    assert registered["phone"] == "+491701234567"
    assert ok(shop(api_url, token, "GET", "gallery"))["subjects"]
    # The job's customers hold one customer for both children; registering again updates it
    ok(shop(api_url, token, "POST", "registration", {**form, "marketing_consent": False}), 201)
    (customer,) = wiring.customers().customers_of_job(job_id)
    assert customer.email == "Eva.Adler@example.com" and customer.marketing_consent is False
    assert set(customer.subject_ids) == {anna["subject_id"], ben["subject_id"]}
    # and a new login of either child finds the job registered
    assert session(api_url, ben["access_code"])["jobs"][0]["registered"] is True
    # Once the job stops taking registrations, the form is refused and nothing is stored
    ok(admin(api_url, photographer, "PATCH", f"/api/jobs/{job_id}", {"registration": "off"}))
    off = shop(api_url, token, "POST", "registration", {**form, "email": "new@example.com"})
    assert off.status_code == 409 and off.json()["error"] == "registration_off"
    assert [c.email for c in wiring.customers().customers_of_job(job_id)] == [customer.email]


def test_the_gallery_shows_own_and_group_photos_never_cards_or_other_children(api_url, gallery):
    photo = gallery["photos"]
    anna, ben = (gallery["subjects"][n] for n in ("Anna", "Ben"))
    token = session(api_url, anna["access_code"])["token"]
    answer = shop(api_url, token, "GET", "gallery")
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    (subject,) = ok(answer)["subjects"]
    assert (subject["subject_id"], subject["first_name"], subject["class_name"]) == (
        anna["subject_id"],
        "Anna",
        "3b",
    )
    shown = [(p["photo_id"], p["kind"]) for p in subject["photos"]]
    assert shown == [
        (photo["A_1.jpg"], "portrait"),
        (photo["A_2.jpg"], "portrait"),
        (photo["3b.jpg"], "group"),
    ]
    for item in subject["photos"]:
        assert item["width"] == 1200 and item["height"] == 800
        for url in (item["thumbnail_url"], item["preview_url"]):
            path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
            assert "/derived/" in path and "/originals/" not in path
            assert int(query["X-Amz-Expires"][0]) <= 15 * 60
    assert requests.get(subject["photos"][0]["preview_url"], timeout=10).status_code == 200
    # With the sibling's code, both galleries; Ben's card stays hidden
    token = session(api_url, ben["access_code"], token=token)["token"]
    both = ok(shop(api_url, token, "GET", "gallery"))["subjects"]
    assert [s["first_name"] for s in both] == ["Anna", "Ben"]
    listed = {p["photo_id"] for s in both for p in s["photos"]}
    assert photo["B_1.jpg"] in listed
    assert not listed & {photo["A_card.jpg"], photo["B_card.jpg"]}


def test_the_gallery_is_hidden_in_planning_and_once_archived(api_url, photographer, gallery):
    job_id = gallery["job_id"]
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]
    for status, reason in (("planning", "not_yet_available"), ("archived", "archived")):
        set_status(api_url, photographer, job_id, status)
        answer = shop(api_url, token, "GET", "gallery")
        assert answer.status_code == 403 and answer.json()["error"] == reason
        assert shop(api_url, token, "GET", "products", job_id=job_id).status_code == 403
        # a login still works and says why
        job = session(api_url, gallery["subjects"]["Anna"]["access_code"])["jobs"][0]
        assert job["closed_reason"] == reason and job["open_for_orders"] is False


def test_products_are_the_customer_view_of_the_jobs_price_list(api_url, gallery):
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]
    answer = shop(api_url, token, "GET", "products", job_id=gallery["job_id"])
    body = ok(answer)
    assert body["currency"] == "EUR"
    assert [(p["product_id"], p["price_minor"]) for p in body["products"]] == [
        (p["product_id"], p["price_minor"]) for p in PRODUCTS
    ]
    assert "LAB-1318" not in answer.text and "Primary schools 2026" not in answer.text
    assert shop(api_url, token, "GET", "products", job_id="NOT-MINE").status_code == 404


# orders ---------------------------------------------------------------------------------------
def test_an_order_is_priced_by_the_server_and_handled_by_the_photographer(
    api_url, photographer, other_photographer, gallery
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]
    # When the cart claims its own prices and totals
    body = order_body(job_id, (photo["A_1.jpg"], "family", 1), (photo["3b.jpg"], "p13", 2))
    body["lines"][0]["unit_price_minor"] = 1
    body["total_minor"] = 1
    answer = shop(api_url, token, "POST", "orders", body)
    placed = ok(answer, 201)
    # Then the price list decides
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert placed["status"] == "pending_payment" and placed["payment"] == {"method": "offline"}
    priced = [(x["name"], x["unit_price_minor"], x["total_minor"]) for x in placed["lines"]]
    assert priced == [
        ("Family set", 3900, 3900),
        ("Portrait", 1250, 2500),
    ]
    assert (placed["subtotal_minor"], placed["discount_minor"], placed["total_minor"]) == (
        6400,
        0,
        6400,
    )
    assert placed["currency"] == "EUR" and placed["internal_job_name"].startswith("stm-")
    order_id = placed["order_id"]
    assert ok(shop(api_url, token, "GET", f"orders/{order_id}")) == placed
    # Another session (even of the same child) does not see it
    other = session(api_url, gallery["subjects"]["Ben"]["access_code"])["token"]
    assert shop(api_url, other, "GET", f"orders/{order_id}").status_code == 404
    # The photographer lists it with what production needs, marks it paid, then fulfilled
    listed = ok(admin(api_url, photographer, "GET", f"/api/jobs/{job_id}/orders"))["items"]
    assert [o["order_id"] for o in listed] == [order_id]
    assert listed[0]["products"][1]["lab_code"] == "LAB-1318"
    assert listed[0]["products"][0]["components"][0]["quantity"] == 4
    pending = admin(api_url, photographer, "GET", f"/api/jobs/{job_id}/orders?status=paid")
    assert ok(pending)["items"] == []
    path = f"/api/jobs/{job_id}/orders/{order_id}"
    paid = ok(admin(api_url, photographer, "POST", f"{path}/paid"))
    assert paid["status"] == "paid" and paid["payment"]["paid_minor"] == 6400
    assert ok(admin(api_url, photographer, "POST", f"{path}/paid"))["status"] == "paid"  # again
    assert ok(shop(api_url, token, "GET", f"orders/{order_id}"))["status"] == "paid"
    by_status = ok(admin(api_url, photographer, "GET", f"/api/jobs/{job_id}/orders?status=paid"))
    assert [o["order_id"] for o in by_status["items"]] == [order_id]
    assert admin(api_url, photographer, "POST", f"{path}/cancel").status_code == 409
    done = ok(admin(api_url, photographer, "POST", f"{path}/fulfilled"))
    assert [h["status"] for h in done["history"]] == ["pending_payment", "paid", "fulfilled"]
    # Another studio sees none of it
    for method, suffix in (("GET", ""), ("POST", "/paid"), ("POST", "/cancel")):
        assert admin(api_url, other_photographer, method, f"{path}{suffix}").status_code == 404
    assert (
        admin(api_url, other_photographer, "GET", f"/api/jobs/{job_id}/orders").status_code == 404
    )


def test_an_order_holds_only_photos_the_session_is_shown(api_url, gallery):
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]
    for foreign in (photo["B_1.jpg"], photo["A_card.jpg"], "NOSUCHPHOTO1"):
        answer = shop(api_url, token, "POST", "orders", order_body(job_id, (foreign, "p13", 1)))
        assert answer.status_code == 404, answer.text
        assert answer.json()["fields"] == ["lines[0].photo_id"]
    other_job = shop(api_url, token, "POST", "orders", order_body("OTHERJOB", ("X", "p13", 1)))
    assert other_job.status_code == 404
    unknown = shop(
        api_url, token, "POST", "orders", order_body(job_id, (photo["A_1.jpg"], "mug", 1))
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == (
        "lines[0].product_id"
    )
    no_contact = order_body(job_id, (photo["A_1.jpg"], "p13", 1))
    no_contact["contact"] = {"name": "M"}
    assert shop(api_url, token, "POST", "orders", no_contact).json()["errors"] == [
        {"field": "contact.email", "reason": "is required"}
    ]


def test_orders_are_refused_while_the_job_is_not_open(api_url, photographer, gallery):
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]
    body = order_body(job_id, (photo["A_1.jpg"], "p13", 1))
    # archive date passed while selling, archived, planning
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    ok(
        admin(
            api_url,
            photographer,
            "PATCH",
            f"/api/jobs/{job_id}",
            {"archive_date": yesterday, "voucher_deadline": None},
        )
    )
    closures = (
        ("selling", "archived"),
        ("archived", "archived"),
        ("planning", "not_yet_available"),
    )
    for status, reason in closures:
        if status != "selling":
            set_status(api_url, photographer, job_id, status)
        answer = shop(api_url, token, "POST", "orders", body)
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"] == "not_open_for_orders"
        assert answer.json()["reason"] == reason
    # A prepay job whose deadline has passed: the photos stay visible, ordering is closed
    future = (date.today() + timedelta(days=30)).isoformat()
    ok(
        admin(
            api_url,
            photographer,
            "PATCH",
            f"/api/jobs/{job_id}",
            {"archive_date": future, "prepay": True, "prepay_deadline": yesterday},
        )
    )
    set_status(api_url, photographer, job_id, "prepay")
    assert shop(api_url, token, "GET", "gallery").status_code == 200
    closed = shop(api_url, token, "POST", "orders", body)
    assert closed.status_code == 409 and closed.json()["reason"] == "prepay_closed"
    assert ok(admin(api_url, photographer, "GET", f"/api/jobs/{job_id}/orders"))["items"] == []


def test_a_once_per_code_voucher_is_used_once_even_when_orders_race(
    api_url, photographer, gallery, monkeypatch
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    voucher = {"code": "EARLY10", "percent": 10, "once_per_access_code": True}
    ok(admin(api_url, photographer, "POST", f"/api/jobs/{job_id}/vouchers", voucher), 201)
    anna = gallery["subjects"]["Anna"]["access_code"]
    token = session(api_url, anna)["token"]
    body = order_body(job_id, (photo["A_1.jpg"], "p13", 2), voucher="early10")
    # The first order gets the discount
    first = ok(shop(api_url, token, "POST", "orders", body), 201)
    assert (first["discount_minor"], first["total_minor"]) == (250, 2250)
    # A second one with the same child's code is refused with the reason
    again = shop(api_url, token, "POST", "orders", body)
    assert again.status_code == 422
    assert again.json()["error"] == "voucher_refused"
    assert again.json()["reason"] == "already_used"
    # Even when the early check misses it (two orders at the same moment), the order's
    # transaction refuses the second claim, and no order is left half-written
    from chalicelib.adapters.dynamo.pricing_repository import VoucherRepository

    monkeypatch.setattr(VoucherRepository, "has_redeemed", lambda *args, **kwargs: False)
    raced = shop(api_url, token, "POST", "orders", body)
    assert raced.status_code == 422 and raced.json()["reason"] == "already_used"
    orders = ok(admin(api_url, photographer, "GET", f"/api/jobs/{job_id}/orders"))["items"]
    assert [o["order_id"] for o in orders] == [first["order_id"]]
    # Cancelling the first order gives the voucher back
    path = f"/api/jobs/{job_id}/orders/{first['order_id']}/cancel"
    assert ok(admin(api_url, photographer, "POST", path))["status"] == "cancelled"
    assert ok(shop(api_url, token, "POST", "orders", body), 201)["discount_minor"] == 250
    # and an unknown voucher is refused with its reason
    unknown = shop(api_url, token, "POST", "orders", {**body, "voucher": "NOPE-1"})
    assert unknown.status_code == 422 and unknown.json()["reason"] == "unknown"


def test_a_reported_payment_marks_the_order_paid_once(api_url, gallery):
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]
    order_id = ok(
        shop(api_url, token, "POST", "orders", order_body(job_id, (photo["A_2.jpg"], "dl", 1))),
        201,
    )["order_id"]
    service = wiring.order_service()
    from chalicelib.domain.orders import PaymentMismatch

    with pytest.raises(PaymentMismatch):
        service.record_payment(order_id, "stripe", "cs_1", 899, "EUR")
    assert service.record_payment(order_id, "stripe", "cs_1", 900, "EUR").status == "paid"
    again = service.record_payment(order_id, "stripe", "cs_1", 900, "EUR")  # redelivered
    assert again.status == "paid" and again.payment.provider_ref == "cs_1"
    with pytest.raises(PaymentMismatch):  # a second, different payment is not taken silently
        service.record_payment(order_id, "stripe", "cs_2", 900, "EUR")
    assert ok(shop(api_url, token, "GET", f"orders/{order_id}"))["status"] == "paid"


def test_a_token_from_before_a_rebuild_lists_the_rebuilt_galleries(
    api_url, photographer, stage, gallery
):
    # Given a session opened while the first build was published (its token names that run)
    photo = gallery["photos"]
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]
    before = ok(shop(api_url, token, "GET", "gallery"))["subjects"]
    # When the job is rebuilt, which publishes a new run and deletes the first one's results
    rebuilt = build(api_url, photographer, gallery["job_id"], stage)
    assert rebuilt["state"] == "done"
    # Then the same token lists the new run's gallery: the same photos, still no card
    (subject,) = ok(shop(api_url, token, "GET", "gallery"))["subjects"]
    assert [p["photo_id"] for p in subject["photos"]] == [
        photo["A_1.jpg"],
        photo["A_2.jpg"],
        photo["3b.jpg"],
    ]
    assert [p["photo_id"] for p in before[0]["photos"]] == [
        p["photo_id"] for p in subject["photos"]
    ]
