from __future__ import annotations

import pytest

from chalicelib.domain.communication import (
    Audience,
    Channel,
    InvalidOffset,
    Offset,
    Step,
    Trigger,
    format_offset,
    is_date_relative,
    parse_offset,
    profile_from_dict,
    triggers_for_status_change,
    validate_profile,
)
from chalicelib.domain.communication.offsets import describe_offset
from chalicelib.domain.communication.profiles import (
    DATE_RELATIVE_TRIGGERS,
    EVENT_DRIVEN_TRIGGERS,
    SENDING_STATUSES,
)
from chalicelib.domain.communication.render import template_exists
from chalicelib.errors import ValidationFailed


@pytest.mark.parametrize(
    ("trigger", "date_relative"),
    [
        (Trigger.SELLING_STARTED, False),
        (Trigger.ARCHIVE_DUE, True),
        (Trigger.VOUCHER_ENDING, True),
        (Trigger.ARCHIVED, False),
        (Trigger.REGISTRATION, False),
        (Trigger.PREPAY_DUE, True),
        (Trigger.ABANDONED_CART, False),
        (Trigger.PHOTOS_BACK_ONLINE, False),
    ],
)
def test_every_trigger_is_classified(trigger, date_relative):
    assert is_date_relative(trigger) is date_relative
    assert (trigger in EVENT_DRIVEN_TRIGGERS) is not date_relative
    assert trigger in SENDING_STATUSES


def test_classes_partition_the_triggers():
    assert DATE_RELATIVE_TRIGGERS | EVENT_DRIVEN_TRIGGERS == set(Trigger)
    assert not DATE_RELATIVE_TRIGGERS & EVENT_DRIVEN_TRIGGERS


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("planning", "selling", [Trigger.SELLING_STARTED]),
        ("selling", "archived", [Trigger.ARCHIVED]),
        ("planning", "archived", [Trigger.ARCHIVED]),
        ("selling", "planning", []),  # taking a job offline triggers nothing
        ("archived", "planning", []),
        ("planning", "prepay", []),  # prepay never triggers the profile
        ("prepay", "planning", []),
        ("selling", "selling", []),
    ],
)
def test_status_changes_trigger_only_selling_and_archived(old, new, expected):
    assert triggers_for_status_change(old, new) == expected


def test_a_recreated_job_announces_photos_back_online():
    assert triggers_for_status_change("planning", "selling", recreated=True) == [
        Trigger.PHOTOS_BACK_ONLINE
    ]


def test_no_trigger_ever_sends_in_planning():
    assert all("planning" not in statuses for statuses in SENDING_STATUSES.values())


def test_default_profile_is_valid_and_every_template_exists(profile):
    validate_profile(profile)
    for step in profile.steps:
        for locale in ("en", "de"):
            assert template_exists(step.template_id, step.channel, locale), step


def test_default_profile_is_not_spammy(profile):
    # Given a parent who never orders, when the whole job runs its course
    to_non_buyers = [
        s
        for s in profile.steps
        if s.audience != Audience.BUYERS
        and s.trigger in {Trigger.SELLING_STARTED, Trigger.VOUCHER_ENDING, Trigger.ARCHIVE_DUE}
    ]
    # Then they get at most four messages, one of them an SMS
    assert len(to_non_buyers) <= 4
    assert sum(s.channel == Channel.SMS for s in profile.steps) == 1
    assert all(s.audience == Audience.NOT_ORDERED for s in profile.steps if s.offset.minutes < 0)


def test_profile_round_trips_through_a_dict(profile):
    assert profile_from_dict(profile.as_dict()) == profile


def test_profile_validation_names_every_problem(profile):
    data = profile.as_dict()
    data["steps"][1]["step_id"] = data["steps"][0]["step_id"]
    data["steps"][2]["offset"] = "-P1D"  # photos_back_online cannot be anticipated
    data["steps"][3]["channel"] = "fax"
    with pytest.raises(ValidationFailed) as caught:
        profile_from_dict(data)
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {"steps[3].channel"}  # parse errors first...
    data["steps"][3]["channel"] = "email"
    with pytest.raises(ValidationFailed) as caught:
        profile_from_dict(data)
    assert {e["field"] for e in caught.value.errors} == {"steps[1].step_id", "steps[2].offset"}


def test_an_abandoned_cart_waits_at_least_half_an_hour(profile):
    quick = Step(
        "cart",
        Trigger.ABANDONED_CART,
        Offset(10),
        Channel.EMAIL,
        Audience.NOT_ORDERED,
        "abandoned_cart",
    )
    with pytest.raises(ValidationFailed):
        validate_profile(type(profile)("p", "s", "n", (quick,)))


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("P3D", 3 * 1440),
        ("-P3D", -3 * 1440),
        ("-3d", -3 * 1440),
        ("+2d", 2 * 1440),
        ("2d12h", 2 * 1440 + 720),
        ("90m", 90),
        ("PT2H30M", 150),
        ("P1W", 7 * 1440),
        ("-P1DT2H", -(1440 + 120)),
        ("3 days before", -3 * 1440),
        ("2 days after", 2 * 1440),
        ("1 hour before", -60),
        ("at once", 0),
        ("P0D", 0),
        ("0", 0),
        (45, 45),
    ],
)
def test_offsets_parse(text, minutes):
    assert parse_offset(text) == Offset(minutes)


@pytest.mark.parametrize("text", ["", "P", "PT", "3", "three days", "-P3X", "3 days later", "d"])
def test_bad_offsets_are_typed_errors(text):
    with pytest.raises(InvalidOffset):
        parse_offset(text)


@pytest.mark.parametrize(
    ("minutes", "iso", "words"),
    [
        (0, "P0D", "at once"),
        (-3 * 1440, "-P3D", "3 days before"),
        (1440 + 120, "P1DT2H", "1 day 2 hours after"),
        (-30, "-PT30M", "30 minutes before"),
    ],
)
def test_offsets_format_canonically_and_round_trip(minutes, iso, words):
    assert format_offset(Offset(minutes)) == iso
    assert describe_offset(Offset(minutes)) == words
    assert parse_offset(iso) == Offset(minutes)


def test_offsets_beyond_a_year_are_refused():
    with pytest.raises(InvalidOffset):
        Offset.days(400)


def test_steps_must_be_a_list_of_objects():
    with pytest.raises(ValidationFailed):
        profile_from_dict({"profile_id": "p", "studio_id": "s", "name": "n", "steps": ["x"]})
