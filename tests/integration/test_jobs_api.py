"""Jobs and contractees over HTTP against the local AWS endpoint."""

from __future__ import annotations

from typing import Any

import pytest
import requests

pytestmark = pytest.mark.integration


def call(api_url: str, who: Any, method: str, path: str, body: Any = None, **params: Any):
    return requests.request(
        method, api_url + path, json=body, params=params or None, headers=who.headers, timeout=10
    )


def job_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "St. Mary Primary School",
        "shooting_date": "2026-09-14",
        "job_type": "primary school",
        "internal_name": "2026-stmary",
    }
    body.update(overrides)
    return body


def make_price_profile(api_url: str, who: Any) -> str:
    """Jobs may only name price profiles of their studio."""
    body = {"name": "Standard", "currency": "EUR", "products": []}
    return call(api_url, who, "POST", "/api/price-profiles", body).json()["profile_id"]


def complete_settings(price_profile_id: str) -> dict[str, Any]:
    return {
        "price_profile_id": price_profile_id,
        "communication_profile_id": "default",  # the shipped profile (ids are checked)
        "watermark": {"text": "PROOF"},
        "archive_date": "2099-01-31",
        "voucher_deadline": "2098-12-01",
    }


def test_create_read_update_delete_job(api_url, photographer):
    # Given a new job
    created = call(api_url, photographer, "POST", "/api/jobs", job_body())
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["status"] == "planning"
    assert job["status_label"] == "Planning (inactive)"
    assert job["open_for_orders"] is False
    assert job["timezone"] == "Europe/Berlin"  # the studio's time zone
    # When it is read and changed
    read = call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}")
    assert read.json()["internal_name"] == "2026-stmary"
    changed = call(
        api_url, photographer, "PATCH", f"/api/jobs/{job['job_id']}", {"people_expected": 120}
    )
    assert changed.status_code == 200
    assert changed.json()["people_expected"] == 120
    # Then deleting it makes it unknown, and frees its internal name
    assert call(api_url, photographer, "DELETE", f"/api/jobs/{job['job_id']}").status_code == 200
    assert call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}").status_code == 404
    again = call(api_url, photographer, "POST", "/api/jobs", job_body())
    assert again.status_code == 201


def test_taken_internal_name_is_409_and_renaming_moves_the_claim(api_url, photographer):
    first = call(api_url, photographer, "POST", "/api/jobs", job_body()).json()
    taken = call(api_url, photographer, "POST", "/api/jobs", job_body(name="Other"))
    assert taken.status_code == 409
    assert taken.json()["error"] == "internal_name_taken"
    assert taken.json()["field"] == "internal_name"
    # internal names are unique regardless of case
    assert (
        call(api_url, photographer, "POST", "/api/jobs", job_body(internal_name="2026-STMARY"))
    ).status_code == 409
    renamed = call(
        api_url, photographer, "PATCH", f"/api/jobs/{first['job_id']}", {"internal_name": "x-1"}
    )
    assert renamed.status_code == 200
    assert call(api_url, photographer, "POST", "/api/jobs", job_body()).status_code == 201


def test_internal_names_are_unique_per_studio_only(api_url, photographer, other_photographer):
    assert call(api_url, photographer, "POST", "/api/jobs", job_body()).status_code == 201
    assert call(api_url, other_photographer, "POST", "/api/jobs", job_body()).status_code == 201


def test_missing_internal_name_is_derived(api_url, photographer):
    body = job_body()
    del body["internal_name"]
    first = call(api_url, photographer, "POST", "/api/jobs", body).json()
    second = call(api_url, photographer, "POST", "/api/jobs", body).json()
    assert first["internal_name"] == "2026-09-14-st-mary-primary-school"
    assert second["internal_name"].startswith("2026-09-14-st-mary-primary-school-")


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"shooting_date": "2026-09-14", "job_type": "x"}, "name", "is required"),
        (job_body(shooting_date="14.09.2026"), "shooting_date", "must be a date YYYY-MM-DD"),
        (job_body(access_type="everyone"), "access_type", "must be one of per_person, shared"),
        (job_body(registration="maybe"), "registration", "must be one of off, optional, required"),
        (job_body(timezone="Mars/Olympus"), "timezone", "must be an IANA time zone"),
        (job_body(people_expected=-1), "people_expected", "must be between 0 and 100000"),
        (job_body(internal_name="../etc"), "internal_name", "may contain only"),
        (job_body(colour="red"), "colour", "unknown field"),
        (job_body(archive_date="2026-01-01"), "archive_date", "must not be before the shooting"),
        (job_body(prepay_deadline="2026-10-01"), "prepay_deadline", "is only for prepay jobs"),
        (job_body(watermark={"opacity": 0.5}), "watermark", "needs a text or an image_key"),
        (job_body(contractee_id="NOPE"), "contractee_id", "no such contractee"),
        (job_body(contractee={"email": "x@y.z"}), "contractee.name", "is required"),
        (job_body(recreates=42), "recreates", "must be a string"),
        (job_body(recreates="a" * 121), "recreates", "must be at most 120 characters"),
        (job_body(recreates="st-john\n2026"), "recreates", "must be one line of printable"),
    ],
)
def test_bad_input_names_the_field(api_url, photographer, body, field, reason):
    answer = call(api_url, photographer, "POST", "/api/jobs", body)
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert any(e["field"] == field and e["reason"].startswith(reason) for e in errors), errors


