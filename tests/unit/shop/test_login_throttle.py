"""The failed-login window arithmetic and the client's address (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.login_throttle import (
    ADDRESS,
    JOB,
    WINDOW_SECONDS,
    Counter,
    client_address,
    counters,
    window_at,
)


def test_windows_are_fixed_and_shared_by_every_instance():
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a multiple of ten minutes
    assert window_at(start).start == start
    inside = window_at(start + timedelta(minutes=9, seconds=59))
    assert inside.start == start and inside.key == str(int(start.timestamp()))
    assert window_at(start + timedelta(minutes=10)).start == start + timedelta(minutes=10)
    assert inside.end == start + timedelta(seconds=WINDOW_SECONDS)


@pytest.mark.parametrize(
    ("offset", "retry_after"),
    [(timedelta(0), 600), (timedelta(minutes=9, seconds=59, milliseconds=500), 1),
     (timedelta(minutes=4, milliseconds=1), 360)],
)  # fmt: skip
def test_retry_after_is_the_rest_of_the_window_rounded_up(offset, retry_after):
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert window_at(start + offset).retry_after(start + offset) == retry_after


def test_counters_outlive_their_window_before_ttl_removes_them():
    window = window_at(datetime(2026, 11, 23, 12, 3, tzinfo=UTC))
    assert window.expires_at > window.end


def test_an_attempt_counts_against_its_address_and_the_sessions_jobs():
    assert counters("203.0.113.7") == (Counter(ADDRESS, "203.0.113.7"),)
    assert counters("203.0.113.7", ("J1", "J2", "J1")) == (
        Counter(ADDRESS, "203.0.113.7"),
        Counter(JOB, "J1"),
        Counter(JOB, "J2"),
    )


@pytest.mark.parametrize(
    ("source_ip", "forwarded_for", "address"),
    [
        # API Gateway's peer is the client: a forged X-Forwarded-For changes nothing
        ("198.51.100.4", "1.2.3.4", "198.51.100.4"),
        # behind a proxy of ours (loopback, RFC 1918) the last untrusted hop is the client
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("10.0.0.5", "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "garbage", "127.0.0.1"),
        (None, "203.0.113.9", "203.0.113.9"),
        (None, None, "unknown"),
        ("2001:db8::1", "203.0.113.9", "2001:db8::1"),
    ],
)
def test_the_client_address_cannot_be_chosen_by_the_client(source_ip, forwarded_for, address):
    assert client_address(source_ip, forwarded_for) == address
