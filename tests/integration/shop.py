"""Helpers of the shop tests: the photographer's admin calls, a parent's session and shop calls,
order bodies, the Stripe Checkout adapter over a fake HTTP client. The fixtures built with them
(``school``, ``gallery``, ``stripe_secret``) are in ``conftest.py``."""

from __future__ import annotations

import base64
import time
from datetime import date, datetime, timedelta
from typing import Any

import requests

from chalicelib.domain.access_codes import CODE_ALPHABET

SITE = "http://127.0.0.1:8001"  # the default PHOTOJOBS_SHOP_URL: the site's origin
START = datetime(2026, 11, 20, 9, 0, 0)
NAMES = "First name,Last name,Class\nAnna,Adler,3b\nBen,Braun,3b\nCarl,Cohn,4a\n"


# admin and shop calls --------------------------------------------------------------------------
def admin(api_url: str, who: Any, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, api_url + path, json=body, headers=who.headers, timeout=30)


def ok(answer: requests.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def make_job(api_url: str, who: Any, profile_id: str | None, **settings: Any) -> str:
    today = date.today()
    body = {
        "name": "St. Mary Primary School",
        "shooting_date": (today - timedelta(days=20)).isoformat(),
        "job_type": "primary school",
        "internal_name": f"stm-{time.monotonic_ns()}",
        "watermark": {"text": "PROOF"},
        "archive_date": (today + timedelta(days=30)).isoformat(),
        "voucher_deadline": (today + timedelta(days=10)).isoformat(),
        "price_profile_id": profile_id,
        **settings,
    }
    return str(ok(admin(api_url, who, "POST", "/api/jobs", body), 201)["job_id"])


def import_names(api_url: str, who: Any, job_id: str, names: str = NAMES) -> dict[str, Any]:
    content = base64.b64encode(names.encode()).decode()
    body = {"filename": "names.csv", "content_base64": content}
    ok(admin(api_url, who, "POST", f"/api/jobs/{job_id}/subjects/import", body))
    listed = ok(admin(api_url, who, "GET", f"/api/jobs/{job_id}/subjects"))["items"]
    return {s["first_name"]: s for s in listed}


def set_status(api_url: str, who: Any, job_id: str, status: str) -> None:
    body = {"status": status, "force": True}
    ok(admin(api_url, who, "POST", f"/api/jobs/{job_id}/status", body))


def login(
    api_url: str, code: str, *, token: str | None = None, address: str = "198.18.0.1"
) -> requests.Response:
    headers = {"Origin": SITE, "X-Forwarded-For": address}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(
        f"{api_url}/shop/session", json={"code": code}, headers=headers, timeout=30
    )


def session(api_url: str, code: str, **kwargs: Any) -> dict[str, Any]:
    return dict(ok(login(api_url, code, **kwargs)))


def shop(
    api_url: str, token: str, method: str, path: str, body: Any = None, **params: Any
) -> requests.Response:
    return requests.request(
        method,
        f"{api_url}/shop/{path}",
        json=body,
        params=params or None,
        headers={"Authorization": f"Bearer {token}", "Origin": SITE},
        timeout=30,
    )


def order_body(job_id: str, *lines: tuple[str, str, int], **extra: Any) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "lines": [{"photo_id": p, "product_id": prod, "quantity": q} for p, prod, q in lines],
        "contact": {"name": "Anna's mum", "email": "mum@example.com"},
        **extra,
    }


def typo(code: str) -> str:
    """The code with its first character changed: the check character catches it."""
    first = CODE_ALPHABET[(CODE_ALPHABET.index(code[0]) + 1) % len(CODE_ALPHABET)]
    return first + code[1:]


def token_of(api_url: str, gallery: dict[str, Any], name: str = "Anna") -> str:
    """A shop session's token opened with the child's access code."""
    return str(session(api_url, gallery["subjects"][name]["access_code"])["token"])


WEBHOOK = "/shop/webhooks/stripe"
RETURN_URL = "http://127.0.0.1:8001/#/order/{ORDER_ID}"


def stripe_checkout(secret_arn: str, http: Any) -> Any:
    """The Stripe Checkout adapter with the keys in Secrets Manager, Stripe's side faked at
    ``http``."""
    from chalicelib.adapters.payments.stripe_checkout import StripeCheckout
    from chalicelib.adapters.payments.stripe_secrets import StripeSecretReader

    return StripeCheckout(
        StripeSecretReader(secret_arn),
        success_url=RETURN_URL,
        cancel_url=RETURN_URL,
        http_client=http,
    )


def deliver(api_url: str, payload: bytes, header: str | None) -> requests.Response:
    """A webhook delivery as Stripe POSTs it."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return requests.post(f"{api_url}{WEBHOOK}", data=payload, headers=headers, timeout=10)
