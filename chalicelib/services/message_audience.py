"""Who a job's messages can reach, in the communication domain's terms: the shop's registered
customers (with the access code their link opens) and their orders, read at send time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.access_codes import format_code
from chalicelib.domain.communication import Customer, OrderSummary
from chalicelib.domain.customers import Customer as ShopCustomer
from chalicelib.domain.jobs import Job
from chalicelib.domain.subjects import Subject

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


class SubjectCodes(Protocol):
    """The access codes of a job's subjects, for the shop link of each customer."""

    def codes_by_subject(self, job_id: str) -> Mapping[str, str]: ...
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


def message_customer(
    customer: ShopCustomer, codes: Mapping[str, str], shared_code: str | None
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
    )


def order_summaries(
    orders: Iterable[ShopOrder], customers: Iterable[ShopCustomer]
) -> list[OrderSummary]:
    """Each order as it counts for each customer: the customer who placed it (same email)
    and the customers registered for a child it was placed for."""
    customers = list(customers)
    by_email: dict[str, set[str]] = {}
    by_subject: dict[str, set[str]] = {}
    for customer in customers:
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
    def __init__(self, customers: CustomersOfJob, orders: OrdersOfJob, codes: SubjectCodes) -> None:
        self._customers = customers
        self._orders = orders
        self._codes = codes

    def of(self, job: Job) -> Audience:
        """The job's customers and orders as they are now."""
        shop_customers = list(self._customers.customers_of_job(job.job_id))
        codes = self._codes.codes_by_subject(job.job_id) if shop_customers else {}
        needs_shared = any(c.shared_code for c in shop_customers)
        shared = self._codes.shared_code(job.job_id) if needs_shared else None
        orders = self._orders.orders_of_job(job.job_id) if shop_customers else ()
        return Audience(
            customers=tuple(message_customer(c, codes, shared) for c in shop_customers),
            orders=tuple(order_summaries(orders, shop_customers)),
            marketing_consent=frozenset(
                c.customer_id for c in shop_customers if c.marketing_consent
            ),
        )


class SubjectsOfJob(Protocol):
    def all_in_job(self, job_id: str) -> Sequence[Subject]: ...
    def shared_code(self, job_id: str) -> str | None: ...


class NameListCodes:
    """:class:`SubjectCodes` over the name list (one Query of the job's subjects)."""

    def __init__(self, subjects: SubjectsOfJob) -> None:
        self._subjects = subjects

    def codes_by_subject(self, job_id: str) -> Mapping[str, str]:
        return {s.subject_id: s.access_code for s in self._subjects.all_in_job(job_id)}

    def shared_code(self, job_id: str) -> str | None:
        return self._subjects.shared_code(job_id)
