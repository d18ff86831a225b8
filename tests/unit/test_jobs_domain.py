from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.jobs import Job, Watermark, job_type_defaults, parse_job_settings
from chalicelib.errors import ValidationFailed

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def previous() -> Job:
    return Job(
        job_id="PREV",
        studio_id="S",
        name="Old",
        shooting_date=date(2025, 9, 1),
        job_type="primary",
        internal_name="old",
        created_at=NOW,
        updated_at=NOW,
        people_expected=90,
        watermark=Watermark(text="W"),
        archive_date=date(2025, 10, 13),
        voucher_deadline=date(2025, 9, 15),
        prepay=True,
        prepay_deadline=date(2025, 8, 25),
    )


def test_defaults_copy_settings_and_shift_deadlines_with_the_shooting_date():
    requested = parse_job_settings(
        {"name": "New", "shooting_date": "2026-09-07", "job_type": "primary", "people_expected": 5},
        creating=True,
    )
    filled, defaults = job_type_defaults(requested, previous())
    assert filled["people_expected"] == 5
    assert filled["watermark"] == Watermark(text="W")
    assert filled["archive_date"] == date(2026, 10, 19)  # 42 days after the shoot
    assert filled["voucher_deadline"] == date(2026, 9, 21)
    assert filled["prepay_deadline"] == date(2026, 8, 31)  # 7 days before
    assert defaults.source_job_id == "PREV"
    assert "people_expected" not in defaults.fields
    assert "name" not in filled or filled["name"] == "New"


def test_no_previous_job_defaults_nothing():
    requested = {"name": "N", "shooting_date": date(2026, 1, 1), "job_type": "t"}
    filled, defaults = job_type_defaults(requested, None)
    assert filled == requested and defaults.fields == ()


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationFailed) as failed:
        parse_job_settings({"shooting_date": "x", "prepay": "yes"}, creating=True)
    fields = {e["field"] for e in failed.value.errors}
    assert fields == {"name", "job_type", "shooting_date", "prepay"}


def test_a_null_setting_clears_it():
    assert parse_job_settings({"archive_date": None}, creating=False) == {"archive_date": None}
    assert replace(previous(), archive_date=None).archive_date is None


def test_recreates_is_one_line_of_text_and_is_never_taken_from_the_previous_job():
    parsed = parse_job_settings({"recreates": "  2025-st-john  "}, creating=False)
    assert parsed == {"recreates": "2025-st-john"}
    assert parse_job_settings({"recreates": ""}, creating=False) == {"recreates": None}
    for bad in (7, "a\tb", "x" * 121):
        with pytest.raises(ValidationFailed) as failed:
            parse_job_settings({"recreates": bad}, creating=False)
        assert [e["field"] for e in failed.value.errors] == ["recreates"]
    recreated = replace(previous(), recreates="2024-st-john")
    assert recreated.recreated and not previous().recreated
    requested = {"name": "N", "shooting_date": date(2026, 9, 7), "job_type": "primary"}
    filled, defaults = job_type_defaults(requested, recreated)
    assert "recreates" not in filled and "recreates" not in defaults.fields
