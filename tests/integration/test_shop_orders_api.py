"""The order side of the shop over HTTP against the local AWS endpoint: digital downloads of paid
orders, free orders, quotes, orders the photographer enters by access code, and the Stripe
webhook without a usable secret."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from chalicelib import wiring
from chalicelib.domain.access_codes import new_access_code
from chalicelib.domain.payments import PaymentStart
from tests.integration.shop import (
    admin,
    deliver,
    import_names,
    make_job,
    ok,
    order_body,
    session,
    token_of,
    typo,
)
from tests.integration.shop import shop as shop_call
from tests.stripe_fakes import event, paid_session, signature

pytestmark = pytest.mark.integration

# The shop's fixtures (conftest.py): a selling job with a built gallery (Anna: A_1, A_2 and the
# group photo 3b; Ben: B_1), its price list (p13 print, dl download, family package with a
# download).


def place(api_url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(shop_call(api_url, token, "POST", "orders", body), 201))


def mark(api_url: str, who: Any, job_id: str, order_id: str, action: str) -> dict[str, Any]:
    path = f"/api/jobs/{job_id}/orders/{order_id}/{action}"
    return dict(ok(admin(api_url, who, "POST", path)))


class RecordingProvider:
    """A hosted-checkout payment provider that keeps the orders it was asked to collect."""

    name = "stripe"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def start(self, order: Any) -> PaymentStart:
        self.asked.append(order.order_id)
        return PaymentStart("stripe", f"https://pay.example/{order.order_id}", "cs_recorded")


# downloads ------------------------------------------------------------------------------------
def test_a_paid_order_gives_its_buyer_short_lived_links_to_the_bought_originals_only(
    api_url, photographer, gallery
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = token_of(api_url, gallery)
    # Given an order of a print of A_1, the file of A_2 and a package (with a file) of 3b
    body = order_body(
        job_id,
        (photo["A_1.jpg"], "p13", 1),
        (photo["A_2.jpg"], "dl", 1),
        (photo["3b.jpg"], "family", 1),
    )
    order = place(api_url, token, body)
    assert order["has_downloads"] is True
    downloads = f"orders/{order['order_id']}/downloads"

    # While it is unpaid, there is nothing to download, and the answer says why
    unpaid = shop_call(api_url, token, "GET", downloads)
    assert unpaid.status_code == 409, unpaid.text
    assert unpaid.json()["error"] == "order_not_paid"
    assert unpaid.json()["status"] == "pending_payment"

    # When the photographer marks it paid
    mark(api_url, photographer, job_id, order["order_id"], "paid")

    # Then the buyer gets one link per original bought as a file: A_2 and 3b, never A_1
    found = ok(shop_call(api_url, token, "GET", downloads))
    assert [(f["photo_id"], f["file_name"]) for f in found["files"]] == [
        (photo["A_2.jpg"], "A_2.jpg"),
        (photo["3b.jpg"], "3b.jpg"),
    ]
    assert found["unavailable"] == [] and found["url_expires_in"] <= 900
    for file in found["files"]:
        url = urlsplit(file["url"])
        query = parse_qs(url.query)
        # signed (SigV4) and short-lived, pointing at the original, saved under its name
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Signature"]
        assert 0 < int(query["X-Amz-Expires"][0]) <= 900
        assert f"/originals/{photographer.studio_id}/{job_id}/" in unquote(url.path)
        assert unquote(url.path).endswith(f"/{file['photo_id']}/{file['file_name']}")
        disposition = query["response-content-disposition"][0]
        assert disposition.startswith(f'attachment; filename="{file["file_name"]}"')
        fetched = requests.get(file["url"], timeout=30)
        assert fetched.status_code == 200
        assert fetched.content[:2] == b"\xff\xd8"  # the JPEG itself
        assert fetched.headers["Content-Disposition"] == disposition

    # Another session (Ben's parent) sees no such order, paid or not
    ben = session(api_url, gallery["subjects"]["Ben"]["access_code"])["token"]
    foreign = shop_call(api_url, ben, "GET", downloads)
    assert foreign.status_code == 404 and foreign.json()["error"] == "not_found"
    assert shop_call(api_url, token, "GET", "orders/NOSUCHORDER/downloads").status_code == 404

    # A fulfilled order keeps its downloads
    mark(api_url, photographer, job_id, order["order_id"], "fulfilled")
    again = ok(shop_call(api_url, token, "GET", downloads))
    assert [f["photo_id"] for f in again["files"]] == [photo["A_2.jpg"], photo["3b.jpg"]]


def test_an_order_of_prints_or_a_cancelled_one_has_no_downloads(api_url, photographer, gallery):
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = token_of(api_url, gallery)
    # A paid order of prints only: nothing to download
    prints = place(api_url, token, order_body(job_id, (photo["A_1.jpg"], "p13", 2)))
    assert prints["has_downloads"] is False
    mark(api_url, photographer, job_id, prints["order_id"], "paid")
    found = ok(shop_call(api_url, token, "GET", f"orders/{prints['order_id']}/downloads"))
    assert found["files"] == [] and found["status"] == "paid"
    # A cancelled order of a file never opens its downloads
    files = place(api_url, token, order_body(job_id, (photo["A_2.jpg"], "dl", 1)))
    mark(api_url, photographer, job_id, files["order_id"], "cancel")
    refused = shop_call(api_url, token, "GET", f"orders/{files['order_id']}/downloads")
    assert refused.status_code == 409 and refused.json()["status"] == "cancelled"


# free orders ----------------------------------------------------------------------------------
def test_an_order_a_voucher_pays_in_full_is_paid_at_once_without_the_provider(
    api_url, photographer, gallery
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    voucher = {"code": "ALLFREE", "percent": 100}
    ok(admin(api_url, photographer, "POST", f"/api/jobs/{job_id}/vouchers", voucher), 201)
    provider = RecordingProvider()
    wiring.reset()
    wiring.override("payment_provider", provider)
    token = token_of(api_url, gallery)

    # When the parent orders a file with the voucher
    order = place(
        api_url, token, order_body(job_id, (photo["A_2.jpg"], "dl", 1), voucher="allfree")
    )

    # Then it costs nothing, is paid as placed, and the provider was never asked
    assert (order["subtotal_minor"], order["discount_minor"], order["total_minor"]) == (
        900,
        900,
        0,
    )
    assert order["status"] == "paid" and order["payment"] == {"method": "free"}
    assert provider.asked == []
    seen = ok(admin(api_url, photographer, "GET", f"/api/jobs/{job_id}/orders/{order['order_id']}"))
    assert [h["status"] for h in seen["history"]] == ["pending_payment", "paid"]
    assert seen["payment"]["paid_minor"] == 0 and seen["payment"]["recorded_by"] == "free"
    # and its file can be downloaded right away
    found = ok(shop_call(api_url, token, "GET", f"orders/{order['order_id']}/downloads"))
    assert [f["photo_id"] for f in found["files"]] == [photo["A_2.jpg"]]
    # An order that costs something still goes to the provider
    body = order_body(job_id, (photo["A_1.jpg"], "p13", 1))
    costly = place(api_url, token, body)
    assert costly["status"] == "pending_payment" and provider.asked == [costly["order_id"]]


# quotes ---------------------------------------------------------------------------------------
def test_a_quote_prices_the_cart_exactly_as_the_order_and_stores_nothing(
    api_url, photographer, gallery
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    voucher = {"code": "EARLY10", "percent": 10, "once_per_access_code": True}
    ok(admin(api_url, photographer, "POST", f"/api/jobs/{job_id}/vouchers", voucher), 201)
    token = token_of(api_url, gallery)
    body = order_body(
        job_id, (photo["A_1.jpg"], "family", 1), (photo["3b.jpg"], "p13", 2), voucher="early10"
    )
    body["lines"][0]["unit_price_minor"] = 1  # a client's prices are ignored here too
    body["total_minor"] = 1

    # When the cart asks for a quote (twice: a quote claims no once-per-code voucher)
    quote = ok(shop_call(api_url, token, "POST", "quote", body))
    assert ok(shop_call(api_url, token, "POST", "quote", body)) == quote

    # Then it has the server's prices with the voucher, and nothing was stored
    assert (quote["subtotal_minor"], quote["discount_minor"], quote["total_minor"]) == (
        6400,
        640,
        5760,
    )
    assert quote["voucher"] == "EARLY10" and quote["currency"] == "EUR"
    assert ok(admin(api_url, photographer, "GET", f"/api/jobs/{job_id}/orders"))["items"] == []
    # And the order placed with the same cart costs exactly that
    order = place(api_url, token, body)
    for key in ("lines", "subtotal_minor", "discount_minor", "total_minor", "currency", "voucher"):
        assert order[key] == quote[key], key
    # Now the voucher is used: the quote says so, with the reason
    used = shop_call(api_url, token, "POST", "quote", body)
    assert used.status_code == 422 and used.json()["reason"] == "already_used"


def test_a_quote_refuses_what_an_order_would_refuse(api_url, gallery):
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = token_of(api_url, gallery)
    cart = {"job_id": job_id, "lines": [{"photo_id": photo["A_1.jpg"], "product_id": "p13"}]}
    unknown = shop_call(api_url, token, "POST", "quote", {**cart, "voucher": "NOPE-1"})
    assert unknown.status_code == 422 and unknown.json()["reason"] == "unknown"
    foreign = {"job_id": job_id, "lines": [{"photo_id": photo["B_1.jpg"], "product_id": "p13"}]}
    answer = shop_call(api_url, token, "POST", "quote", foreign)
    assert answer.status_code == 404 and answer.json()["fields"] == ["lines[0].photo_id"]
    assert shop_call(api_url, token, "POST", "quote", {"job_id": job_id}).json()["errors"] == [
        {"field": "lines", "reason": "is required"}
    ]
    other_job = shop_call(api_url, token, "POST", "quote", {**cart, "job_id": "OTHERJOB"})
    assert other_job.status_code == 404
    assert shop_call(api_url, "not-a-token", "POST", "quote", cart).status_code == 401


# orders the photographer enters ---------------------------------------------------------------
def test_the_photographer_enters_a_paper_order_by_access_code(
    api_url, photographer, other_photographer, gallery
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    anna = gallery["subjects"]["Anna"]["access_code"]
    path = f"/api/jobs/{job_id}/orders"
    lines = [
        {"photo_id": photo["A_1.jpg"], "product_id": "p13", "quantity": 2, "unit_price_minor": 1},
        {"photo_id": photo["3b.jpg"], "product_id": "dl"},
    ]
    contact = {"name": "Mrs Adler", "email": "adler@example.com", "phone": "030 1234567"}

    # When the photographer types in a phone order with Anna's code (lower case, no dashes)
    code = anna.replace("-", "").lower()
    body = {"access_code": code, "lines": lines, "contact": contact}
    entered = ok(admin(api_url, photographer, "POST", path, body), 201)

    # Then it is priced from the price list, waits for an offline payment, and says who entered it
    assert [(x["unit_price_minor"], x["total_minor"]) for x in entered["lines"]] == [
        (1250, 2500),
        (900, 900),
    ]
    assert entered["total_minor"] == 3400 and entered["status"] == "pending_payment"
    assert entered["payment"]["method"] == "offline"
    assert entered["subject_ids"] == [gallery["subjects"]["Anna"]["subject_id"]]
    assert entered["contact"]["phone"] == "+49301234567"
    assert entered["history"][0]["by"] == photographer.email
    listed = ok(admin(api_url, photographer, "GET", path))["items"]
    assert [o["order_id"] for o in listed] == [entered["order_id"]]
    # and no shop session can read it
    token = token_of(api_url, gallery)
    assert shop_call(api_url, token, "GET", f"orders/{entered['order_id']}").status_code == 404

    # A paper order that came with the money is paid at once, recorded as the photographer
    paid = ok(admin(api_url, photographer, "POST", path, {**body, "paid": True}), 201)
    assert paid["status"] == "paid" and paid["payment"]["method"] == "offline"
    assert paid["payment"]["recorded_by"] == photographer.email
    assert paid["payment"]["paid_minor"] == 3400


def test_an_entered_order_holds_only_the_codes_gallery_of_this_job(
    api_url, photographer, other_photographer, gallery
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    anna = gallery["subjects"]["Anna"]["access_code"]
    path = f"/api/jobs/{job_id}/orders"
    contact = {"name": "Mrs Adler", "email": "adler@example.com"}

    def enter(who: Any, code: str, photo_id: str, at: str = path) -> requests.Response:
        line = {"photo_id": photo_id, "product_id": "p13"}
        return admin(
            api_url, who, "POST", at, {"access_code": code, "lines": [line], "contact": contact}
        )

    # Ben's photo is not in Anna's gallery
    foreign = enter(photographer, anna, photo["B_1.jpg"])
    assert foreign.status_code == 404 and foreign.json()["fields"] == ["lines[0].photo_id"]
    # An unknown code is named in the answer
    unknown_code = new_access_code()
    unknown = enter(photographer, unknown_code, photo["A_1.jpg"])
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["code"] == unknown_code and unknown_code in unknown.json()["message"]
    # A typo is caught by the check character
    mistyped = enter(photographer, typo(anna), photo["A_1.jpg"])
    assert mistyped.status_code == 400 and mistyped.json()["errors"][0]["field"] == "access_code"
    # A code of another job of the same studio does not open this one
    other_job = make_job(api_url, photographer, gallery["profile_id"])
    carl = import_names(api_url, photographer, other_job)
    wrong_job = enter(photographer, carl["Carl"]["access_code"], photo["A_1.jpg"])
    assert wrong_job.status_code == 404 and "another job" in wrong_job.json()["message"]
    # and Anna's code does not open the other job
    into_other = enter(photographer, anna, photo["A_1.jpg"], f"/api/jobs/{other_job}/orders")
    assert into_other.status_code == 404
    # Another studio cannot enter orders into this job, nor with this job's codes
    assert enter(other_photographer, anna, photo["A_1.jpg"]).status_code == 404
    theirs = make_job(api_url, other_photographer, None)
    assert enter(other_photographer, anna, photo["A_1.jpg"], f"/api/jobs/{theirs}/orders").json()[
        "error"
    ] == ("not_found")
    # Missing fields are named
    missing = admin(api_url, photographer, "POST", path, {"lines": []})
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} >= {"access_code", "contact", "lines"}
    # Nothing was stored
    assert ok(admin(api_url, photographer, "GET", path))["items"] == []


def test_an_entered_order_applies_a_voucher_and_is_free_when_it_covers_all(
    api_url, photographer, gallery
):
    job_id, photo = gallery["job_id"], gallery["photos"]
    ok(
        admin(
            api_url,
            photographer,
            "POST",
            f"/api/jobs/{job_id}/vouchers",
            {"code": "GIFT", "percent": 100, "once_per_access_code": True},
        ),
        201,
    )
    body = {
        "access_code": gallery["subjects"]["Ben"]["access_code"],
        "lines": [{"photo_id": photo["B_1.jpg"], "product_id": "dl"}],
        "contact": {"name": "Mr Braun", "email": "braun@example.com"},
        "voucher_code": "gift",
    }
    path = f"/api/jobs/{job_id}/orders"
    free = ok(admin(api_url, photographer, "POST", path, body), 201)
    assert free["total_minor"] == 0 and free["status"] == "paid"
    assert free["payment"]["method"] == "free" and free["voucher"]["code"] == "GIFT"
    # the once-per-code voucher is now used by Ben's code, in the shop too
    again = admin(api_url, photographer, "POST", path, body)
    assert again.status_code == 422 and again.json()["reason"] == "already_used"


# the Stripe webhook without a usable secret ---------------------------------------------------
@pytest.fixture()
def placeholder_secret(stage: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The Stripe secret as the template deploys it, before an operator fills it in."""
    from chalicelib.adapters.aws import client
    from chalicelib.config import get_settings

    arn = client("secretsmanager").create_secret(
        Name="photojobs/local/stripe-empty",
        SecretString=json.dumps({"secret_key": "", "webhook_secret": ""}),
    )["ARN"]
    monkeypatch.setenv("PHOTOJOBS_STRIPE_SECRET_ARN", arn)
    get_settings.cache_clear()
    wiring.reset()
    yield arn
    get_settings.cache_clear()
    wiring.reset()


