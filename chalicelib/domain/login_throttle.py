"""Brute-force protection of the shop login: failed attempts per client address and per job in
fixed windows (:data:`WINDOW_SECONDS`), at most :data:`ATTEMPT_LIMIT` per window.

Pure: the window arithmetic, the counters an attempt touches and the client's address. The
counters live in DynamoDB (``throttle_repository``): an attempt *reserves* one unit of each
counter with a conditional ``ADD`` before the code is looked up, and a successful login gives
it back. So concurrent guesses can never exceed the limit, and a blocked client learns nothing,
not even whether a code it tries is right.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

ATTEMPT_LIMIT = 10
WINDOW_SECONDS = 10 * 60
# Counters outlive their window by this much before DynamoDB's TTL may delete them.
COUNTER_GRACE = timedelta(minutes=10)

ADDRESS = "ADDR"
JOB = "JOB"


@dataclass(frozen=True)
class Window:
    start: datetime
    seconds: int = WINDOW_SECONDS

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    @property
    def key(self) -> str:
        return str(int(self.start.timestamp()))

    @property
    def expires_at(self) -> datetime:
        """When the counter may be deleted (TTL): a while after the window closed."""
        return self.end + COUNTER_GRACE

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the window closes (at least 1): the ``Retry-After`` value."""
        return max(1, math.ceil((self.end - now).total_seconds()))


def window_at(now: datetime, seconds: int = WINDOW_SECONDS) -> Window:
    """The fixed window ``now`` falls in: windows start at multiples of ``seconds`` since the
    epoch, so every Lambda instance agrees on them without coordination."""
    epoch = int(now.timestamp())
    return Window(datetime.fromtimestamp(epoch - epoch % seconds, UTC), seconds)


@dataclass(frozen=True)
class Counter:
    scope: str  # ADDRESS | JOB
    value: str


def counters(address: str, job_ids: tuple[str, ...] = ()) -> tuple[Counter, ...]:
    """The counters an attempt from ``address`` counts against: its address, and each job it is
    known to be about (the jobs of the session it adds a code to)."""
    return (Counter(ADDRESS, address), *(Counter(JOB, job) for job in dict.fromkeys(job_ids)))


def client_address(source_ip: str | None, forwarded_for: str | None) -> str:
    """The address a request came from.

    API Gateway's ``sourceIp`` is the peer it saw and cannot be forged. ``X-Forwarded-For`` is
    written by whoever sent the request, so it is only believed when the peer is a proxy of our
    own (a loopback or RFC 1918 address, as with a local server behind a proxy): then the
    right-most hop that is not such a proxy is the client. A client adding its own
    ``X-Forwarded-For`` entries therefore cannot pick the counter it is charged to.
    """
    peer = (source_ip or "").strip()
    if peer and not _trusted_proxy(peer):
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted_proxy(hop):
            return hop if _is_address(hop) else peer or "unknown"
    return peer or (hops[0] if hops else "unknown")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_PROXY_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")
)


def _trusted_proxy(text: str) -> bool:
    """Loopback and RFC 1918 / unique-local addresses: where our own proxies live."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return any(address in network for network in _PROXY_NETWORKS)
