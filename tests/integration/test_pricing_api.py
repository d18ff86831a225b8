"""Price profiles, vouchers and quotes over HTTP against the local AWS endpoint (and the CLI)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.integration

PRODUCTS: list[dict[str, Any]] = [
    {"product_id": "p13", "kind": "print", "name": "Portrait", "size": "13x18", "price_minor": 1250,
     "lab_code": "LAB-1318"},
    {"product_id": "dl", "kind": "download", "name": "Digital file", "price_minor": 900},
    {"product_id": "family", "kind": "package", "name": "Family set", "price_minor": 3900,
     "items": [{"product_id": "p13", "quantity": 4}, {"product_id": "dl"}]},
]  # fmt: skip


def call(api_url: str, who: Any, method: str, path: str, body: Any = None, **params: Any):
    return requests.request(
        method, api_url + path, json=body, params=params or None, headers=who.headers, timeout=10
    )


def make_profile(api_url: str, who: Any, **overrides: Any) -> dict[str, Any]:
    body = {"name": "Primary schools 2026", "currency": "EUR", "products": PRODUCTS, **overrides}
    answer = call(api_url, who, "POST", "/api/price-profiles", body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def make_job(api_url: str, who: Any, **settings: Any) -> str:
    body = {
        "name": "St. Mary Primary School",
        "shooting_date": "2026-09-14",
        "job_type": "primary school",
        **settings,
    }
    answer = call(api_url, who, "POST", "/api/jobs", body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["job_id"])


def fields(answer: requests.Response) -> dict[str, str]:
    assert answer.status_code == 400, answer.text
    return {e["field"]: e["reason"] for e in answer.json()["errors"]}


def cart(*specs: tuple[str, int], **extra: Any) -> dict[str, Any]:
    lines = [
        {"photo_id": f"PH{i}", "product_id": product, "quantity": qty}
        for i, (product, qty) in enumerate(specs)
    ]
    return {"lines": lines, **extra}


# Price profiles ---------------------------------------------------------------------------------
def test_price_profile_crud_and_copy(api_url, photographer):
    # Given a new profile
    profile = make_profile(api_url, photographer)
    path = f"/api/price-profiles/{profile['profile_id']}"
    assert profile["currency"] == "EUR" and profile["currency_exponent"] == 2
    assert [p["product_id"] for p in profile["products"]] == ["p13", "dl", "family"]
    assert profile["products"][2]["items"] == [
        {"product_id": "p13", "quantity": 4},
        {"product_id": "dl", "quantity": 1},
    ]
    # When it is read, listed and changed (products replace the list; ids derive from names)
    assert call(api_url, photographer, "GET", path).json() == profile
    listed = call(api_url, photographer, "GET", "/api/price-profiles").json()["items"]
    assert [p["profile_id"] for p in listed] == [profile["profile_id"]]
    changed = call(
        api_url,
        photographer,
        "PATCH",
        path,
        {"name": "Kindergartens", "products": [{"kind": "download", "name": "All photos",
                                                "price_minor": 2900}]},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Kindergartens"
    assert [p["product_id"] for p in changed.json()["products"]] == ["all-photos"]
    # and copied
    copy = call(api_url, photographer, "POST", path + "/copy", {})
    assert copy.status_code == 201
    assert copy.json()["name"] == "Kindergartens (copy)"
    assert copy.json()["profile_id"] != profile["profile_id"]
    assert copy.json()["products"] == changed.json()["products"]
    named = call(api_url, photographer, "POST", path + "/copy", {"name": "Sports clubs"}).json()
    assert named["name"] == "Sports clubs"
    assert len(call(api_url, photographer, "GET", "/api/price-profiles").json()["items"]) == 3
    # Then deleting an unused profile makes it unknown
    assert call(api_url, photographer, "DELETE", path).status_code == 200
    assert call(api_url, photographer, "GET", path).status_code == 404


def test_customer_view_hides_the_profile_name_and_lab_codes(api_url, photographer):
    profile = make_profile(api_url, photographer)
    answer = call(
        api_url, photographer, "GET", f"/api/price-profiles/{profile['profile_id']}/customer-view"
    )
    assert answer.status_code == 200
    assert "Primary schools 2026" not in answer.text and "LAB-1318" not in answer.text
    assert [p["price_minor"] for p in answer.json()["products"]] == [1250, 900, 3900]


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"currency": "EUR"}, "name", "is required"),
        ({"name": "P"}, "currency", "is required"),
        ({"name": "P", "currency": "EURO"}, "currency", "must be an ISO 4217 currency code"),
        ({"name": "P", "currency": "EUR", "colour": 1}, "colour", "unknown field"),
        (
            {"name": "P", "currency": "EUR", "products": [{"kind": "print", "name": "A",
                                                           "price_minor": 100}]},
            "products[0].size",
            "is required for a print",
        ),
        (
            {"name": "P", "currency": "EUR", "products": [{"kind": "download", "name": "A",
                                                           "price_minor": 9.99}]},
            "products[0].price_minor",
            "must be an integer",
        ),
        (
            {"name": "P", "currency": "EUR", "products": [
                {"kind": "package", "name": "A", "price_minor": 1,
                 "items": [{"product_id": "ghost"}]}]},
            "products[0].items[0].product_id",
            "must be the product_id of a print or download",
        ),
    ],
)  # fmt: skip
def test_bad_price_profiles_name_the_field(api_url, photographer, body, field, reason):
    problems = fields(call(api_url, photographer, "POST", "/api/price-profiles", body))
    assert problems[field].startswith(reason), problems


def test_deleting_a_profile_that_jobs_use_is_409_naming_the_jobs(api_url, photographer):
    # Given a profile used by two jobs (one of them got it from the job-type defaults)
    profile_id = make_profile(api_url, photographer)["profile_id"]
    first = make_job(api_url, photographer, internal_name="a", price_profile_id=profile_id)
    second = make_job(api_url, photographer, internal_name="b")
    make_job(api_url, photographer, internal_name="c", job_type="prom")  # uses none
    path = f"/api/price-profiles/{profile_id}"
    # When it is deleted
    answer = call(api_url, photographer, "DELETE", path)
    # Then the answer names the jobs, and the profile stays
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["error"] == "price_profile_in_use"
    assert body["job_count"] == 2
    assert {j["job_id"] for j in body["jobs"]} == {first, second}
    assert {j["internal_name"] for j in body["jobs"]} == {"a", "b"}
    assert call(api_url, photographer, "GET", path).status_code == 200
    # and once the jobs use another profile, it can go
    other = make_profile(api_url, photographer, name="Other")["profile_id"]
    for job_id in (first, second):
        patch = call(
            api_url, photographer, "PATCH", f"/api/jobs/{job_id}", {"price_profile_id": other}
        )
        assert patch.status_code == 200
    assert call(api_url, photographer, "DELETE", path).status_code == 200


def test_a_job_can_only_use_a_price_profile_of_its_studio(
    api_url, photographer, other_photographer
):
    theirs = make_profile(api_url, other_photographer)["profile_id"]
    body = {"name": "X", "shooting_date": "2026-09-14", "job_type": "t", "price_profile_id": theirs}
    problems = fields(call(api_url, photographer, "POST", "/api/jobs", body))
    assert problems == {"price_profile_id": "no such price profile in this studio"}
    job_id = make_job(api_url, photographer)
    patch = call(
        api_url, photographer, "PATCH", f"/api/jobs/{job_id}", {"price_profile_id": "NOPE"}
    )
    assert fields(patch) == {"price_profile_id": "no such price profile in this studio"}
    # null removes the profile
    cleared = call(
        api_url, photographer, "PATCH", f"/api/jobs/{job_id}", {"price_profile_id": None}
    )
    assert cleared.status_code == 200 and cleared.json()["price_profile_id"] is None


def test_another_studios_profiles_vouchers_and_jobs_are_not_found(
    api_url, photographer, other_photographer
):
    profile_id = make_profile(api_url, photographer)["profile_id"]
    job_id = make_job(api_url, photographer, price_profile_id=profile_id)
    assert call(api_url, photographer, "POST", "/api/vouchers", {"code": "ALL10", "percent": 10})
    assert call(
        api_url,
        photographer,
        "POST",
        f"/api/jobs/{job_id}/vouchers",
        {"code": "JOB5", "percent": 5},
    )
    profile = f"/api/price-profiles/{profile_id}"
    for method, path, body in [
        ("GET", profile, None),
        ("PATCH", profile, {"name": "Mine now"}),
        ("DELETE", profile, None),
        ("POST", profile + "/copy", {}),
        ("GET", profile + "/customer-view", None),
        ("GET", "/api/vouchers/ALL10", None),
        ("PATCH", "/api/vouchers/ALL10", {"percent": 90}),
        ("DELETE", "/api/vouchers/ALL10", None),
        ("GET", f"/api/jobs/{job_id}/vouchers", None),
        ("POST", f"/api/jobs/{job_id}/vouchers", {"code": "MINE", "percent": 50}),
        ("GET", f"/api/jobs/{job_id}/vouchers/JOB5", None),
        ("DELETE", f"/api/jobs/{job_id}/vouchers/JOB5", None),
        ("POST", f"/api/jobs/{job_id}/quote", cart(("p13", 1))),
    ]:
        answer = call(api_url, other_photographer, method, path, body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert "Primary schools" not in answer.text
    assert call(api_url, other_photographer, "GET", "/api/price-profiles").json()["items"] == []
    assert call(api_url, other_photographer, "GET", "/api/vouchers").json()["items"] == []
    # the other studio may use the same code for its own voucher
    mine = call(
        api_url, other_photographer, "POST", "/api/vouchers", {"code": "all10", "percent": 1}
    )
    assert mine.status_code == 201
    # and the owner's things are untouched
    assert call(api_url, photographer, "GET", profile).json()["name"] == "Primary schools 2026"
    assert call(api_url, photographer, "GET", "/api/vouchers/ALL10").json()["percent"] == 10


# Vouchers ---------------------------------------------------------------------------------------
def test_voucher_crud_in_both_scopes(api_url, photographer):
    profile_id = make_profile(api_url, photographer)["profile_id"]
    job_id = make_job(
        api_url, photographer, price_profile_id=profile_id, voucher_deadline="2026-10-01"
    )
    # a studio voucher: codes are case-insensitive
    created = call(
        api_url,
        photographer,
        "POST",
        "/api/vouchers",
        {"code": "spring-5", "amount_minor": 500, "currency": "eur", "min_order_minor": 2000},
    )
    assert created.status_code == 201, created.text
    studio = created.json()
    assert (studio["code"], studio["scope"], studio["currency"]) == ("SPRING-5", "studio", "EUR")
    assert studio["expires_on"] is None
    assert call(api_url, photographer, "GET", "/api/vouchers/Spring-5").json() == studio
    # a job voucher follows the job's voucher deadline, and takes the price list's currency
    job_voucher = call(
        api_url,
        photographer,
        "POST",
        f"/api/jobs/{job_id}/vouchers",
        {"code": "EARLY", "amount_minor": 300, "once_per_access_code": True},
    ).json()
    assert job_voucher["scope"] == "job" and job_voucher["job_id"] == job_id
    assert job_voucher["currency"] == "EUR"
    assert job_voucher["valid_until"] is None and job_voucher["follows_voucher_deadline"] is True
    assert job_voucher["expires_on"] == "2026-10-01"
    # changing a percent for an amount, and setting an own date
    patched = call(
        api_url,
        photographer,
        "PATCH",
        f"/api/jobs/{job_id}/vouchers/early",
        {"percent": 15, "valid_until": "2026-09-20"},
    ).json()
    assert (patched["percent"], patched["amount_minor"], patched["currency"]) == (15, None, None)
    assert patched["expires_on"] == "2026-09-20" and patched["follows_voucher_deadline"] is False
    # listings are per scope
    listed = call(api_url, photographer, "GET", "/api/vouchers").json()["items"]
    assert [v["code"] for v in listed] == ["SPRING-5"]
    listed = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/vouchers").json()["items"]
    assert [v["code"] for v in listed] == ["EARLY"]
    # a code is unique in the studio, across scopes
    for path in ("/api/vouchers", f"/api/jobs/{job_id}/vouchers"):
        taken = call(api_url, photographer, "POST", path, {"code": "early", "percent": 1})
        assert taken.status_code == 409
        assert taken.json()["error"] == "voucher_code_taken"
    # deleting frees the code
    assert (
        call(api_url, photographer, "DELETE", f"/api/jobs/{job_id}/vouchers/EARLY").status_code
        == 200
    )
    assert (
        call(api_url, photographer, "GET", f"/api/jobs/{job_id}/vouchers/EARLY").status_code == 404
    )
    again = call(api_url, photographer, "POST", "/api/vouchers", {"code": "EARLY", "percent": 1})
    assert again.status_code == 201
    assert call(api_url, photographer, "GET", "/api/vouchers/x").status_code == 404


def test_deleting_a_job_deletes_its_vouchers_and_frees_their_codes(api_url, photographer):
    job_id = make_job(api_url, photographer)
    body = {"code": "GONE", "percent": 10}
    assert (
        call(api_url, photographer, "POST", f"/api/jobs/{job_id}/vouchers", body).status_code == 201
    )
    assert call(api_url, photographer, "DELETE", f"/api/jobs/{job_id}").status_code == 200
    assert call(api_url, photographer, "POST", "/api/vouchers", body).status_code == 201


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"percent": 10}, "code", "is required"),
        ({"code": "a b", "percent": 10}, "code", "must be 3 to 32 letters"),
        ({"code": "X10"}, "percent", "give a percent or an amount_minor"),
        ({"code": "X10", "percent": 150}, "percent", "must be between 1 and 100"),
        ({"code": "X10", "amount_minor": 100}, "currency", "is required with amount_minor"),
        (
            {"code": "X10", "amount_minor": 1.5, "currency": "EUR"},
            "amount_minor",
            "must be an integer",
        ),
        ({"code": "X10", "percent": 5, "valid_until": "soon"}, "valid_until", "must be a date"),
        ({"code": "X10", "percent": 5, "scope": "job"}, "scope", "unknown field"),
    ],
)
def test_bad_vouchers_name_the_field(api_url, photographer, body, field, reason):
    problems = fields(call(api_url, photographer, "POST", "/api/vouchers", body))
    assert problems[field].startswith(reason), problems


def test_job_voucher_amount_must_be_in_the_price_list_currency(api_url, photographer):
    profile_id = make_profile(api_url, photographer, currency="CHF")["profile_id"]
    job_id = make_job(api_url, photographer, price_profile_id=profile_id)
    body = {"code": "FIVE", "amount_minor": 500, "currency": "EUR"}
    problems = fields(call(api_url, photographer, "POST", f"/api/jobs/{job_id}/vouchers", body))
    assert problems == {"currency": "must be the currency of the job's price list (CHF)"}


# Quotes -----------------------------------------------------------------------------------------
def test_quote_prices_from_the_profile_and_applies_a_voucher(api_url, photographer):
    profile_id = make_profile(api_url, photographer)["profile_id"]
    job_id = make_job(
        api_url, photographer, price_profile_id=profile_id, voucher_deadline="2099-01-31"
    )
    call(
        api_url,
        photographer,
        "POST",
        f"/api/jobs/{job_id}/vouchers",
        {"code": "EARLY", "percent": 15},
    )
    # client prices are ignored
    body = cart(("p13", 1), ("family", 1), voucher="early", total_minor=1, subtotal_minor=1)
    body["lines"][0]["unit_price_minor"] = 1
    answer = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/quote", body)
    assert answer.status_code == 200, answer.text
    order = answer.json()
    assert [(line["unit_price_minor"], line["line_total_minor"]) for line in order["lines"]] == [
        (1250, 1250),
        (3900, 3900),
    ]
    # 15 % of 5150 = 772.5 -> 773
    assert (order["subtotal_minor"], order["discount_minor"], order["total_minor"]) == (
        5150,
        773,
        4377,
    )
    assert order["currency"] == "EUR" and order["currency_exponent"] == 2
    assert order["voucher"]["code"] == "EARLY" and order["voucher"]["scope"] == "job"
    assert [c["product_id"] for c in order["lines"][1]["components"]] == ["p13", "dl"]
    # without a voucher; a fixed studio voucher never goes below zero
    plain = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/quote", cart(("dl", 2))).json()
    assert (plain["total_minor"], plain["voucher"]) == (1800, None)
    call(api_url, photographer, "POST", "/api/vouchers",
         {"code": "HUGE", "amount_minor": 99_999, "currency": "EUR"})  # fmt: skip
    free = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/quote", cart(("dl", 1), voucher="HUGE")
    ).json()
    assert (free["subtotal_minor"], free["discount_minor"], free["total_minor"]) == (900, 900, 0)


def test_refused_vouchers_are_422_with_the_reason(api_url, photographer):
    from chalicelib import wiring
    from chalicelib.adapters.dynamo.pricing_repository import VoucherRepository
    from chalicelib.domain.principal import utc_now

    profile_id = make_profile(api_url, photographer)["profile_id"]
    job_id = make_job(
        api_url,
        photographer,
        price_profile_id=profile_id,
        shooting_date="2020-01-01",
        voucher_deadline="2020-02-01",
    )
    other_job = make_job(api_url, photographer, internal_name="other")
    vouchers = f"/api/jobs/{job_id}/vouchers"
    call(api_url, photographer, "POST", vouchers, {"code": "LATE", "percent": 10})
    call(
        api_url,
        photographer,
        "POST",
        vouchers,
        {"code": "ONCE", "percent": 10, "valid_until": "2099-01-01", "once_per_access_code": True},
    )
    call(
        api_url,
        photographer,
        "POST",
        "/api/vouchers",
        {"code": "BIG-ORDER", "percent": 10, "min_order_minor": 5000},
    )
    call(api_url, photographer, "POST", f"/api/jobs/{other_job}/vouchers",
         {"code": "ELSEWHERE", "percent": 10})  # fmt: skip
    wiring.pricing_service()  # binds the table for the repository below
    repository = VoucherRepository()
    once = repository.get(photographer.studio_id, "ONCE", job_id=job_id)
    repository.redeem(once, access_code_key="FAMILY01", job_id=job_id, now=utc_now())

    def quote(**extra: Any) -> requests.Response:
        return call(
            api_url, photographer, "POST", f"/api/jobs/{job_id}/quote", cart(("p13", 1), **extra)
        )

    for extra, reason in [
        ({"voucher": "NOPE"}, "unknown"),
        ({"voucher": "ELSEWHERE"}, "unknown"),  # another job's code does not exist here
        ({"voucher": "LATE"}, "expired"),
        ({"voucher": "BIG-ORDER"}, "below_minimum"),
        ({"voucher": "ONCE", "access_code": "family-01"}, "already_used"),
    ]:
        answer = quote(**extra)
        assert answer.status_code == 422, (extra, answer.text)
        assert answer.json()["error"] == "voucher_refused"
        assert answer.json()["reason"] == reason, answer.json()
    assert quote(voucher="LATE").json()["valid_until"] == "2020-02-01"
    assert quote(voucher="BIG-ORDER").json()["min_order_minor"] == 5000
    # the same once-per-code voucher still works for another code
    assert quote(voucher="ONCE", access_code="FAMILY02").status_code == 200
    assert quote(voucher="ONCE").status_code == 200  # the preview without a code


def test_quote_validation_and_a_job_without_price_profile(api_url, photographer):
    profile_id = make_profile(api_url, photographer)["profile_id"]
    job_id = make_job(api_url, photographer, price_profile_id=profile_id)
    path = f"/api/jobs/{job_id}/quote"
    problems = fields(call(api_url, photographer, "POST", path, cart(("p13", 1), ("poster", 2))))
    assert problems == {"lines[1].product_id": "no product 'poster' in the job's price list"}
    problems = fields(call(api_url, photographer, "POST", path, cart(("p13", 0), ("p13", 100))))
    assert set(problems) == {"lines[0].quantity", "lines[1].quantity"}
    assert set(fields(call(api_url, photographer, "POST", path, {"lines": []}))) == {"lines"}
    bad_code = call(api_url, photographer, "POST", path, cart(("p13", 1), access_code="O0"))
    assert set(fields(bad_code)) == {"access_code"}
    assert (
        call(api_url, photographer, "POST", "/api/jobs/NOPE/quote", cart(("p13", 1))).status_code
        == 404
    )
    bare = make_job(api_url, photographer, internal_name="bare", job_type="prom")
    answer = call(api_url, photographer, "POST", f"/api/jobs/{bare}/quote", cart(("p13", 1)))
    assert answer.status_code == 409
    assert answer.json()["error"] == "no_price_profile"


# CLI --------------------------------------------------------------------------------------------
def test_cli_prices_and_vouchers(api_url, photographer, tmp_path, monkeypatch, capsys):
    from chalicelib.cli.main import main

    monkeypatch.setenv("PHOTOJOBS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PHOTOJOBS_PASSWORD", photographer.password)
    assert main(["--api", api_url, "login", "--email", photographer.email]) == 0

    def cli(*argv: str) -> int:
        return main(["--api", api_url, *argv])

    file = tmp_path / "profile.json"
    file.write_text(json.dumps({"name": "Schools", "currency": "EUR", "products": PRODUCTS}))
    capsys.readouterr()
    assert cli("prices", "create", "--file", str(file)) == 0
    created = capsys.readouterr().out
    assert "created price profile" in created and "3 products" in created
    profile_id = created.split()[3]
    assert cli("prices", "list") == 0
    assert "Schools" in capsys.readouterr().out
    assert cli("prices", "show", profile_id) == 0
    shown = capsys.readouterr().out
    assert "Family set" in shown and "39.00 EUR" in shown
    assert cli("prices", "copy", profile_id, "--name", "Schools 2027") == 0
    assert "Schools 2027" in capsys.readouterr().out
    assert (
        cli("vouchers", "create", "SUMMER", "--percent", "10", "--valid-until", "2099-08-31") == 0
    )
    assert "SUMMER" in capsys.readouterr().out
    job_id = make_job(api_url, photographer, price_profile_id=profile_id)
    assert (
        cli("vouchers", "create", "EARLY", "--amount", "500", "--job", job_id, "--once-per-code")
        == 0
    )
    capsys.readouterr()
    assert cli("vouchers", "list", "--job", job_id) == 0
    assert "EARLY" in capsys.readouterr().out
    assert cli("quote", job_id, "--line", "PH1:p13:2", "--voucher", "early") == 0
    quoted = capsys.readouterr().out
    assert "total 20.00 EUR" in quoted
    # errors name the field and exit 1
    file.write_text(json.dumps({"name": "Bad", "currency": "EURO"}))
    assert cli("prices", "create", "--file", str(file)) == 1
    assert "currency: must be an ISO 4217 currency code" in capsys.readouterr().err
