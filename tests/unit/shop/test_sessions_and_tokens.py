"""Shop sessions and their tokens (pure: a fixed key, no AWS)."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.adapters.session_tokens import (
    KEY_MAX_AGE_SECONDS,
    SecretSigningKey,
    SessionTokens,
    SigningKeyInvalid,
)
from chalicelib.domain.shop_sessions import (
    MAX_ENTRIES,
    SESSION_SECONDS,
    DifferentStudio,
    SessionEntry,
    SessionFull,
    session_claims,
    session_from_claims,
    with_build_runs,
    with_code,
)
from chalicelib.domain.subjects import ACTIVE, AccessCodeClaim
from chalicelib.errors import Unauthorized

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = b"k" * 48


def claim(job="J1", subject="S1", studio="STUDIO") -> AccessCodeClaim:
    return AccessCodeClaim("CODE", studio, job, subject, ACTIVE, NOW)


def tokens() -> SessionTokens:
    return SessionTokens(lambda: KEY)


def fresh_session():
    # issued now (real clock): the JWT library checks exp against the real time
    return with_code(None, claim(), session_id="SID", now=datetime.now(UTC))


def test_a_code_opens_a_session_and_a_sibling_joins_it():
    # Given a session opened with one child's code
    first = with_code(None, claim(), session_id="SID", now=NOW)
    assert first.entries == (SessionEntry("J1", "S1"),)
    assert first.expires_at - first.issued_at == timedelta(seconds=SESSION_SECONDS)
    # When a sibling's code (another job of the same studio) is added an hour later
    later = NOW + timedelta(hours=1)
    both = with_code(first, claim("J2", "S9"), session_id="OTHER", now=later)
    # Then the session keeps its id, holds both and lives two hours from now
    assert both.session_id == "SID"
    assert both.entries == (SessionEntry("J1", "S1"), SessionEntry("J2", "S9"))
    assert both.job_ids == ("J1", "J2") and both.expires_at == later + timedelta(hours=2)
    # and the same code again changes nothing but the expiry
    assert with_code(both, claim(), session_id="X", now=later).entries == both.entries


def test_another_studios_code_and_too_many_codes_are_refused():
    session = with_code(None, claim(), session_id="SID", now=NOW)
    with pytest.raises(DifferentStudio):
        with_code(session, claim(studio="ELSEWHERE"), session_id="X", now=NOW)
    for n in range(2, MAX_ENTRIES + 1):
        session = with_code(session, claim(subject=f"S{n}"), session_id="X", now=NOW)
    with pytest.raises(SessionFull):
        with_code(session, claim(subject="ONE-TOO-MANY"), session_id="X", now=NOW)


def test_claims_round_trip_and_carry_no_access_code():
    session = with_code(None, claim(), session_id="SID", now=NOW)
    shared = with_code(session, claim("J3", None), session_id="X", now=NOW)
    claims = session_claims(shared)
    assert claims["sub"] == "SID" and claims["studio"] == "STUDIO"
    assert claims["entries"] == [["J1", "S1"], ["J3", None]]
    assert claims["exp"] - claims["iat"] == SESSION_SECONDS
    assert "CODE" not in json.dumps(claims)
    restored = session_from_claims(claims)
    assert restored.entries == shared.entries and restored.session_id == "SID"
    assert restored.expires_at == shared.expires_at.replace(microsecond=0)
    with pytest.raises(Unauthorized):
        session_from_claims({**claims, "entries": "nonsense"})


def test_the_build_runs_seen_at_login_travel_in_the_token_and_older_tokens_have_none():
    # Given a session of two jobs, only the first of which has published galleries (issued
    # now: the JWT library checks the expiry against the real clock)
    now = datetime.now(UTC)
    session = with_code(None, claim(), session_id="SID", now=now)
    session = with_code(session, claim("J2", "S2"), session_id="X", now=now)
    hinted = with_build_runs(session, {"J1": "RUN1", "ELSEWHERE": "RUN9"})
    # Then only the session's job with a run is named, and the token carries it
    assert hinted.build_runs == (("J1", "RUN1"),)
    assert tokens().verify(f"Bearer {tokens().issue(hinted)}").build_runs == (("J1", "RUN1"),)
    # and a token issued before runs were carried still opens its session, without hints
    claims = session_claims(session)
    del claims["runs"]
    assert session_from_claims(claims).build_runs == ()
    with pytest.raises(Unauthorized):
        session_from_claims({**claims, "runs": "nonsense"})


def test_a_token_verifies_and_tampering_expiry_or_another_key_do_not():
    session = fresh_session()
    token = tokens().issue(session)
    assert tokens().verify(f"Bearer {token}").entries == session.entries
    # tampered payload, same signature
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["entries"] = [["J1", "SOMEONE-ELSE"]]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for bad in (
        f"{header}.{forged}.{signature}",
        SessionTokens(lambda: b"x" * 48).issue(session),  # another key
        jwt.encode({**session_claims(session), "alg": "none"}, None, algorithm="none"),
        jwt.encode({**session_claims(session), "aud": "cognito-client"}, KEY, algorithm="HS256"),
        "not-a-jwt",
    ):
        with pytest.raises(Unauthorized):
            tokens().verify(f"Bearer {bad}")
    # expired
    old = replace(session, issued_at=NOW - timedelta(hours=3), expires_at=NOW - timedelta(hours=1))
    with pytest.raises(Unauthorized, match="expired"):
        tokens().verify(f"Bearer {tokens().issue(old)}")
    # no header, or another scheme
    for header_value in (None, "", token, f"Basic {token}"):
        with pytest.raises(Unauthorized):
            tokens().verify(header_value)


class FakeSecrets:
    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0

    def get_secret_value(self, SecretId: str) -> dict:
        self.reads += 1
        return {"SecretString": self.value}


def test_the_signing_key_is_read_once_in_a_while_and_must_be_long_enough():
    secrets = FakeSecrets("s" * 40)
    clock = [0.0]
    key = SecretSigningKey("arn:secret", client=secrets, clock=lambda: clock[0])
    assert key() == b"s" * 40 and key() == b"s" * 40 and secrets.reads == 1
    clock[0] += KEY_MAX_AGE_SECONDS  # a rotated secret is picked up
    secrets.value = "t" * 40
    assert key() == b"t" * 40 and secrets.reads == 2
    with pytest.raises(SigningKeyInvalid):
        SecretSigningKey("arn:short", client=FakeSecrets("short"))()
