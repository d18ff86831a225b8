"""Demo data for ``make run``: a studio, its photographer account and a job with a names list."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
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


# The demo shop (issue 5): the job's price list, a voucher, and the codes the runner prints.
DEMO_CODE = "DEMO3B01"  # Zoë Müller, 3b
DEMO_SIBLING_CODE = "DEMO4A01"  # Amira Haddad, 4a: add it to the same session as a sibling
DEMO_VOUCHER = "WELCOME10"
DEMO_PRODUCTS: list[dict[str, object]] = [
    {"product_id": "print-13x18", "kind": "print", "name": "Print", "size": "13x18",
     "price_minor": 990, "lab_code": "LAB-P1318"},
    {"product_id": "print-20x30", "kind": "print", "name": "Print", "size": "20x30",
     "price_minor": 1490, "lab_code": "LAB-P2030"},
    {"product_id": "download", "kind": "download", "name": "Digital file (full resolution)",
     "price_minor": 1290},
    {"product_id": "family-set", "kind": "package", "name": "Family set", "price_minor": 3490,
     "items": [{"product_id": "print-13x18", "quantity": 4}, {"product_id": "download"}]},
]  # fmt: skip
DEMO_READY_SECONDS = 300  # how long the runner waits for the demo shop to be built


@dataclass(frozen=True)
class Demo:
    studio_id: str
    email: str
    password: str
    job_id: str
    code: str = DEMO_CODE
    sibling_code: str = DEMO_SIBLING_CODE
    voucher: str = DEMO_VOUCHER


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
    profile = wiring.pricing_service().create_profile(
        who, {"name": "Primary schools (demo)", "currency": "EUR", "products": DEMO_PRODUCTS}
    )
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
            "price_profile_id": profile.profile_id,
            "registration": "optional",
            "communication_profile_id": "default",  # the shipped profile (issue 6)
        },
    )
    wiring.pricing_service().create_voucher(
        who, {"code": DEMO_VOUCHER, "percent": 10, "once_per_access_code": True}, job_id=job.job_id
    )
    seed_demo_names(who, job.job_id)
    seed_demo_customers(studio_id, job.job_id)
    return Demo(studio_id, DEMO_EMAIL, password, job.job_id)


def seed_demo_names(who: Principal, job_id: str) -> None:
    """Import :data:`DEMO_NAME_LIST` into the demo job (through the real import)."""
    content = base64.b64encode(DEMO_NAME_LIST.encode()).decode()
    wiring.subject_service().import_roster(
        who, job_id, {"filename": "demo-names.csv", "content_base64": content}
    )


# Parents registered in the demo shop (issue 6): the audience of the demo job's messages.
DEMO_CUSTOMERS = (
    ("DEMO3B01", "Sabine", "Müller", "mueller@example.com", "+4915112345678"),
    ("DEMO3B02", "Tom", "Weber", "weber@example.com", None),
    ("DEMO4A01", "Karim", "Haddad", "haddad@example.com", "+4915198765432"),
)


def seed_demo_customers(studio_id: str, job_id: str) -> None:
    """Register :data:`DEMO_CUSTOMERS` for their children, as the shop would."""
    from chalicelib.domain.shop_access import Registration

    by_code = {s.access_code: s.subject_id for s in wiring.subjects().all_in_job(job_id)}
    for code, first_name, last_name, email, phone in DEMO_CUSTOMERS:
        wiring.customers().register(
            Registration(job_id, first_name, last_name, email, phone, marketing_consent=True),
            studio_id=studio_id,
            registration_keys=[by_code[code]],
            customer_id=new_id(),
            now=utc_now(),
        )


def demo_subjects(job_id: str) -> list[Subject]:
    """The demo job's subjects in card order (class, then name): who the demo shoot shows."""
    from chalicelib.domain.subjects import in_card_order

    return in_card_order(wiring.subjects().all_in_job(job_id))


def demo_subject_tags(job_id: str) -> list[str]:
    """The QR tags of the demo subjects' cards, in card order (for a generated demo shoot)."""
    return [subject.tag for subject in demo_subjects(job_id)]


def open_demo_shop(demo: Demo, shoot: Path, *, timeout: float = DEMO_READY_SECONDS) -> None:
    """Put the demo shoot into the demo job the way a photographer would, then start selling:
    upload (S3 -> queue -> process_upload, drained by the local cloud wiring), build the
    galleries (work queue -> build_galleries) and move the job to selling (forced: the demo
    has no communication profile). Raises TimeoutError if the local cloud does not finish."""
    from chalicelib.domain.build_runs import DONE, FAILED

    who = Principal(studio_id=demo.studio_id, user_id="seed", email=demo.email)
    files = sorted(p for p in shoot.rglob("*.jpg") if p.is_file())
    by_name = {(f.parent.name, f.name): f for f in files}
    targets = wiring.upload_service().request_uploads(
        who,
        demo.job_id,
        {
            "files": [
                {
                    "name": f.name,
                    "size": f.stat().st_size,
                    "content_type": "image/jpeg",
                    "album": f.parent.name,
                }
                for f in files
            ]
        },
    )
    storage = wiring.storage()
    for target in targets:
        data = by_name[(target["album"], target["name"])].read_bytes()
        storage.write(target["key"], data, "image/jpeg")  # S3 notifies the upload queue
    deadline = time.monotonic() + timeout
    while not _all_processed(demo.job_id, len(files)):
        _wait(deadline, "processing the demo shoot")
    wiring.gallery_builds().request_for(demo.job_id, demo.studio_id, demo.email)
    while True:
        run = wiring.gallery_builds().status(who, demo.job_id)
        if run.state == DONE:
            break
        if run.state == FAILED:
            raise RuntimeError(f"the demo gallery build failed: {run.error}")
        _wait(deadline, "building the demo galleries")
    wiring.job_service().change_status(who, demo.job_id, {"status": "selling", "force": True})


def _all_processed(job_id: str, expected: int) -> bool:
    photos = wiring.photos().all_in_job(job_id)
    return len(photos) >= expected and all(p.state in ("ready", "failed") for p in photos)


def _wait(deadline: float, doing: str) -> None:
    if time.monotonic() > deadline:
        raise TimeoutError(f"the local cloud took too long {doing}")
    time.sleep(0.5)