def test_the_webhook_with_an_empty_signing_secret_answers_503_not_500(
    api_url: str, placeholder_secret: str
) -> None:
    payload = event(paid_session("ORD1", "JOB1", 3060))

    answer = deliver(api_url, payload, signature(payload))

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "payments_not_configured"
    assert "webhook_secret" in answer.json()["message"]
    assert placeholder_secret not in answer.text


def test_the_webhook_with_a_missing_secret_answers_503(
    api_url: str, stage: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import get_settings

    monkeypatch.setenv("PHOTOJOBS_STRIPE_SECRET_ARN", "photojobs/local/no-such-secret")
    get_settings.cache_clear()
    wiring.reset()
    payload = event(paid_session("ORD1", "JOB1", 3060))

    answer = deliver(api_url, payload, signature(payload))

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "payments_not_configured"
    get_settings.cache_clear()


# CLI ------------------------------------------------------------------------------------------
def test_cli_enters_lists_and_marks_orders(
    api_url, photographer, gallery, tmp_path, monkeypatch, capsys
):
    from chalicelib.cli.main import main

    monkeypatch.setenv("PHOTOJOBS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PHOTOJOBS_PASSWORD", photographer.password)
    assert main(["--api", api_url, "login", "--email", photographer.email]) == 0

    def cli(*argv: str) -> int:
        return main(["--api", api_url, *argv])

    job_id, photo = gallery["job_id"], gallery["photos"]
    anna = gallery["subjects"]["Anna"]["access_code"]
    capsys.readouterr()
    # When the photographer enters a paper order with two lines, paid in cash
    entered = cli(
        "orders", "enter", job_id, "--code", anna,
        "--line", f"{photo['A_1.jpg']}:p13:2", "--line", f"{photo['3b.jpg']}:dl",
        "--name", "Mrs Adler", "--email", "adler@example.com", "--paid", "--json",
    )  # fmt: skip
    assert entered == 0
    order = json.loads(capsys.readouterr().out)
    assert order["status"] == "paid" and order["total_minor"] == 3400
    # Then it is listed and shown with its lines and who recorded the payment
    assert cli("orders", "list", job_id) == 0
    listed = capsys.readouterr().out
    assert order["order_id"] in listed and "34.00 EUR" in listed and "Mrs Adler" in listed
    assert cli("orders", "show", job_id, order["order_id"]) == 0
    shown = capsys.readouterr().out
    assert "2 x Portrait 13x18" in shown and f"by {photographer.email}" in shown
    assert cli("orders", "fulfilled", job_id, order["order_id"]) == 0
    assert "is fulfilled" in capsys.readouterr().out
    assert cli("orders", "list", job_id, "--status", "pending_payment") == 0
    assert "(no orders)" in capsys.readouterr().out
    # A code of no child is refused, naming it
    unknown = new_access_code()
    assert cli(
        "orders", "enter", job_id, "--code", unknown, "--line", f"{photo['A_1.jpg']}:p13",
        "--name", "X", "--email", "x@example.com",
    ) == 1  # fmt: skip
    assert unknown in capsys.readouterr().err
