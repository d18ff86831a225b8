"""Fixtures of the integration tests that several modules share: the messaging environment, and
the shop's school job, its built gallery and the Stripe secret."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.shop import START, import_names, make_job, set_status
from tests.integration.test_galleries_api import build, card, portrait
from tests.integration.test_pricing_api import make_profile
from tests.integration.test_upload_pipeline import drain as drain_uploads
from tests.integration.test_upload_pipeline import photos, upload


@pytest.fixture
def messaging(stage: Any, api_url: str) -> Iterator[Any]:
    """The stage, with the API (and the links in every email) at ``api_url``."""
    from chalicelib import wiring
    from chalicelib.config import get_settings

    os.environ["PHOTOJOBS_API_URL"] = api_url
    get_settings.cache_clear()
    wiring.reset()
    yield stage
    os.environ.pop("PHOTOJOBS_API_URL", None)
    wiring.reset()


# the shop -------------------------------------------------------------------------------------
@pytest.fixture()
def school(api_url, photographer, stage) -> dict[str, Any]:
    """A job (planning) with a price profile and three subjects; no photos."""
    profile_id = make_profile(api_url, photographer)["profile_id"]
    job_id = make_job(api_url, photographer, profile_id)
    return {
        "job_id": job_id,
        "profile_id": profile_id,
        "subjects": import_names(api_url, photographer, job_id),
    }


@pytest.fixture()
def gallery(api_url, photographer, stage, school) -> dict[str, Any]:
    """The school job selling, with a processed and built shoot: Anna's card and two
    portraits, Ben's card and a portrait, and the group photo of 3b."""
    job_id, subjects = school["job_id"], school["subjects"]
    at = [START + timedelta(seconds=10 * n) for n in range(6)]
    jpeg = "image/jpeg"
    upload(
        api_url,
        photographer,
        job_id,
        {
            "A_card.jpg": (card(subjects["Anna"]["tag"], at[0]), jpeg),
            "A_1.jpg": (portrait(at[1]), jpeg),
            "A_2.jpg": (portrait(at[2]), jpeg),
            "B_card.jpg": (card(subjects["Ben"]["tag"], at[3]), jpeg),
            "B_1.jpg": (portrait(at[4]), jpeg),
        },
        album="3b",
    )
    upload(api_url, photographer, job_id, {"3b.jpg": (portrait(at[5]), jpeg)}, album="group")
    drain_uploads(stage)
    assert build(api_url, photographer, job_id, stage)["state"] == "done"
    set_status(api_url, photographer, job_id, "selling")
    by_name = {p["file_name"]: p["photo_id"] for p in photos(api_url, photographer, job_id)}
    return {**school, "photos": by_name}


@pytest.fixture()
def stripe_secret(stage: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The Stripe secret on the endpoint, and the API configured for Stripe payments."""
    from chalicelib import wiring
    from chalicelib.adapters.aws import client
    from chalicelib.config import get_settings
    from tests.stripe_fakes import SECRET_KEY, WEBHOOK_SECRET

    arn = client("secretsmanager").create_secret(
        Name="photojobs/local/stripe",
        SecretString=json.dumps({"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}),
    )["ARN"]
    monkeypatch.setenv("PHOTOJOBS_STRIPE_SECRET_ARN", arn)
    monkeypatch.setenv("PHOTOJOBS_PAYMENT_PROVIDER", "stripe")
    get_settings.cache_clear()
    wiring.reset()
    yield arn
    get_settings.cache_clear()
    wiring.reset()
