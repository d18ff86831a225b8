from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.communication import Customer, MessageJob, default_profile


@pytest.fixture
def profile():
    return default_profile("STUDIO000001")


@pytest.fixture
def message_job():
    return MessageJob(
        name="St. John Primary School",
        locale="en",
        shop_url="https://shop.sunshine-photo.com",
        studio_name="Sunshine Photography",
        archive_date=date(2026, 12, 4),
        voucher_deadline=date(2026, 11, 27),
        prepay_deadline=date(2026, 11, 20),
        voucher_text="15% off all prints",
    )


@pytest.fixture
def anna():
    return Customer(
        "CUST00000001",
        name="Anna",
        email="anna@example.com",
        phone="+4915112345678",
        access_code="K7Q2M9XW4P3R",
    )
