from __future__ import annotations

from chalicelib.domain.communication import (
    Audience,
    Channel,
    Customer,
    OptOuts,
    OrderSummary,
    SkipReason,
    select_recipients,
)
from chalicelib.domain.communication.newsletter import Newsletter

ANNA = Customer(
    "C1", name="Anna", email="anna@example.com", phone="+4915112345678", access_code="AAA"
)
BEN = Customer("C2", name="Ben", email="Ben@Example.com", phone="0151 2345678", access_code="BBB")
CARA = Customer("C3", name="Cara", email=None, phone=None, access_code="CCC")
DAN = Customer(
    "C4", name="Dan", email="dan@example.com", phone="+1 (212) 555-0100", access_code="DDD"
)
EVERYONE = [ANNA, BEN, CARA, DAN]


def target(audience, channel=Channel.EMAIL):
    return Newsletter("n1", "Hi", "Body", channel=channel, audience=audience)


def reasons(selection):
    return {s.customer_id: s.reason for s in selection.skipped}


def test_all_registered_with_an_email():
    recipients, skipped = select_recipients(
        target(Audience.ALL_REGISTERED), EVERYONE, [], OptOuts()
    )
    assert [r.customer.customer_id for r in recipients] == ["C1", "C2", "C4"]
    assert [r.address for r in recipients] == [
        "anna@example.com",
        "Ben@Example.com",
        "dan@example.com",
    ]
    assert {s.customer_id: s.reason for s in skipped} == {"C3": SkipReason.NO_EMAIL}


def test_not_ordered_leaves_out_who_ordered_in_the_meantime():
    # Given Anna ordered by customer id and Ben by access code (unpaid), Dan's was cancelled
    orders = [
        OrderSummary("O1", customer_id="C1", paid=True),
        OrderSummary("O2", access_code="BBB", paid=False),
        OrderSummary("O3", customer_id="C4", paid=True, cancelled=True),
    ]
    selection = select_recipients(target(Audience.NOT_ORDERED), EVERYONE, orders, OptOuts())
    assert [r.customer.customer_id for r in selection.recipients] == ["C4"]
    assert reasons(selection) == {
        "C1": SkipReason.ALREADY_ORDERED,
        "C2": SkipReason.ALREADY_ORDERED,
        "C3": SkipReason.NO_EMAIL,
    }
    assert selection.skipped_counts() == {"already_ordered": 2, "no_email": 1}


def test_buyers_are_those_with_a_paid_order():
    orders = [
        OrderSummary("O1", customer_id="C1", paid=True),
        OrderSummary("O2", access_code="BBB"),
    ]
    selection = select_recipients(target(Audience.BUYERS), EVERYONE, orders, OptOuts())
    assert [r.customer.customer_id for r in selection.recipients] == ["C1"]
    assert reasons(selection)["C2"] == SkipReason.NOT_A_BUYER


def test_opted_out_emails_are_skipped_case_insensitively():
    opt_outs = OptOuts(emails=frozenset({" ben@example.COM"}))
    selection = select_recipients(target(Audience.ALL_REGISTERED), EVERYONE, [], opt_outs)
    assert reasons(selection) == {"C2": SkipReason.OPTED_OUT, "C3": SkipReason.NO_EMAIL}


def test_sms_needs_a_phone_and_respects_sms_opt_outs():
    opt_outs = OptOuts(phones=frozenset({"+12125550100"}), emails=frozenset({"anna@example.com"}))
    selection = select_recipients(
        target(Audience.ALL_REGISTERED, Channel.SMS), EVERYONE, [], opt_outs
    )
    # An email unsubscribe does not stop SMS; Dan's number matches in another format
    assert [r.customer.customer_id for r in selection.recipients] == ["C1", "C2"]
    assert reasons(selection) == {"C3": SkipReason.NO_PHONE, "C4": SkipReason.OPTED_OUT}


def test_a_customer_listed_twice_gets_one_message():
    selection = select_recipients(target(Audience.ALL_REGISTERED), [ANNA, ANNA], [], OptOuts())
    assert len(selection.recipients) == 1
    assert reasons(selection) == {"C1": SkipReason.DUPLICATE}
