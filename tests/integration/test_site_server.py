"""`make run`'s site server: the shop's static files as they are, and ``/config.js`` telling the
pages where the shop API is (the address is configuration, never written into site/)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from chalicelib.local.endpoint import free_port
from chalicelib.local.servers import start_site

pytestmark = pytest.mark.integration

SITE = Path(__file__).resolve().parents[2] / "site"
API = "https://abc123.execute-api.eu-central-1.amazonaws.com/api"


@pytest.fixture()
def site_url() -> Iterator[str]:
    port = free_port()
    server = start_site(SITE, "127.0.0.1", port, {"apiUrl": API})
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_config_js_names_the_api_the_server_was_given(site_url: str) -> None:
    answer = requests.get(f"{site_url}/config.js", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/javascript"
    prefix, _, rest = answer.text.partition("=")
    assert prefix.strip() == "window.PHOTOJOBS"
    assert json.loads(rest.strip().rstrip(";")) == {"apiUrl": API}
    # a cache-busting query string changes nothing
    assert requests.get(f"{site_url}/config.js?v=2", timeout=10).text == answer.text


def test_the_pages_are_served_as_they_are(site_url: str) -> None:
    page = requests.get(f"{site_url}/", timeout=10)
    assert page.status_code == 200
    assert page.text == (SITE / "index.html").read_text(encoding="utf-8")
    script = requests.get(f"{site_url}/js/api.js", timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert requests.get(f"{site_url}/nope.html", timeout=10).status_code == 404