def test_a_recreated_job_names_the_deleted_job_and_the_next_job_does_not_inherit_it(
    api_url, photographer
):
    # Given a job recreated after its first version was deleted (seed 004)
    created = call(api_url, photographer, "POST", "/api/jobs", job_body(recreates=" 2026-stmary "))
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["recreates"] == "2026-stmary"
    assert "recreates" not in job["defaulted"]["fields"]
    assert call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}").json()["recreates"] == (
        "2026-stmary"
    )
    # When the next job of the same type takes its settings from it
    nxt = call(api_url, photographer, "POST", "/api/jobs", job_body(internal_name="2027-stmary"))
    # Then it is not a recreated job
    assert nxt.json()["recreates"] is None
    # And the setting can be changed and cleared
    path = f"/api/jobs/{job['job_id']}"
    changed = call(api_url, photographer, "PATCH", path, {"recreates": "JOB 7QX2 (deleted)"})
    assert changed.status_code == 200 and changed.json()["recreates"] == "JOB 7QX2 (deleted)"
    cleared = call(api_url, photographer, "PATCH", path, {"recreates": None})
    assert cleared.json()["recreates"] is None


def test_body_that_is_not_json_or_not_an_object(api_url, photographer):
    raw = requests.post(
        f"{api_url}/api/jobs",
        data=b"{not json",
        headers={**photographer.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert raw.status_code == 400
    assert raw.json()["errors"] == [{"field": "body", "reason": "is not valid JSON"}]
    listed = call(api_url, photographer, "POST", "/api/jobs", [1, 2])
    assert listed.status_code == 400
    assert listed.json()["errors"][0]["field"] == "body"


def test_job_with_inline_contractee(api_url, photographer):
    body = job_body(contractee={"name": "St. Mary", "commission_rate": 0.12, "sales_access": True})
    job = call(api_url, photographer, "POST", "/api/jobs", body).json()
    contractee = call(api_url, photographer, "GET", f"/api/contractees/{job['contractee_id']}")
    assert contractee.status_code == 200
    assert contractee.json()["name"] == "St. Mary"
    assert contractee.json()["sales_access"] is True


def test_job_type_defaults_come_from_the_latest_job_of_the_type(api_url, photographer):
    # Given two earlier primary-school jobs; the newer one has the settings to reuse
    profile_id = make_price_profile(api_url, photographer)
    call(api_url, photographer, "POST", "/api/jobs", job_body(internal_name="a", people_expected=5))
    call(
        api_url,
        photographer,
        "POST",
        "/api/jobs",
        job_body(
            internal_name="b",
            people_expected=80,
            registration="required",
            watermark={"text": "SAMPLE", "opacity": 0.5},
            archive_date="2026-10-26",  # 6 weeks after the shoot
            price_profile_id=profile_id,
        ),
    )
    # When a new job of the same type gives only its identity and one setting
    answer = call(
        api_url,
        photographer,
        "POST",
        "/api/jobs",
        {
            "name": "Oak Primary",
            "shooting_date": "2027-03-01",
            "job_type": "Primary School",
            "internal_name": "c",
            "registration": "off",
        },
    )
    job = answer.json()
    # Then every other setting is taken from the latest job, deadlines relative to the shoot
    assert job["people_expected"] == 80
    assert job["registration"] == "off"
    assert job["watermark"] == {"text": "SAMPLE", "image_key": None, "opacity": 0.5}
    assert job["archive_date"] == "2027-04-12"
    assert job["price_profile_id"] == profile_id
    assert "registration" not in job["defaulted"]["fields"]
    assert {"people_expected", "watermark", "archive_date"} <= set(job["defaulted"]["fields"])
    # and another type starts from nothing
    other = call(
        api_url, photographer, "POST", "/api/jobs", job_body(job_type="prom", internal_name="d")
    ).json()
    assert other["defaulted"] == {"from_job_id": None, "fields": []}
    assert other["people_expected"] == 0


def test_list_is_newest_first_paginated_and_filterable(api_url, photographer):
    dates = ["2026-05-01", "2026-09-01", "2026-01-15", "2026-07-04", "2026-03-03", "2026-12-24"]
    for i, day in enumerate(dates):
        call(
            api_url,
            photographer,
            "POST",
            "/api/jobs",
            job_body(shooting_date=day, internal_name=f"j{i}"),
        )
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = call(api_url, photographer, "GET", "/api/jobs", **params).json()
        seen += [job["shooting_date"] for job in page["items"]]
        pages += 1
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == sorted(dates, reverse=True)
    assert pages >= 2
    # filter by status
    job_id = call(api_url, photographer, "GET", "/api/jobs", limit=1).json()["items"][0]["job_id"]
    call(api_url, photographer, "POST", f"/api/jobs/{job_id}/status", {"status": "archived"})
    archived = call(api_url, photographer, "GET", "/api/jobs", status="archived").json()["items"]
    assert [job["job_id"] for job in archived] == [job_id]
    planning = call(api_url, photographer, "GET", "/api/jobs", status="planning").json()["items"]
    assert len(planning) == 5
    assert call(api_url, photographer, "GET", "/api/jobs", status="sold").status_code == 400


def test_cursors_are_checked(api_url, photographer, other_photographer):
    for i in range(3):
        call(api_url, photographer, "POST", "/api/jobs", job_body(internal_name=f"k{i}"))
    cursor = call(api_url, photographer, "GET", "/api/jobs", limit=1).json()["cursor"]
    assert call(api_url, photographer, "GET", "/api/jobs", cursor="garbage!").status_code == 400
    # a cursor of one studio is not valid for another studio's listing
    stolen = call(api_url, other_photographer, "GET", "/api/jobs", cursor=cursor)
    assert stolen.status_code == 400
    assert stolen.json()["error"] == "invalid_cursor"
    assert call(api_url, photographer, "GET", "/api/jobs", limit=0).status_code == 400


def test_other_studios_jobs_are_not_found(api_url, photographer, other_photographer):
    job = call(api_url, photographer, "POST", "/api/jobs", job_body()).json()
    path = f"/api/jobs/{job['job_id']}"
    for method, body in [("GET", None), ("PATCH", {"people_expected": 1}), ("DELETE", None)]:
        answer = call(api_url, other_photographer, method, path, body)
        assert answer.status_code == 404
        assert "St. Mary" not in answer.text
    status = call(api_url, other_photographer, "POST", path + "/status", {"status": "archived"})
    assert status.status_code == 404
    assert call(api_url, other_photographer, "GET", "/api/jobs").json()["items"] == []
    # and the owner's job is untouched
    assert call(api_url, photographer, "GET", path).json()["status"] == "planning"


def test_other_studios_contractee_cannot_be_read_or_attached(
    api_url, photographer, other_photographer
):
    mine = call(api_url, photographer, "POST", "/api/contractees", {"name": "School A"}).json()
    path = f"/api/contractees/{mine['contractee_id']}"
    assert call(api_url, other_photographer, "GET", path).status_code == 404
    attach = call(
        api_url,
        other_photographer,
        "POST",
        "/api/jobs",
        job_body(contractee_id=mine["contractee_id"]),
    )
    assert attach.status_code == 400


def test_contractees_only_need_a_name(api_url, photographer):
    created = call(api_url, photographer, "POST", "/api/contractees", {"name": "Oak School"})
    assert created.status_code == 201
    contractee = created.json()
    assert contractee["email"] is None and contractee["sales_access"] is False
    bad = call(
        api_url,
        photographer,
        "POST",
        "/api/contractees",
        {"name": "X", "email": "nope", "phone": "12"},
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"email", "phone"}
    updated = call(
        api_url,
        photographer,
        "PATCH",
        f"/api/contractees/{contractee['contractee_id']}",
        {"phone": "+49 30 1234567", "contact_person": "Mr. Oak"},
    ).json()
    assert updated["phone"] == "+49301234567"
    listed = call(api_url, photographer, "GET", "/api/contractees").json()["items"]
    assert [c["name"] for c in listed] == ["Oak School"]


class TestStatuses:
    def make(self, api_url, who, **settings):
        return call(api_url, who, "POST", "/api/jobs", job_body(**settings)).json()["job_id"]

    def move(self, api_url, who, job_id, status, force=None):
        body = {"status": status} if force is None else {"status": status, "force": force}
        return call(api_url, who, "POST", f"/api/jobs/{job_id}/status", body)

    def test_selling_with_open_checklist_is_409_with_items(self, api_url, photographer):
        job_id = self.make(api_url, photographer)
        answer = self.move(api_url, photographer, job_id, "selling")
        assert answer.status_code == 409
        body = answer.json()
        assert body["error"] == "go_live_checklist_incomplete"
        items = {item["key"]: item["ok"] for item in body["checklist"]}
        assert items == {
            "price_profile": False,
            "archive_date": False,
            "communication_profile": False,
            "watermark": False,
            "voucher": False,
        }
        assert (
            call(api_url, photographer, "GET", f"/api/jobs/{job_id}").json()["status"] == "planning"
        )

    def test_selling_anyway_is_recorded_as_forced(self, api_url, photographer):
        job_id = self.make(api_url, photographer)
        answer = self.move(api_url, photographer, job_id, "selling", force=True)
        assert answer.status_code == 200
        job = answer.json()
        assert job["status"] == "selling"
        assert job["open_for_orders"] is True  # no archive date: nothing has passed
        (change,) = job["status_history"]
        assert change["from"] == "planning" and change["to"] == "selling"
        assert change["by"] == photographer.email
        assert change["forced"] is True

    def test_complete_checklist_goes_through(self, api_url, photographer):
        settings = complete_settings(make_price_profile(api_url, photographer))
        job_id = self.make(api_url, photographer, **settings)
        checklist = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/checklist").json()
        assert checklist["complete"] is True
        answer = self.move(api_url, photographer, job_id, "selling")
        assert answer.status_code == 200
        assert answer.json()["status_history"][0]["forced"] is False

    def test_every_transition(self, api_url, photographer):
        # walk every allowed transition, and try the forbidden ones on the way
        settings = complete_settings(make_price_profile(api_url, photographer))
        job_id = self.make(api_url, photographer, prepay=True, **settings)
        path = [
            ("selling", 200),
            ("prepay", 409),  # selling -> prepay is not allowed
            ("planning", 200),
            ("archived", 200),
            ("selling", 409),  # archived -> selling is not allowed
            ("prepay", 409),
            ("planning", 200),
            ("prepay", 200),
            ("selling", 409),  # prepay -> selling is not allowed
            ("planning", 200),
            ("prepay", 200),
            ("archived", 200),
        ]
        for status, expected in path:
            answer = self.move(api_url, photographer, job_id, status)
            assert answer.status_code == expected, (status, answer.text)
            if expected == 409:
                assert answer.json()["error"] == "invalid_status_transition"
        history = call(api_url, photographer, "GET", f"/api/jobs/{job_id}").json()["status_history"]
        assert [(h["from"], h["to"]) for h in history] == [
            ("planning", "selling"),
            ("selling", "planning"),
            ("planning", "archived"),
            ("archived", "planning"),
            ("planning", "prepay"),
            ("prepay", "planning"),
            ("planning", "prepay"),
            ("prepay", "archived"),
        ]

    def test_prepay_only_for_prepay_jobs(self, api_url, photographer):
        job_id = self.make(api_url, photographer)
        answer = self.move(api_url, photographer, job_id, "prepay")
        assert answer.status_code == 409
        assert "only prepay jobs" in answer.json()["message"]

    def test_same_status_changes_nothing(self, api_url, photographer):
        job_id = self.make(api_url, photographer)
        answer = self.move(api_url, photographer, job_id, "planning")
        assert answer.status_code == 200
        assert answer.json()["status_history"] == []

    def test_unknown_status_is_400(self, api_url, photographer):
        job_id = self.make(api_url, photographer)
        answer = self.move(api_url, photographer, job_id, "sold")
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["field"] == "status"

    def test_archive_date_in_the_past_closes_the_shop(self, api_url, photographer):
        job_id = self.make(
            api_url,
            photographer,
            shooting_date="2020-01-01",
            **{
                **complete_settings(make_price_profile(api_url, photographer)),
                "archive_date": "2020-03-01",
                "voucher_deadline": None,
            },
        )
        job = self.move(api_url, photographer, job_id, "selling", force=True).json()
        assert job["open_for_orders"] is False
        assert job["closed_reason"] == "archived"
        assert job["status_label"] == "Selling (closed: archived)"
