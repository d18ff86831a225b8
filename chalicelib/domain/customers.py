"""Customers of a job (seed 000, registration): who registered in the shop, for which children,
and whether they agreed to marketing messages. Read by the communication steps of a job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Customer:
    customer_id: str
    job_id: str
    studio_id: str
    email: str
    first_name: str
    last_name: str
    marketing_consent: bool
    created_at: datetime
    updated_at: datetime
    phone: str | None = None  # E.164
    subject_ids: tuple[str, ...] = ()  # the children whose codes the registering session held
    shared_code: bool = False  # registered with the job's shared code (no subject)

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)
