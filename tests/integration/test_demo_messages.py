"""Issue 6's "done when", on the demo of ``make run``: switching the demo job to selling puts
"your photos are online" in the outbox, ``photojobs messages list`` shows the planned archive
and voucher reminders at their local times, and fast-forwarding sends them once."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib import wiring
from chalicelib.cli.main import main
from chalicelib.config import get_settings
from chalicelib.domain.principal import Principal
from chalicelib.local.outbox import Outbox
from chalicelib.local.runner import CloudWiring
from chalicelib.local.seed import DEMO_CUSTOMERS, seed_demo
from tests.integration.messaging import firer, outbox, wait_for

pytestmark = pytest.mark.integration

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture()
def demo(api_url, stage, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOJOBS_API_URL", api_url)
    get_settings.cache_clear()
    wiring.reset()
    # Plan as if it were noon in Berlin: the default profile's quiet hours (21:00-08:00) would
    # otherwise hold the "online" email back when the test runs at night.
    today = datetime.now(BERLIN).date()
    noon = datetime.combine(today, time(12), BERLIN).astimezone(UTC)
    wiring.override("message_clock", lambda: noon)
    seeded = seed_demo(stage.environment["COGNITO_USER_POOL_ID"], today=today)
    monkeypatch.setenv("PHOTOJOBS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PHOTOJOBS_PASSWORD", seeded.password)
    assert main(["--api", api_url, "login", "--email", seeded.email]) == 0
    yield seeded, today
    wiring.reset()


def test_the_demo_job_announces_its_photos_and_fast_forward_sends_the_reminders_once(
    api_url, stage, demo, capsys
):
    seeded, today = demo
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    parents = sorted(email for *_, email, _ in DEMO_CUSTOMERS)
    phones = sorted(phone for *_, phone in DEMO_CUSTOMERS if phone)
    # When the demo job starts selling (as the runner does once its galleries are built)
    who = Principal(studio_id=seeded.studio_id, user_id="seed", email=seeded.email)
    wiring.job_service().change_status(who, seeded.job_id, {"status": "selling", "force": True})

    # Then "your photos are online" is in the outbox for each registered parent
    def announced() -> list[Any]:
        found = [e for e in outbox().emails if e.subject.endswith("are online")]
        return found if len(found) >= len(parents) else []  # sent one by one, asynchronously

    online = wait_for(announced)
    assert sorted(e.to[0] for e in online) == parents
    # And the archive and voucher reminders are listed at 10:00 Berlin time
    capsys.readouterr()
    assert main(["--api", api_url, "messages", "list", seeded.job_id]) == 0
    listing = capsys.readouterr().out
    archive, voucher = today + timedelta(days=42), today + timedelta(days=14)
    assert "(selling, Europe/Berlin), profile default" in listing
    for day, step in (
        (voucher - timedelta(days=2), "voucher-2d"),
        (archive - timedelta(days=7), "archive-7d"),
        (archive - timedelta(days=1), "archive-1d-sms"),
    ):
        assert f"{day}T10:00  {step}" in listing, listing
    # When the photographer fast-forwards the job, with the local cloud firing schedules
    running = CloudWiring([], firer(stage), interval=0.1)
    running.start()
    try:
        forward = ["--api", api_url, "messages", "fast-forward", seeded.job_id]
        assert main([*forward, "--aws-endpoint", endpoint]) == 0
        assert "3 schedule(s) fired" in capsys.readouterr().out
        assert main([*forward, "--aws-endpoint", endpoint]) == 0
        assert "no pending message schedules" in capsys.readouterr().out
    finally:
        running.stop()

    # Then each reminder went once to each parent who has not ordered (all of them)
    def all_sent() -> Outbox | None:
        found = outbox()
        done = len(found.emails) >= 3 * len(parents) and len(found.sms) >= len(phones)
        return found if done else None

    sent = wait_for(all_sent) or outbox()
    by_subject: dict[str, list[str]] = {}
    for email in sent.emails:
        by_subject.setdefault(email.subject, []).append(email.to[0])
    assert {subject: sorted(to) for subject, to in by_subject.items()} == {
        "Your photos of St. John Primary School are online": parents,
        next(s for s in by_subject if s.startswith("Last chance")): parents,
        next(s for s in by_subject if "discount" in s.lower()): parents,
    }
    assert sorted(sms.phone_number for sms in sent.sms) == phones
    # And the outbox command shows them
    assert main(["--api", api_url, "outbox", "--aws-endpoint", endpoint]) == 0
    assert f"{3 * len(parents)} email(s):" in capsys.readouterr().out
