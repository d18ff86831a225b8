"""Signed unsubscribe links in every email, and what following one does: the address opts
out of the studio's messages on that channel (no login; the signature is the proof)."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.adapters.dynamo.messages_repository import OptOutRepository
from chalicelib.domain.communication import (
    Channel,
    UnsubscribeRequest,
    make_unsubscribe_token,
    unsubscribe_url,
    verify_unsubscribe_token,
)
from chalicelib.domain.principal import Clock, utc_now

UNSUBSCRIBE_PATH = "/shop/unsubscribe"


class UnsubscribeLinks:
    def __init__(self, key: Callable[[], bytes], api_url: str) -> None:
        """``key`` reads the signing key when first needed; ``api_url`` is the API's public
        address (the link goes to ``GET {api_url}/shop/unsubscribe?token=...``)."""
        self._key = key
        self._endpoint = api_url.rstrip("/") + UNSUBSCRIBE_PATH

    def url_for(self, *, studio_id: str, customer_id: str, address: str, channel: Channel) -> str:
        token = make_unsubscribe_token(
            self._key(),
            studio_id=studio_id,
            customer_id=customer_id,
            address=address,
            channel=channel,
        )
        return unsubscribe_url(self._endpoint, token)

    def verify(self, token: str) -> UnsubscribeRequest:
        """Raises ``InvalidUnsubscribeToken``."""
        return verify_unsubscribe_token(self._key(), token)


class Unsubscribes:
    def __init__(
        self, links: UnsubscribeLinks, opt_outs: OptOutRepository, *, clock: Clock = utc_now
    ) -> None:
        self._links = links
        self._opt_outs = opt_outs
        self._clock = clock

    def unsubscribe(self, token: str) -> UnsubscribeRequest:
        """Record the opt-out a link stands for (following it twice is harmless)."""
        request = self._links.verify(token)
        self._opt_outs.add(
            request.studio_id,
            request.channel,
            request.address,
            at=self._clock(),
            customer_id=request.customer_id,
        )
        return request
