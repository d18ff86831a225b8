"""``photojobs messages ...`` and ``photojobs outbox`` against the local stack, with the
runner's cloud wiring firing schedules as in ``make run``."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.cli.main import main
from chalicelib.config import get_settings
from chalicelib.local.runner import CloudWiring
from tests.integration.messaging import (
    firer,
    local_today,
    make_job,
    profile_without_quiet_hours,
    register,
    runs_of,
    set_status,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture()
def cli(api_url, stage, photographer, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOJOBS_API_URL", api_url)
    get_settings.cache_clear()
    wiring.reset()
    monkeypatch.setenv("PHOTOJOBS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PHOTOJOBS_PASSWORD", photographer.password)
    assert main(["--api", api_url, "login", "--email", photographer.email]) == 0

    def run(*argv: str) -> int:
        return main(["--api", api_url, *argv])

    return run


def test_fast_forward_sends_the_planned_reminders_once_and_the_outbox_shows_them(
    cli, api_url, stage, photographer, tmp_path, capsys
):
    # Given a selling job with two planned archive reminders, and the local cloud running
    archive = local_today("Europe/Berlin") + timedelta(days=14)
    profile_id = profile_without_quiet_hours(api_url, photographer)
    job = make_job(
        api_url,
        photographer,
        archive_date=archive.isoformat(),
        communication_profile_id=profile_id,
    )
    register(job, photographer.studio_id, "anna@example.com", "Anna", phone="+4915112345678")
    assert cli("messages", "profiles", "list") == 0
    set_status(api_url, photographer, job["job_id"], "selling")
    assert wait_for(lambda: runs_of(api_url, photographer, job["job_id"], "online")["runs"])
    capsys.readouterr()
    assert cli("messages", "list", job["job_id"]) == 0
    listing = capsys.readouterr().out
    assert f"{archive - timedelta(days=7)}T10:00  archive-7d" in listing
    assert f"{archive - timedelta(days=1)}T10:00  archive-1d-sms" in listing
    running = CloudWiring([], firer(stage), interval=0.1)
    running.start()
    try:
        # When the photographer fast-forwards the job
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        assert cli("messages", "fast-forward", job["job_id"], "--aws-endpoint", endpoint) == 0
        out = capsys.readouterr().out
        assert "2 schedule(s) fired" in out
        # And does it again: nothing is left to fire
        assert cli("messages", "fast-forward", job["job_id"], "--aws-endpoint", endpoint) == 0
        assert "no pending message schedules" in capsys.readouterr().out
    finally:
        running.stop()
    # Then the outbox shows the online email, the reminder and the SMS, once each
    html_dir = tmp_path / "outbox"
    assert cli("outbox", "--aws-endpoint", endpoint, "--html-dir", str(html_dir)) == 0
    out = capsys.readouterr().out
    assert "2 email(s):" in out and "1 SMS:" in out
    assert "Your photos of St. John Primary School are online" in out
    assert "Last chance: the photos of St. John Primary School" in out
    files = sorted(html_dir.glob("*.html"))
    assert len(files) == 2 and "Hello Anna," in files[1].read_text()
