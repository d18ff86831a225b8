"""A job recreated after an accidental delete (seed 004): its name list's parent contacts join
the audience with their child's new code, deduplicated against registered customers, with
stable ids and without marketing consent; moving it to selling says "back online"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.domain.communication import (
    Audience,
    Channel,
    OptOuts,
    Step,
    Trigger,
    default_profile,
    select_recipients,
)
from chalicelib.domain.communication.library import StudioProfile
from chalicelib.domain.communication.offsets import AT_ONCE
from chalicelib.domain.customers import Customer as ShopCustomer
from chalicelib.domain.jobs import Job
from chalicelib.domain.subjects import Subject
from chalicelib.services.message_audience import JobAudience, name_list_contact_id
from chalicelib.services.message_scheduling import MessageScheduling
from chalicelib.services.messages import newsletter_selection

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
JOB = Job(
    job_id="JOB000000001",
    studio_id="STUDIO000001",
    name="St. John Primary School",
    shooting_date=date(2026, 11, 2),
    job_type="primary school",
    internal_name="2026-st-john-2",
    created_at=NOW,
    updated_at=NOW,
    timezone="Europe/Berlin",
    communication_profile_id="default",
    recreates="2026-st-john",
)


def subject(subject_id: str, code: str, emails=(), phones=()) -> Subject:
    return Subject(
        job_id=JOB.job_id, studio_id=JOB.studio_id, subject_id=subject_id, first_name="Mia",
        last_name="Berg", class_name="1a", access_code=code, created_at=NOW, updated_at=NOW,
        emails=tuple(emails), phones=tuple(phones),
    )  # fmt: skip


def registered(customer_id: str, email: str, *subject_ids: str, **extra: Any) -> ShopCustomer:
    values = {
        "customer_id": customer_id, "job_id": JOB.job_id, "studio_id": JOB.studio_id,
        "email": email, "first_name": "Anna", "last_name": "Berg", "marketing_consent": True,
        "created_at": NOW, "updated_at": NOW, "subject_ids": subject_ids, **extra,
    }  # fmt: skip
    return ShopCustomer(**values)


class FakeOrder:
    def __init__(self, order_id: str, email: str, subject_ids: tuple[str, ...] = ()) -> None:
        self.order_id, self.status, self.subject_ids = order_id, "paid", subject_ids
        self.contact = type("Contact", (), {"email": email})()


class Shop:
    """Customers, orders and name list of one job (the repositories' read methods)."""

    def __init__(self, customers=(), orders=(), subjects=(), shared=None) -> None:
        self.customers, self.orders, self.subjects = list(customers), list(orders), list(subjects)
        self.shared = shared
        self.name_list_reads = 0

    def customers_of_job(self, job_id: str) -> list[ShopCustomer]:
        return self.customers

    def orders_of_job(self, job_id: str) -> list[FakeOrder]:
        return self.orders

    def all_in_job(self, job_id: str) -> list[Subject]:
        self.name_list_reads += 1
        return self.subjects

    def shared_code(self, job_id: str) -> str | None:
        return self.shared


def audience_of(shop: Shop, job: Job = JOB):
    return JobAudience(shop, shop, shop).of(job)


NAME_LIST = [
    subject("SUB1", "K7Q2M9XW4P3R", ["mia.mum@example.com", "mia.dad@x.com"], ["+4915111111111"]),
    subject("SUB2", "H3J4K5P6M7N8", ["ben@example.com"]),
    subject("SUB3", "A2B3C4D5E6F7", phones=["+4915133333333"]),
    subject("SUB4", "Q9W8E7R6T5Y4"),  # no contact: nobody to reach
]  # fmt: skip


def test_a_recreated_job_reaches_each_name_list_contact_with_the_childs_new_code():
    # Given a recreated job nobody has registered for yet
    audience = audience_of(Shop(subjects=NAME_LIST))
    # Then every contact is a recipient: n-th e-mail and n-th phone of a row are one contact
    by_id = {c.customer_id: c for c in audience.customers}
    assert set(by_id) == {"nl-SUB1-0", "nl-SUB1-1", "nl-SUB2-0", "nl-SUB3-0"}
    mum = by_id["nl-SUB1-0"]
    assert (mum.email, mum.phone, mum.access_code) == (
        "mia.mum@example.com",
        "+4915111111111",
        "K7Q2-M9XW-4P3R",
    )
    assert (by_id["nl-SUB1-1"].email, by_id["nl-SUB1-1"].phone) == ("mia.dad@x.com", None)
    assert (by_id["nl-SUB3-0"].email, by_id["nl-SUB3-0"].phone) == (None, "+4915133333333")
    assert by_id["nl-SUB2-0"].access_code == "H3J4-K5P6-M7N8"
    assert all(c.name is None for c in by_id.values())  # a name list names the child only
    # And none of them agreed to marketing messages
    assert audience.marketing_consent == frozenset()
    # And their ids are stable: reading the audience again gives the same message keys
    assert audience_of(Shop(subjects=NAME_LIST)).customers == audience.customers
    assert name_list_contact_id("SUB1", 0) == "nl-SUB1-0"


def test_a_job_that_is_not_recreated_reaches_registered_customers_only():
    shop = Shop(customers=[registered("C1", "anna@example.com", "SUB2")], subjects=NAME_LIST)
    audience = audience_of(shop, replace(JOB, recreates=None))
    assert [c.customer_id for c in audience.customers] == ["C1"]
    # and without registered customers the name list is not even read
    empty = Shop(subjects=NAME_LIST)
    assert audience_of(empty, replace(JOB, recreates=None)).customers == ()
    assert empty.name_list_reads == 0


def test_a_registered_parent_is_not_reached_twice_for_the_same_child():
    # Given Mia's mother registered (e-mail in other case) and Mia's father by phone only
    mum = registered("C1", "Mia.Mum@EXAMPLE.com", "SUB1")
    dad = registered("C2", "other@example.com", "SUB1", phone="+49 151 11111111")
    # and Ben's parent registered for another child (not Ben) with Ben's contact address
    bens = registered("C3", "ben@example.com", "SUB4")
    audience = audience_of(Shop(customers=[mum, dad, bens], subjects=NAME_LIST))
    ids = [c.customer_id for c in audience.customers]
    # Then the registered customers come first and keep their consent
    assert ids[:3] == ["C1", "C2", "C3"]
    assert audience.marketing_consent == frozenset({"C1", "C2", "C3"})
    # And the mother's row contact (same e-mail, same child) is left out; the father's second
    # contact stays; Ben's contact stays, for Ben's new code is news to them
    assert ids[3:] == ["nl-SUB1-1", "nl-SUB2-0", "nl-SUB3-0"]


def test_a_phone_match_with_the_same_code_also_counts_as_the_same_parent():
    dad = registered("C2", "dad@example.com", "SUB3", phone="+4915133333333")
    audience = audience_of(Shop(customers=[dad], subjects=NAME_LIST))
    assert "nl-SUB3-0" not in {c.customer_id for c in audience.customers}


def test_in_a_shared_job_one_address_is_one_recipient():
    # Given a shared job: every child carries the job's one code; a parent registered with it
    shared = [
        subject("SUB1", "PROM2026", ["anna@example.com"]),
        subject("SUB2", "PROM2026", ["anna@example.com", "ben@example.com"]),
        subject("SUB3", "PROM2026", ["ben@example.com"]),
    ]
    anna = registered("C1", "anna@example.com", shared_code=True)
    audience = audience_of(Shop(customers=[anna], subjects=shared, shared="PROM2026"))
    # Then Anna is reached once (registered) and Ben once (first of his rows)
    assert [c.customer_id for c in audience.customers] == ["C1", "nl-SUB2-1"]
    assert {c.access_code for c in audience.customers} == {"PROM2026"}


def test_the_same_contact_listed_twice_for_one_child_is_one_recipient():
    twice = [subject("SUB1", "K7Q2M9XW4P3R", ["a@example.com", "A@example.com"])]
    audience = audience_of(Shop(subjects=twice))
    assert [c.customer_id for c in audience.customers] == ["nl-SUB1-0"]


def test_orders_by_a_contacts_address_or_for_their_child_count_for_not_ordered_steps():
    # Given an order placed with Ben's contact address and one placed for Mia
    orders = [FakeOrder("O1", "BEN@example.com"), FakeOrder("O2", "x@example.com", ("SUB1",))]
    audience = audience_of(Shop(orders=orders, subjects=NAME_LIST))
    reminder = Step("a7", Trigger.ARCHIVE_DUE, AT_ONCE, Channel.EMAIL, Audience.NOT_ORDERED, "t")
    selection = select_recipients(reminder, audience.customers, audience.orders, OptOuts())
    # Then Mia's and Ben's contacts get no "not ordered yet" reminder (and SUB3 has no e-mail)
    assert selection.recipients == ()
    assert selection.skipped_counts() == {"already_ordered": 3, "no_email": 1}
    sms = replace(reminder, channel=Channel.SMS)
    sms_selection = select_recipients(sms, audience.customers, audience.orders, OptOuts())
    assert [r.customer.customer_id for r in sms_selection.recipients] == ["nl-SUB3-0"]


def test_newsletters_skip_name_list_contacts_for_want_of_consent():
    mum = registered("C1", "anna@example.com", "SUB2")
    audience = audience_of(Shop(customers=[mum], subjects=NAME_LIST))
    newsletter = Step("n", Trigger.ARCHIVED, AT_ONCE, Channel.EMAIL, Audience.ALL_REGISTERED, "t")
    selection, no_consent = newsletter_selection(newsletter, audience, OptOuts())
    assert [r.customer.customer_id for r in selection.recipients] == ["C1"]
    assert no_consent == 4


class Profiles:
    def resolve(self, studio_id: str, profile_id: str) -> StudioProfile:
        return StudioProfile(default_profile(studio_id), locale="en", updated_at=NOW)


class Scheduler:
    def date_schedules(self, job_id: str) -> dict[str, Any]:
        return {}

    def apply(self, diff: Any) -> None:
        pass

    def put(self, schedule: Any) -> None:
        raise AssertionError("at noon a status trigger is sent at once")


class SendNow:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def start(self, payload: dict[str, Any]) -> None:
        self.payloads.append(payload)


def test_moving_a_recreated_job_to_selling_sends_back_online_not_online():
    send_now = SendNow()
    scheduling = MessageScheduling(Profiles(), Scheduler(), send_now, clock=lambda: NOW)
    # When a recreated job and an ordinary one start selling
    scheduling(JOB, replace(JOB, status="selling"))
    ordinary = replace(JOB, job_id="JOB000000002", recreates=None)
    scheduling(ordinary, replace(ordinary, status="selling"))
    # Then the first announces "back online", the second "online"
    assert [(p["job_id"], p["step_id"], p["trigger"]) for p in send_now.payloads] == [
        ("JOB000000001", "back-online", "photos_back_online"),
        ("JOB000000002", "online", "selling_started"),
    ]
