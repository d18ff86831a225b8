"""The digital files of a paid order, for the shop session that placed it: one signed,
short-lived link per original photo bought as a download (alone or in a package), saved under
the photo's original file name. Nothing is handed out before the order is paid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
from chalicelib.domain.downloads import (
    DOWNLOAD_LINK_SECONDS,
    MAX_LINK_SECONDS,
    check_downloads_open,
    downloadable_photo_ids,
)
from chalicelib.domain.orders import Order
from chalicelib.domain.shop_sessions import ShopSession


class SessionOrders(Protocol):
    def for_session(self, session: ShopSession, order_id: str) -> Order: ...


class SignedLinks(Protocol):
    def signed_url(
        self, key: str, seconds: int = ..., *, download_name: str | None = None
    ) -> str: ...


@dataclass(frozen=True)
class Download:
    photo_id: str
    file_name: str
    url: str


@dataclass(frozen=True)
class OrderDownloads:
    order: Order
    files: tuple[Download, ...]
    unavailable: tuple[str, ...]  # bought photos whose original is gone (e.g. deleted)
    expires_in: int


class DownloadLinks:
    def __init__(
        self,
        orders: SessionOrders,
        photos: PhotoRepository,
        storage: SignedLinks,
        *,
        seconds: int = DOWNLOAD_LINK_SECONDS,
    ) -> None:
        if not 0 < seconds <= MAX_LINK_SECONDS:
            raise ValueError(f"download links live 1..{MAX_LINK_SECONDS} seconds, not {seconds}")
        self._orders = orders
        self._photos = photos
        self._storage = storage
        self._seconds = seconds

    def for_session(self, session: ShopSession, order_id: str) -> OrderDownloads:
        """The downloads of the session's order ``order_id``. Raises ``NotFound`` for an order
        of anyone else and ``OrderNotPaid`` while it is not paid."""
        order = self._orders.for_session(session, order_id)
        check_downloads_open(order)
        wanted = downloadable_photo_ids(order)
        photos = self._photos.get_many(order.job_id, wanted) if wanted else {}
        files = []
        unavailable = []
        for photo_id in wanted:
            photo = photos.get(photo_id)
            if photo is None or photo.studio_id != order.studio_id or not photo.original_key:
                unavailable.append(photo_id)
                continue
            url = self._storage.signed_url(
                photo.original_key, self._seconds, download_name=photo.original_name
            )
            files.append(Download(photo_id, photo.original_name, url))
        return OrderDownloads(order, tuple(files), tuple(unavailable), self._seconds)
