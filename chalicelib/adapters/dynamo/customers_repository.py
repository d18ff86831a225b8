"""Customers (shop registrations) of jobs in DynamoDB: one item per job and e-mail address
(``keys.customer_sk``), plus a ``REGISTERED#`` mark per session entry that the shop reads with
the job. Both are written in one transaction, so a registration is either complete or absent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.models import CustomerItem, RegisteredItem, TableItem
from chalicelib.domain.customers import Customer
from chalicelib.domain.shop_access import Registration


def customer_from_item(item: CustomerItem) -> Customer:
    return Customer(
        customer_id=item.customer_id,
        job_id=item.job_id,
        studio_id=item.studio_id,
        email=item.email,
        first_name=item.first_name,
        last_name=item.last_name,
        marketing_consent=bool(item.marketing_consent),
        created_at=item.created_at,
        updated_at=item.updated_at,
        phone=item.phone,
        subject_ids=tuple(sorted(item.subject_ids or ())),
        shared_code=bool(item.shared_code),
    )


class CustomerRepository:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def register(
        self,
        registration: Registration,
        *,
        studio_id: str,
        registration_keys: Iterable[str],
        customer_id: str,
        now: datetime,
    ) -> Customer:
        """Create or update the job's customer with this e-mail address and mark the session's
        entries (subject ids, ``*`` for a shared code) registered, in one transaction.

        Registering again with the same address updates the details and adds subjects; the
        customer keeps its id and creation time (``customer_id`` is used for a new one only)."""
        job_pk = keys.job_pk(registration.job_id)
        entries = sorted(set(registration_keys))
        subject_ids = {key for key in entries if key != "*"}
        actions: list[Any] = [
            CustomerItem.kind.set(CustomerItem),
            CustomerItem.customer_id.set(CustomerItem.customer_id | customer_id),
            CustomerItem.created_at.set(CustomerItem.created_at | now),
            CustomerItem.job_id.set(registration.job_id),
            CustomerItem.studio_id.set(studio_id),
            CustomerItem.email.set(registration.email),
            CustomerItem.first_name.set(registration.first_name),
            CustomerItem.last_name.set(registration.last_name),
            CustomerItem.marketing_consent.set(registration.marketing_consent),
            CustomerItem.updated_at.set(now),
            CustomerItem.phone.set(registration.phone)
            if registration.phone
            else CustomerItem.phone.remove(),
        ]
        if subject_ids:
            actions.append(CustomerItem.subject_ids.add(subject_ids))
        if "*" in entries:
            actions.append(CustomerItem.shared_code.set(True))
        customer = CustomerItem(job_pk, keys.customer_sk(registration.email))
        with TransactWrite(connection=self._connection or Connection()) as transaction:
            transaction.update(customer, actions=actions)
            for key in entries:
                transaction.save(
                    RegisteredItem(
                        job_pk,
                        keys.registered_sk(key),
                        email=registration.email,
                        registered_at=now,
                    )
                )
        return self.get(registration.job_id, registration.email)

    def get(self, job_id: str, email: str) -> Customer:
        item = CustomerItem.get(keys.job_pk(job_id), keys.customer_sk(email), consistent_read=True)
        return customer_from_item(item)

    def find(self, job_id: str, email: str) -> Customer | None:
        try:
            return self.get(job_id, email)
        except DoesNotExist:
            return None

    def registered_customer(self, job_id: str, registration_keys: Iterable[str]) -> Customer | None:
        """The customer who registered the first of these session entries (subject ids, ``*``;
        in the session's order) that is registered for the job: siblings registered by
        different parents give the session the customer of its first code. One
        ``BatchGetItem`` of the registration marks, one ``GetItem`` of the customer."""
        ordered = list(dict.fromkeys(registration_keys))
        wanted = [(keys.job_pk(job_id), keys.registered_sk(key)) for key in ordered]
        emails = {
            item.sk: item.email
            for item in TableItem.batch_get(wanted, consistent_read=True)
            if isinstance(item, RegisteredItem)
        }
        for key in ordered:
            email = emails.get(keys.registered_sk(key))
            if email is not None:
                return self.find(job_id, email)
        return None

    def customers_of_job(self, job_id: str) -> list[Customer]:
        """Every registered customer of a job (one Query of the job's partition)."""
        results = TableItem.query(
            keys.job_pk(job_id), TableItem.sk.startswith(keys.CUSTOMER_PREFIX)
        )
        return [customer_from_item(i) for i in results if isinstance(i, CustomerItem)]
