"""Signed unsubscribe tokens: ``1.<payload>.<signature>``, URL-safe base64 without padding.

The payload names the studio, the customer, the address and the channel; the signature is
HMAC-SHA256 under a key the caller passes in (from the settings, never hard-coded), over a
purpose label, the version and the payload. Tokens do not expire: an unsubscribe link must
keep working for as long as the email exists. Rotating the key: verify with
``previous_keys`` too while old emails are still around.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from chalicelib.domain.communication.errors import InvalidUnsubscribeToken
from chalicelib.domain.communication.profiles import Channel

TOKEN_VERSION = "1"  # noqa: S105 - a format version, not a secret
MIN_KEY_BYTES = 32
MAX_TOKEN_LENGTH = 1024
_PURPOSE = b"photojobs/unsubscribe"


@dataclass(frozen=True)
class UnsubscribeRequest:
    studio_id: str
    customer_id: str
    address: str  # the email address or phone number that opts out
    channel: Channel


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, version: str, payload: str) -> str:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the unsubscribe key needs at least {MIN_KEY_BYTES} bytes")
    message = b"|".join((_PURPOSE, version.encode(), payload.encode()))
    return _b64(hmac.new(key, message, hashlib.sha256).digest())


def make_unsubscribe_token(
    key: bytes, *, studio_id: str, customer_id: str, address: str, channel: Channel
) -> str:
    """A token for an unsubscribe link; ``verify_unsubscribe_token`` reads it back."""
    body = {"s": studio_id, "c": customer_id, "a": address, "ch": Channel(channel).value}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    return f"{TOKEN_VERSION}.{payload}.{_signature(key, TOKEN_VERSION, payload)}"


def verify_unsubscribe_token(
    key: bytes, token: str, *, previous_keys: Iterable[bytes] = ()
) -> UnsubscribeRequest:
    """The request a token stands for. Raises ``InvalidUnsubscribeToken`` when it is
    malformed, of an unknown version, or not signed by ``key`` (or a previous key)."""
    fits = isinstance(token, str) and len(token) <= MAX_TOKEN_LENGTH
    parts = token.split(".") if fits else []
    if len(parts) != 3 or parts[0] != TOKEN_VERSION:
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid")
    _, payload, signature = parts
    if not any(
        hmac.compare_digest(_signature(k, TOKEN_VERSION, payload), signature)
        for k in (key, *previous_keys)
    ):
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid")
    try:
        body = json.loads(_unb64(payload))
        return UnsubscribeRequest(
            studio_id=str(body["s"]),
            customer_id=str(body["c"]),
            address=str(body["a"]),
            channel=Channel(body["ch"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid") from exc


def unsubscribe_url(endpoint: str, token: str) -> str:
    """``endpoint`` (the page or API route that handles unsubscribes) with the token added."""
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode({'token': token})}"
