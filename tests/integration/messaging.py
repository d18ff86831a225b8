"""Helpers of the message tests: customers and orders written through the shop's repositories,
the local schedule firer aimed at the real send_messages handler, and the local outbox."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import requests

from chalicelib import wiring
from chalicelib.adapters.aws import client
from chalicelib.domain.customers import Customer
from chalicelib.domain.ids import new_id
from chalicelib.domain.orders import Contact, Order, Payment
from chalicelib.domain.shop_access import Registration
from chalicelib.local.outbox import Outbox, read_outbox
from chalicelib.local.runner import function_arn
from chalicelib.local.wiring import ScheduleFirer, schedule_due_at

T = TypeVar("T")


def call(api_url: str, who: Any, method: str, path: str, body: Any = None, **params: Any):
    return requests.request(
        method, api_url + path, json=body, params=params or None, headers=who.headers, timeout=20
    )


def local_today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def make_job(api_url: str, who: Any, **settings: Any) -> dict[str, Any]:
    body = {
        "name": "St. John Primary School",
        "shooting_date": local_today("Europe/Berlin").isoformat(),
        "job_type": "primary school",
        "internal_name": f"st-john-{new_id(6)}",
        "communication_profile_id": "default",
        "timezone": "Europe/Berlin",
        **settings,
    }
    answer = call(api_url, who, "POST", "/api/jobs", body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def profile_without_quiet_hours(api_url: str, who: Any, **changes: Any) -> str:
    """A copy of the default profile that sends at any hour (tests run at any time of day)."""
    copy = call(api_url, who, "POST", "/api/communication-profiles/default/copy", {}).json()
    path = f"/api/communication-profiles/{copy['profile_id']}"
    answer = call(api_url, who, "PATCH", path, {"quiet_hours": None, **changes})
    assert answer.status_code == 200, answer.text
    return str(copy["profile_id"])


def set_status(api_url: str, who: Any, job_id: str, status: str) -> dict[str, Any]:
    body = {"status": status, "force": True}
    answer = call(api_url, who, "POST", f"/api/jobs/{job_id}/status", body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def register(
    job: dict[str, Any],
    studio_id: str,
    email: str,
    first_name: str,
    *,
    phone: str | None = None,
    consent: bool = True,
) -> Customer:
    """A registration as the shop writes it (its own validation is the shop's business)."""
    registration = Registration(
        job_id=job["job_id"],
        first_name=first_name,
        last_name="Parent",
        email=email,
        phone=phone,
        marketing_consent=consent,
    )
    return wiring.customers().register(
        registration,
        studio_id=studio_id,
        registration_keys=["*"],
        customer_id=new_id(),
        now=datetime.now(UTC),
    )


def place_order(job: dict[str, Any], studio_id: str, email: str, status: str = "paid") -> None:
    """An order as the shop stores it (lines do not matter to audiences)."""
    from chalicelib.adapters.dynamo.orders_repository import OrderRepository

    now = datetime.now(UTC)
    OrderRepository().place(
        Order(
            order_id=new_id(),
            studio_id=studio_id,
            job_id=job["job_id"],
            job_name=job["name"],
            internal_job_name=job["internal_name"],
            session_id="S",
            subject_ids=(),
            contact=Contact("A Parent", email),
            lines=(),
            products=(),
            currency="EUR",
            subtotal_minor=1000,
            discount_minor=0,
            total_minor=1000,
            status=status,
            payment=Payment("offline"),
            created_at=now,
            updated_at=now,
        )
    )


def firer(stage: Any) -> ScheduleFirer:
    """The runner's schedule firer, aimed at the real functions/send_messages handler."""
    from functions.send_messages.handler import handler

    arn = function_arn(stage.names.stage, "send_messages")
    return ScheduleFirer(client("scheduler"), stage.names.schedule_group, {arn: handler})


def fire(stage: Any, name: str) -> list[str]:
    """Fire one schedule at its due time, as the local runner (and AWS) would."""
    return firer(stage).fire_due(schedule_due_at(schedules(stage)[name]))


def schedules(stage: Any, prefix: str = "pj-") -> dict[str, dict[str, Any]]:
    """The schedules of the stage's group (default: of date-relative steps), by name, as
    Scheduler returns them."""
    scheduler = client("scheduler")
    names = [
        s["Name"]
        for s in scheduler.list_schedules(GroupName=stage.names.schedule_group)["Schedules"]
        if s["Name"].startswith(prefix)
    ]
    return {
        name: scheduler.get_schedule(GroupName=stage.names.schedule_group, Name=name)
        for name in names
    }


def outbox() -> Outbox:
    return read_outbox(os.environ["AWS_ENDPOINT_URL"])


def wait_for(probe: Callable[[], T], *, timeout: float = 15.0) -> T:
    """``probe()`` once it is truthy (asynchronous invokes run in a thread of the local
    Lambda endpoint)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def runs_of(api_url: str, who: Any, job_id: str, step_id: str) -> dict[str, Any]:
    view = call(api_url, who, "GET", f"/api/jobs/{job_id}/messages").json()
    return next((r for r in view["runs"] if r["step_id"] == step_id), {"runs": 0})


def next_dst_change(zone: str, after: date) -> date:
    """The first day after ``after`` whose 10:00 has another UTC offset than the day before."""
    tz = ZoneInfo(zone)
    day = after
    for _ in range(400):
        nxt = day + timedelta(days=1)
        before = datetime(day.year, day.month, day.day, 10, tzinfo=tz).utcoffset()
        later = datetime(nxt.year, nxt.month, nxt.day, 10, tzinfo=tz).utcoffset()
        if before != later:
            return nxt
        day = nxt
    raise AssertionError(f"no DST change in {zone}")
