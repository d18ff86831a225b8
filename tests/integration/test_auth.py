"""The API verifies Cognito ID tokens itself (chalice local and chalice.test enforce nothing)."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

pytestmark = pytest.mark.integration


def moto_signing_key() -> Any:
    """The private key moto's Cognito signs with (its JWKS publishes the public half)."""
    packed = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz")
    text = gzip.decompress(packed.read_bytes()).decode()
    return jwt.algorithms.RSAAlgorithm.from_jwk(text)


def claims(stage: Any, studio_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": stage.environment["COGNITO_ISSUER"],
        "aud": stage.environment["COGNITO_CLIENT_ID"],
        "sub": "user-1",
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
        "email": "anna@studio-a.example",
        "custom:studio_id": studio_id,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def forge(payload: dict[str, Any], key: Any = None) -> str:
    return jwt.encode(
        payload, key or moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"}
    )


def get_me(api_url: str, token: str | None, scheme: str = "Bearer") -> requests.Response:
    headers = {"Authorization": f"{scheme} {token}"} if token else {}
    return requests.get(f"{api_url}/api/me", headers=headers, timeout=10)


def test_a_real_sign_in_gives_a_working_token(api_url, photographer):
    answer = get_me(api_url, photographer.token)
    assert answer.status_code == 200
    assert answer.json()["studio_id"] == photographer.studio_id


def test_the_forged_token_helper_is_accepted_when_everything_is_right(api_url, stage, photographer):
    # guards the negative tests below: they differ from this token in one respect only
    assert get_me(api_url, forge(claims(stage, photographer.studio_id))).status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}, "not valid"),
        ({"aud": "another-app-client"}, "not valid"),
        ({"token_use": "access"}, "ID token is required"),
        ({"custom:studio_id": None}, "does not belong to a studio"),
        ({"exp": None}, "not valid"),
    ],
)
def test_tokens_that_do_not_verify_are_401(api_url, stage, photographer, change, message):
    answer = get_me(api_url, forge(claims(stage, photographer.studio_id, **change)))
    assert answer.status_code == 401
    assert message in answer.json()["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_signed_by_another_key_is_401(api_url, stage, photographer):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answer = get_me(api_url, forge(claims(stage, photographer.studio_id), stranger))
    assert answer.status_code == 401


def test_a_tampered_token_is_401(api_url, photographer):
    header, payload, signature = photographer.token.split(".")
    body = json.loads(jwt.utils.base64url_decode(payload))
    body["custom:studio_id"] = "SOMEONE-ELSE"
    forged = jwt.utils.base64url_encode(json.dumps(body).encode()).decode()
    assert get_me(api_url, f"{header}.{forged}.{signature}").status_code == 401


@pytest.mark.parametrize("header", [None, "Basic dXNlcjpwdw==", "Bearer", "Bearer not.a.jwt"])
def test_missing_or_malformed_authorization_is_401(api_url, stage, header):
    headers = {"Authorization": header} if header else {}
    answer = requests.get(f"{api_url}/api/jobs", headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"


def test_every_admin_route_requires_a_token(api_url, stage):
    from chalicelib.api.routing import Routes

    for op in Routes.operations:
        if not op.auth:
            continue
        path = op.path.replace("{job_id}", "J").replace("{contractee_id}", "C")
        answer = requests.request(op.method, api_url + path, json={}, timeout=10)
        assert answer.status_code == 401, (op.method, op.path)


def test_wrong_password_is_401_without_saying_which_part_was_wrong(api_url, photographer):
    for email, password in [(photographer.email, "wrong-Pass-1"), ("nobody@x.example", "x")]:
        answer = requests.post(
            f"{api_url}/api/auth/login", json={"email": email, "password": password}, timeout=10
        )
        assert answer.status_code == 401
        assert answer.json()["message"] == "wrong email or password"


def test_refresh_gives_a_new_id_token(api_url, photographer):
    tokens = requests.post(
        f"{api_url}/api/auth/login",
        json={"email": photographer.email, "password": photographer.password},
        timeout=10,
    ).json()
    fresh = requests.post(
        f"{api_url}/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10
    )
    assert fresh.status_code == 200
    assert get_me(api_url, fresh.json()["id_token"]).status_code == 200
