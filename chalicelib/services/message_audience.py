"""Who a job's messages can reach, in the communication domain's terms: the shop's registered
customers (with the access code their link opens) and their orders, read at send time.

A job recreated after an accidental delete (seed 004, ``Job.recreates``) also reaches the
parent contacts of its name list: its parents registered in the deleted job, not in this one,
and the new job's campaign is how they learn their new codes. Each contact (the n-th e-mail
and n-th phone number of a child's row) becomes a recipient linked with that child's new
code, with an id derived from the subject id and the contact's index (``nl-<subject>-<n>``),
so message keys stay the same however often the audience is read. A contact is left out when
a registered customer already has one of its addresses and knows that child's code (it is
the same parent), and when an earlier contact has the same address and code.

Decisions:

- Only for recreated jobs. In any other job, ``all_registered`` means what it says: a name
  list's contacts were given to the studio by the school, and parents opt in by registering.
- For every profile step whose audience is the whole job (back online, the archive, voucher
  and prepay reminders, archived), with the usual ``not_ordered``/``buyers`` filters: an order
  counts for a contact when placed with its e-mail address or for its child. Registration and
  abandoned-cart steps go to one registered customer by construction, so contacts never get
  them.
- Never newsletters: contacts gave no marketing consent (``marketing_consent`` leaves them
  out, and newsletter sends count them as ``no_marketing_consent``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.access_codes import format_code
from chalicelib.domain.communication import Customer, OrderSummary
from chalicelib.domain.communication.audience import normalize_email, phone_key
from chalicelib.domain.customers import Customer as ShopCustomer
from chalicelib.domain.jobs import Job
from chalicelib.domain.subjects import Subject

NAME_LIST_ID_PREFIX = "nl-"

PAID_STATUSES = frozenset({"paid", "fulfilled"})
CANCELLED_STATUS = "cancelled"


class CustomersOfJob(Protocol):
    def customers_of_job(self, job_id: str) -> Sequence[ShopCustomer]: ...


class OrderContact(Protocol):
    @property
    def email(self) -> str: ...


class ShopOrder(Protocol):
    """What audience rules read of an order of the shop (``chalicelib.domain.orders.Order``)."""

    @property
    def order_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def subject_ids(self) -> tuple[str, ...]: ...
    @property
    def contact(self) -> OrderContact: ...


class OrdersOfJob(Protocol):
    def orders_of_job(self, job_id: str) -> Sequence[ShopOrder]: ...


class Member(Protocol):
    """Someone a job's messages may reach: a registered customer or a name list's contact."""

    @property
    def customer_id(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def subject_ids(self) -> tuple[str, ...]: ...
    @property
    def shared_code(self) -> bool: ...


class NameList(Protocol):
    """A job's name list: its subjects (codes and parent contacts) and its shared code."""

    def all_in_job(self, job_id: str) -> Sequence[Subject]: ...
    def shared_code(self, job_id: str) -> str | None: ...


class NoOrders:
    """Until the shop's orders can be read: nobody counts as having ordered."""

    def orders_of_job(self, job_id: str) -> Sequence[ShopOrder]:
        return ()


@dataclass(frozen=True)
class Audience:
    customers: tuple[Customer, ...]
    orders: tuple[OrderSummary, ...]
    marketing_consent: frozenset[str]  # ids of customers who agreed to marketing messages


@dataclass(frozen=True)
class NameListContact:
    """A parent contact of a name list's row, as a :class:`Member` without a registration."""

    customer_id: str
    email: str  # "" when the contact is a phone number only
    phone: str | None
    subject_ids: tuple[str, ...]
    first_name: str = ""  # a name list names the child, not the parent
    shared_code: bool = False


def name_list_contact_id(subject_id: str, index: int) -> str:
    return f"{NAME_LIST_ID_PREFIX}{subject_id}-{index}"


def _address_keys(email: str | None, phone: str | None) -> set[str]:
    keys = set()
    if email:
        keys.add("email:" + normalize_email(email))
    if phone:  # an invalid number is kept as written: it fails when it is sent
        keys.add("phone:" + phone_key(phone))
    return keys


