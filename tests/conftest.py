"""Shared fixtures. Integration tests talk HTTP to a moto server started once per session and
reset before every test; the API is the real Chalice app served over HTTP."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"

# A shell starting the test run in the background (`make test &`, nohup) makes the run ignore
# Ctrl-C, and every process it starts would inherit that: the tests of Ctrl-C handling need
# Python's usual handler, here and (reset to the default on exec) in the processes they start.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[Any]:
    from chalicelib.local.endpoint import MotoEndpoint, free_port
    from chalicelib.local.lambda_endpoint import LocalLambdaEndpoint

    endpoint = MotoEndpoint("127.0.0.1", free_port())
    endpoint.start()
    # The functions the API invokes synchronously run in-process behind the Lambda Invoke API.
    functions = LocalLambdaEndpoint("127.0.0.1", free_port())
    functions.start()
    saved = dict(os.environ)
    os.environ.update(endpoint.environment())
    os.environ["AWS_ENDPOINT_URL_LAMBDA"] = functions.url
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    yield endpoint
    functions.stop()
    endpoint.stop()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture()
def stage(aws_endpoint: Any) -> Iterator[Any]:
    """A fresh set of resources on a reset endpoint, with the app wired to them."""
    from chalicelib import wiring
    from chalicelib.config import get_settings
    from chalicelib.local.bootstrap import StageNames, create_stage

    aws_endpoint.reset()
    created = create_stage(StageNames(), cors_origins=["http://127.0.0.1"])
    os.environ.update(created.environment)
    get_settings.cache_clear()
    wiring.reset()
    yield created
    wiring.reset()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def api_url(aws_endpoint: Any) -> str:
    from chalicelib.local.endpoint import free_port
    from chalicelib.local.servers import load_app, start_api

    port = free_port()
    start_api(load_app(ROOT / "app.py"), "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}"
    # As the local runner does: emails sent in the background link back to this API.
    os.environ["PHOTOJOBS_API_URL"] = url
    return url


@dataclass
class Photographer:
    studio_id: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_photographer(api_url: str, stage: Any, email: str) -> Photographer:
    import requests

    from chalicelib import wiring
    from chalicelib.adapters.dynamo.studios_repository import Studio
    from chalicelib.adapters.identity import create_photographer
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.principal import utc_now

    studio_id = new_id()
    wiring.studios().put(Studio(studio_id, f"Studio {email}", "Europe/Berlin", utc_now()))
    password = "Secret-pass-123"
    create_photographer(
        user_pool_id=stage.environment["COGNITO_USER_POOL_ID"],
        email=email,
        password=password,
        studio_id=studio_id,
    )
    answer = requests.post(
        f"{api_url}/api/auth/login", json={"email": email, "password": password}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return Photographer(studio_id, email, password, answer.json()["id_token"])


@pytest.fixture()
def photographer(api_url: str, stage: Any) -> Photographer:
    return make_photographer(api_url, stage, "anna@studio-a.example")


@pytest.fixture()
def other_photographer(api_url: str, stage: Any) -> Photographer:
    return make_photographer(api_url, stage, "ben@studio-b.example")
