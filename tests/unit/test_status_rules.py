"""Statuses, the go-live checklist and the "open for orders" rule (seeds 001, 002)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.jobs import Job, Watermark
from chalicelib.domain.status import change_status, go_live_checklist, order_window
from chalicelib.errors import GoLiveChecklistIncomplete, InvalidTransition

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def job(**changes) -> Job:
    base = Job(
        job_id="J",
        studio_id="S",
        name="School",
        shooting_date=date(2026, 11, 1),
        job_type="primary",
        internal_name="x",
        created_at=NOW,
        updated_at=NOW,
        timezone="Europe/Berlin",
    )
    return replace(base, **changes)


def ready(**changes) -> Job:
    settings = {
        "price_profile_id": "P",
        "communication_profile_id": "C",
        "watermark": Watermark(text="PROOF"),
        "archive_date": date(2026, 12, 31),
        "voucher_deadline": date(2026, 12, 1),
    }
    return job(**{**settings, **changes})


ALLOWED = {
    ("planning", "selling"),
    ("planning", "prepay"),
    ("planning", "archived"),
    ("selling", "planning"),
    ("selling", "archived"),
    ("prepay", "planning"),
    ("prepay", "archived"),
    ("archived", "planning"),
}
STATUSES = ("planning", "selling", "prepay", "archived")


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_transition_table(source, target):
    if source == target:
        return
    start = ready(status=source, prepay=True)
    if (source, target) in ALLOWED:
        moved = change_status(start, target, actor="anna", now=NOW, force=False)
        assert moved.status == target
        assert moved.status_history[-1].from_status == source
        assert moved.status_history[-1].changed_by == "anna"
        assert moved.status_history[-1].changed_at == NOW
    else:
        with pytest.raises(InvalidTransition):
            change_status(start, target, actor="anna", now=NOW, force=False)


def test_checklist_lists_each_open_item_and_force_overrides():
    with pytest.raises(GoLiveChecklistIncomplete) as refused:
        change_status(job(), "selling", actor="a", now=NOW, force=False)
    keys = [item["key"] for item in refused.value.details["checklist"] if not item["ok"]]
    assert keys == [
        "price_profile",
        "archive_date",
        "communication_profile",
        "watermark",
        "voucher",
    ]
    forced = change_status(job(), "selling", actor="a", now=NOW, force=True)
    assert forced.status_history[-1].forced is True
    clean = change_status(ready(), "selling", actor="a", now=NOW, force=True)
    assert clean.status_history[-1].forced is False  # nothing was overridden


def test_checklist_flags_an_archive_date_that_has_passed():
    (archive,) = [
        i
        for i in go_live_checklist(ready(archive_date=date(2026, 11, 1)), NOW)
        if i.key == "archive_date"
    ]
    assert not archive.ok and "has passed" in archive.detail


@pytest.mark.parametrize(
    ("changes", "open_", "reason"),
    [
        ({"status": "planning"}, False, "not_yet_available"),
        ({"status": "archived"}, False, "archived"),
        ({"status": "selling"}, True, None),
        ({"status": "selling", "archive_date": date(2026, 11, 23)}, True, None),  # last day
        ({"status": "selling", "archive_date": date(2026, 11, 22)}, False, "archived"),
        ({"status": "selling", "archive_date": None}, True, None),
        ({"status": "prepay", "prepay": True, "prepay_deadline": date(2026, 11, 23)}, True, None),
        (
            {"status": "prepay", "prepay": True, "prepay_deadline": date(2026, 11, 22)},
            False,
            "prepay_closed",
        ),
    ],
)
def test_order_window(changes, open_, reason):
    window = order_window(ready(**changes), NOW)
    assert (window.open, window.reason) == (open_, reason)


def test_deadlines_are_local_dates_of_the_jobs_time_zone():
    # 23:30 UTC on the 22nd is already the 23rd in Berlin but still the 22nd in New York
    late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    berlin = ready(status="selling", archive_date=date(2026, 11, 22))
    assert order_window(berlin, late).open is False
    new_york = replace(berlin, timezone="America/New_York")
    assert order_window(new_york, late).open is True
