from __future__ import annotations

import re

import pytest

from chalicelib.domain.communication import (
    Channel,
    InvalidUnsubscribeToken,
    make_unsubscribe_token,
    unsubscribe_url,
    verify_unsubscribe_token,
)

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def token(key=KEY, channel=Channel.EMAIL):
    return make_unsubscribe_token(
        key, studio_id="STUDIO000001", customer_id="C1", address="anna@example.com", channel=channel
    )


def test_a_token_round_trips_and_is_url_safe():
    value = token()
    assert re.fullmatch(r"1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", value)
    request = verify_unsubscribe_token(KEY, value)
    assert (request.studio_id, request.customer_id, request.address, request.channel) == (
        "STUDIO000001",
        "C1",
        "anna@example.com",
        Channel.EMAIL,
    )
    assert verify_unsubscribe_token(KEY, token(channel=Channel.SMS)).channel == Channel.SMS


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def test_tampered_tokens_are_refused():
    version, payload, signature = token().split(".")
    for bad in (
        f"{version}.{_flip(payload, 5)}.{signature}",
        f"{version}.{payload}.{_flip(signature, 3)}",
        f"2.{payload}.{signature}",
        f"{version}.{payload}",
        "",
        "not-a-token",
        f"{version}.{payload}.{signature}" + "A" * 2000,
    ):
        with pytest.raises(InvalidUnsubscribeToken):
            verify_unsubscribe_token(KEY, bad)


def test_a_token_signed_with_another_key_is_refused_unless_rotated_in():
    with pytest.raises(InvalidUnsubscribeToken):
        verify_unsubscribe_token(KEY, token(OTHER_KEY))
    assert (
        verify_unsubscribe_token(KEY, token(OTHER_KEY), previous_keys=[OTHER_KEY]).customer_id
        == "C1"
    )


def test_a_short_key_is_a_programming_error():
    with pytest.raises(ValueError):
        token(b"short")


def test_unsubscribe_url():
    assert unsubscribe_url("https://a.example/u", "1.x.y") == "https://a.example/u?token=1.x.y"
    assert (
        unsubscribe_url("https://a.example/u?s=1", "1.x.y") == "https://a.example/u?s=1&token=1.x.y"
    )
