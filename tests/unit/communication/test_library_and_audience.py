"""Stored profiles (parsing admin requests, copies), newsletters from requests, and the shop's
customers and orders as recipients."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from chalicelib.domain.communication import Audience, Channel, OrderSummary, QuietHours
from chalicelib.domain.communication.delivery import MessageState, may_claim_again
from chalicelib.domain.communication.library import (
    builtin_profile,
    copied_profile,
    parse_newsletter,
    parse_profile_body,
)
from chalicelib.domain.customers import Customer as ShopCustomer
from chalicelib.errors import ValidationFailed
from chalicelib.services.message_audience import message_customer, order_summaries

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
STEP = {
    "step_id": "a7", "trigger": "archive_due", "offset": "7 days before", "channel": "email",
    "audience": "not_ordered", "template_id": "archive_due",
}  # fmt: skip


def errors(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in exc.value.errors}


def test_a_new_profile_takes_defaults_and_an_update_keeps_what_is_not_given():
    created = parse_profile_body(
        {"name": "Schools", "steps": [STEP]}, studio_id="S", profile_id="P", now=NOW
    )
    assert created.locale == "en" and created.quiet_hours == QuietHours()
    assert created.profile.steps[0].offset.minutes == -7 * 24 * 60
    changed = parse_profile_body(
        {"quiet_hours": None, "locale": "de"},
        studio_id="S",
        profile_id="P",
        now=NOW,
        current=created,
    )
    assert changed.profile == created.profile
    assert not changed.quiet_hours.enabled and changed.locale == "de"
    assert changed.as_dict()["quiet_hours"] is None


def test_profile_requests_are_checked_field_by_field():
    with pytest.raises(ValidationFailed) as bad:
        parse_profile_body(
            {"name": "x", "steps": [], "locale": "fr", "quiet_hours": {"start": "21:15"}},
            studio_id="S",
            profile_id="P",
            now=NOW,
        )
    assert errors(bad) == {
        "locale": "must be one of en, de",
        "quiet_hours.end": "is required",
    }
    with pytest.raises(ValidationFailed) as bad:
        parse_profile_body(
            {"name": "x", "steps": [], "quiet_hours": {"start": "21:10", "end": "8"}},
            studio_id="S",
            profile_id="P",
            now=NOW,
        )
    assert errors(bad) == {
        "quiet_hours.start": "must be a whole quarter hour HH:MM",
        "quiet_hours.end": "must be a time HH:MM",
    }


def test_a_copy_of_the_default_belongs_to_the_studio():
    copy = copied_profile(builtin_profile("S"), studio_id="S", profile_id="C", name=None, now=NOW)
    assert (copy.profile_id, copy.builtin, copy.version) == ("C", False, 0)
    assert copy.profile.name == "Standard (photojobs default) (copy)"
    assert copy.profile.steps == builtin_profile("S").profile.steps
    assert copy.quiet_hours == QuietHours(time(21), time(8))


def test_newsletters_from_requests():
    letter = parse_newsletter({"subject": "Hi", "body": "Text"}, newsletter_id="N")
    assert (letter.channel, letter.audience) == (Channel.EMAIL, Audience.ALL_REGISTERED)
    sms = parse_newsletter(
        {"body": "Text", "channel": "sms", "audience": "buyers"}, newsletter_id="N"
    )
    assert (sms.channel, sms.audience, sms.subject) == (Channel.SMS, Audience.BUYERS, "")
    with pytest.raises(ValidationFailed) as bad:
        parse_newsletter({"body": "Text"}, newsletter_id="N")
    assert errors(bad) == {"subject": "an email needs a subject"}


def test_only_retryable_failures_with_attempts_left_may_be_claimed_again():
    assert may_claim_again(MessageState.FAILED, retryable=True, attempts=2)
    assert not may_claim_again(MessageState.FAILED, retryable=True, attempts=3)
    assert not may_claim_again(MessageState.FAILED, retryable=False, attempts=1)
    assert not may_claim_again(MessageState.SENDING, retryable=True, attempts=1)
    assert not may_claim_again(MessageState.SENT, retryable=False, attempts=1)


def shop_customer(customer_id: str, email: str, **extra) -> ShopCustomer:
    values = {
        "customer_id": customer_id, "job_id": "J", "studio_id": "S", "email": email,
        "first_name": "Anna", "last_name": "Berg", "marketing_consent": True,
        "created_at": NOW, "updated_at": NOW, **extra,
    }  # fmt: skip
    return ShopCustomer(**values)


def test_a_customer_is_linked_with_the_code_of_their_first_child_or_the_shared_code():
    codes = {"SUB2": "K7Q2M9XW4P3R"}
    anna = shop_customer("C1", "anna@example.com", subject_ids=("SUB1", "SUB2"))
    recipient = message_customer(anna, codes, None)
    assert (recipient.name, recipient.access_code) == ("Anna", "K7Q2-M9XW-4P3R")
    shared = shop_customer("C2", "b@example.com", shared_code=True)
    assert message_customer(shared, codes, "PROM2026").access_code == "PROM2026"
    assert message_customer(shop_customer("C3", "c@example.com"), codes, None).access_code is None


class FakeOrder:
    def __init__(self, order_id, status, email, subject_ids=()):
        self.order_id, self.status, self.subject_ids = order_id, status, subject_ids
        self.contact = type("Contact", (), {"email": email})()


def test_an_order_counts_for_its_buyer_and_for_everyone_registered_for_the_child():
    anna = shop_customer("C1", "anna@example.com", subject_ids=("SUB1",))
    dad = shop_customer("C2", "dad@example.com", subject_ids=("SUB1",))
    other = shop_customer("C3", "other@example.com", subject_ids=("SUB9",))
    orders = [
        FakeOrder("O1", "paid", "ANNA@example.com"),
        FakeOrder("O2", "cancelled", "x@example.com", ("SUB9",)),
        FakeOrder("O3", "pending_payment", "x@example.com", ("SUB1",)),
    ]
    assert order_summaries(orders, [anna, dad, other]) == [
        OrderSummary("O1", customer_id="C1", paid=True),
        OrderSummary("O2", customer_id="C3", cancelled=True),
        OrderSummary("O3", customer_id="C1"),
        OrderSummary("O3", customer_id="C2"),
    ]
