"""Demo data for ``make run``: a studio, its photographer account and a job."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib import wiring
from chalicelib.adapters.identity import create_photographer
from chalicelib.domain.ids import new_id
from chalicelib.domain.principal import Principal, utc_now

DEMO_EMAIL = "demo@photojobs.local"


@dataclass(frozen=True)
class Demo:
    studio_id: str
    email: str
    password: str
    job_id: str


def demo_password() -> str:
    # Meets the pool's policy: upper, lower and digits, 16 characters.
    return "Demo-" + secrets.token_hex(4) + "Ab1"


def seed_demo(user_pool_id: str, today: date | None = None) -> Demo:
    from chalicelib.adapters.dynamo.studios_repository import Studio

    today = today or utc_now().date()
    studio_id = new_id()
    wiring.studios().put(Studio(studio_id, "Sunny Day Studio", "Europe/Berlin", utc_now()))
    password = demo_password()
    create_photographer(
        user_pool_id=user_pool_id, email=DEMO_EMAIL, password=password, studio_id=studio_id
    )
    who = Principal(studio_id=studio_id, user_id="seed", email=DEMO_EMAIL)
    job, _ = wiring.job_service().create_job(
        who,
        {
            "name": "St. John Primary School",
            "shooting_date": today.isoformat(),
            "job_type": "primary school",
            "internal_name": f"{today.year}-stjohn",
            "people_expected": 24,
            "contractee": {
                "name": "St. John Primary School",
                "email": "office@stjohn.example",
                "contact_person": "Mrs. Miller",
                "commission_rate": 0.1,
                "sales_access": True,
            },
            "watermark": {"text": "PROOF · Sunny Day Studio", "opacity": 0.35},
            "archive_date": (today + timedelta(days=42)).isoformat(),
            "voucher_deadline": (today + timedelta(days=14)).isoformat(),
        },
    )
    return Demo(studio_id, DEMO_EMAIL, password, job.job_id)
