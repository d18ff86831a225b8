"""Demo data for ``make run``: a studio, its photographer account and a job with a names list."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from chalicelib import wiring
from chalicelib.adapters.identity import create_photographer
from chalicelib.domain.ids import new_id
from chalicelib.domain.principal import Principal, utc_now

if TYPE_CHECKING:
    from chalicelib.domain.subjects import Subject

DEMO_EMAIL = "demo@photojobs.local"
# The demo job's names list: two classes, each child with a fixed access code, so that the shop
# can be tried with a code from here (the local stack starts empty every time).
DEMO_NAME_LIST = """First name,Last name,Class,Access code,Parent email
Zoë,Müller,3b,DEMO3B01,mueller@example.com
Jonas,Weber,3b,DEMO3B02,weber@example.com
Mia,Schröder,3b,DEMO3B03,
Paul,Becker,3b,DEMO3B04,becker@example.com
Lina,Hoffmann,3b,DEMO3B05,
Ben,Fischer,3b,DEMO3B06,fischer@example.com
Amira,Haddad,4a,DEMO4A01,haddad@example.com
Leo,Schmidt,4a,DEMO4A02,
Ida,Łukasik,4a,DEMO4A03,lukasik@example.com
Noah,Wagner,4a,DEMO4A04,
Emma,Koch,4a,DEMO4A05,koch@example.com
Elias,Richter,4a,DEMO4A06,
"""


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
    seed_demo_names(who, job.job_id)
    return Demo(studio_id, DEMO_EMAIL, password, job.job_id)


def seed_demo_names(who: Principal, job_id: str) -> None:
    """Import :data:`DEMO_NAME_LIST` into the demo job (through the real import)."""
    content = base64.b64encode(DEMO_NAME_LIST.encode()).decode()
    wiring.subject_service().import_roster(
        who, job_id, {"filename": "demo-names.csv", "content_base64": content}
    )


def demo_subjects(job_id: str) -> list[Subject]:
    """The demo job's subjects in card order (class, then name): who the demo shoot shows."""
    from chalicelib.domain.subjects import in_card_order

    return in_card_order(wiring.subjects().all_in_job(job_id))


def demo_subject_tags(job_id: str) -> list[str]:
    """The QR tags of the demo subjects' cards, in card order (for a generated demo shoot)."""
    return [subject.tag for subject in demo_subjects(job_id)]