def name_list_contacts(
    subjects: Iterable[Subject],
    registered: Iterable[Member],
    codes: Mapping[str, str],
    shared_code: str | None = None,
) -> list[NameListContact]:
    """The parent contacts of ``subjects`` that no registered customer stands for already
    (see the module docstring). The n-th e-mail and n-th phone of a row are one contact."""
    known: set[tuple[str, str]] = set()  # (address key, code) pairs already reached
    for member in registered:
        member_codes = {codes[s] for s in member.subject_ids if s in codes}
        if member.shared_code and shared_code:
            member_codes.add(shared_code)
        for address in _address_keys(member.email, member.phone):
            known.update((address, code) for code in member_codes)
    contacts: list[NameListContact] = []
    for subject in subjects:
        code = codes.get(subject.subject_id, subject.access_code)
        for index in range(max(len(subject.emails), len(subject.phones))):
            email = subject.emails[index] if index < len(subject.emails) else ""
            phone = subject.phones[index] if index < len(subject.phones) else None
            pairs = {(address, code) for address in _address_keys(email, phone)}
            if not pairs or pairs & known:
                continue
            known |= pairs
            contacts.append(
                NameListContact(
                    customer_id=name_list_contact_id(subject.subject_id, index),
                    email=email,
                    phone=phone,
                    subject_ids=(subject.subject_id,),
                )
            )
    return contacts


def message_customer(
    customer: Member, codes: Mapping[str, str], shared_code: str | None
) -> Customer:
    """The shop's customer as a recipient: greeted by first name, linked with the access code
    of their first child (or the job's shared code)."""
    code = next((codes[s] for s in customer.subject_ids if s in codes), None)
    if code is None and customer.shared_code:
        code = shared_code
    return Customer(
        customer_id=customer.customer_id,
        name=customer.first_name or None,
        email=customer.email or None,
        phone=customer.phone,
        access_code=format_code(code) if code else None,
        registered=not isinstance(customer, NameListContact),
    )


def order_summaries(orders: Iterable[ShopOrder], customers: Iterable[Member]) -> list[OrderSummary]:
    """Each order as it counts for each customer: the customer who placed it (same email)
    and the customers registered (or, from a name list, contacts) for a child it was placed
    for."""
    customers = list(customers)
    by_email: dict[str, set[str]] = {}
    by_subject: dict[str, set[str]] = {}
    for customer in customers:
        if customer.email:
            by_email.setdefault(customer.email.casefold(), set()).add(customer.customer_id)
        for subject_id in customer.subject_ids:
            by_subject.setdefault(subject_id, set()).add(customer.customer_id)
    summaries: list[OrderSummary] = []
    for order in orders:
        owners = set(by_email.get((order.contact.email or "").casefold(), ()))
        for subject_id in order.subject_ids:
            owners |= by_subject.get(subject_id, set())
        summaries.extend(
            OrderSummary(
                order_id=order.order_id,
                customer_id=customer_id,
                paid=order.status in PAID_STATUSES,
                cancelled=order.status == CANCELLED_STATUS,
            )
            for customer_id in sorted(owners)
        )
    return summaries


class JobAudience:
    def __init__(self, customers: CustomersOfJob, orders: OrdersOfJob, name_list: NameList) -> None:
        self._customers = customers
        self._orders = orders
        self._name_list = name_list

    def of(self, job: Job) -> Audience:
        """The job's customers and orders as they are now (and, for a recreated job, its
        name list's contacts; see the module docstring)."""
        shop_customers = list(self._customers.customers_of_job(job.job_id))
        members: list[Member] = list(shop_customers)
        subjects = self._name_list.all_in_job(job.job_id) if shop_customers or job.recreated else ()
        codes = {s.subject_id: s.access_code for s in subjects}
        needs_shared = any(c.shared_code for c in shop_customers)
        shared = self._name_list.shared_code(job.job_id) if needs_shared else None
        if job.recreated:
            members.extend(name_list_contacts(subjects, shop_customers, codes, shared))
        orders = self._orders.orders_of_job(job.job_id) if members else ()
        return Audience(
            customers=tuple(message_customer(m, codes, shared) for m in members),
            orders=tuple(order_summaries(orders, members)),
            marketing_consent=frozenset(
                c.customer_id for c in shop_customers if c.marketing_consent
            ),
        )
