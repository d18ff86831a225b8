"""Price profiles, vouchers and voucher redemptions in DynamoDB (key scheme: :mod:`.keys`).

- A price profile is one item in its studio's partition; its ``version`` guards against two
  editors overwriting each other.
- A voucher is one item (studio partition, or its job's partition) plus a code claim in the
  studio partition, written in one transaction: a code means one voucher in a studio.
- A once-per-access-code voucher is redeemed by writing a claim with ``attribute_not_exists``;
  :meth:`VoucherRepository.redemption_write` gives that write for the order's transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import (
    condition_failed,
    delete_versioned,
    failed_items,
    save_versioned,
)
from chalicelib.adapters.dynamo.models import (
    PackageItemMap,
    PriceProfileItem,
    ProductMap,
    TableItem,
    VoucherCodeClaimItem,
    VoucherItem,
    VoucherRedemptionItem,
)
from chalicelib.adapters.dynamo.pages import Page, query_page
from chalicelib.domain.jobs import Job
from chalicelib.domain.price_profiles import PackageItem, PriceProfile, Product
from chalicelib.domain.vouchers import ALREADY_USED, Voucher
from chalicelib.errors import NotFound, VoucherCodeTaken, VoucherRefused


# Price profiles -----------------------------------------------------------------------------
def _product(item: ProductMap) -> Product:
    return Product(
        product_id=item.product_id,
        kind=item.product_kind,
        name=item.name,
        price_minor=int(item.price_minor),
        size=item.size,
        items=tuple(PackageItem(i.product_id, int(i.quantity)) for i in item.items),
        lab_code=item.lab_code,
    )


def profile_from_item(item: PriceProfileItem) -> PriceProfile:
    return PriceProfile(
        profile_id=item.profile_id,
        studio_id=item.studio_id,
        name=item.name,
        currency=item.currency,
        created_at=item.created_at,
        updated_at=item.updated_at,
        products=tuple(_product(p) for p in item.products),
        version=int(item.version or 0),
    )


def item_from_profile(profile: PriceProfile) -> PriceProfileItem:
    item = PriceProfileItem(
        pk=keys.studio_pk(profile.studio_id),
        sk=keys.price_profile_sk(profile.profile_id),
        profile_id=profile.profile_id,
        studio_id=profile.studio_id,
        name=profile.name,
        currency=profile.currency,
        products=[
            ProductMap(
                product_id=p.product_id,
                product_kind=p.kind,
                name=p.name,
                price_minor=p.price_minor,
                size=p.size,
                items=[
                    PackageItemMap(product_id=i.product_id, quantity=i.quantity) for i in p.items
                ],
                lab_code=p.lab_code,
            )
            for p in profile.products
        ],
        created_at=profile.created_at,
        updated_at=profile.updated_at,
    )
    if profile.version:
        item.version = profile.version
    return item


class PriceProfileRepository:
    """A studio's price profiles. Another studio's profile is simply not found."""

    def get(self, studio_id: str, profile_id: str) -> PriceProfile:
        try:
            item = PriceProfileItem.get(
                keys.studio_pk(studio_id), keys.price_profile_sk(profile_id), consistent_read=True
            )
        except DoesNotExist as exc:
            raise NotFound(f"price profile {profile_id} not found", profile_id=profile_id) from exc
        return profile_from_item(item)

    def save(self, profile: PriceProfile) -> PriceProfile:
        """Create (version 0) or replace a profile nobody else changed since it was read."""
        item = item_from_profile(profile)
        save_versioned(item, f"price profile {profile.profile_id}")
        return profile_from_item(item)

    def delete(self, profile: PriceProfile) -> None:
        delete_versioned(item_from_profile(profile), f"price profile {profile.profile_id}")

    def list(
        self, studio_id: str, *, limit: int = 50, cursor: str | None = None
    ) -> Page[PriceProfile]:
        page = query_page(
            keys.studio_pk(studio_id),
            keys.PRICE_PROFILE_PREFIX,
            PriceProfileItem,
            limit=limit,
            cursor=cursor,
        )
        return page.map(profile_from_item)


# Vouchers -----------------------------------------------------------------------------------
def voucher_from_item(item: VoucherItem) -> Voucher:
    return Voucher(
        code=item.code,
        studio_id=item.studio_id,
        scope=item.scope,
        job_id=item.job_id,
        created_at=item.created_at,
        updated_at=item.updated_at,
        percent=int(item.percent) if item.percent is not None else None,
        amount_minor=int(item.amount_minor) if item.amount_minor is not None else None,
        currency=item.currency,
        min_order_minor=int(item.min_order_minor),
        valid_until=date.fromisoformat(item.valid_until) if item.valid_until else None,
        once_per_access_code=item.once_per_access_code,
    )


def _voucher_pk(studio_id: str, job_id: str | None) -> str:
    return keys.job_pk(job_id) if job_id else keys.studio_pk(studio_id)


def item_from_voucher(voucher: Voucher) -> VoucherItem:
    return VoucherItem(
        pk=_voucher_pk(voucher.studio_id, voucher.job_id),
        sk=keys.voucher_sk(voucher.code),
        code=voucher.code,
        studio_id=voucher.studio_id,
        scope=voucher.scope,
        job_id=voucher.job_id,
        percent=voucher.percent,
        amount_minor=voucher.amount_minor,
        currency=voucher.currency,
        min_order_minor=voucher.min_order_minor,
        valid_until=voucher.valid_until.isoformat() if voucher.valid_until else None,
        once_per_access_code=voucher.once_per_access_code,
        created_at=voucher.created_at,
        updated_at=voucher.updated_at,
    )


def _code_claim(voucher: Voucher) -> VoucherCodeClaimItem:
    return VoucherCodeClaimItem(
        pk=keys.studio_pk(voucher.studio_id),
        sk=keys.voucher_code_claim_sk(voucher.code),
        scope=voucher.scope,
        job_id=voucher.job_id,
    )


class VoucherRepository:
    """Vouchers of a studio (``job_id`` None) or of one of its jobs, and their redemptions."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def _transaction(self) -> TransactWrite:
        return TransactWrite(connection=self._connection or Connection())

    def get(self, studio_id: str, code: str, *, job_id: str | None = None) -> Voucher:
        try:
            item = VoucherItem.get(
                _voucher_pk(studio_id, job_id), keys.voucher_sk(code), consistent_read=True
            )
        except DoesNotExist as exc:
            raise NotFound(f"voucher {code} not found", code=code) from exc
        if item.studio_id != studio_id:
            raise NotFound(f"voucher {code} not found", code=code)
        return voucher_from_item(item)

    def find_for_job(self, studio_id: str, job_id: str, code: str) -> Voucher | None:
        """The voucher a customer of ``job_id`` means by ``code`` (job or studio scope), or
        None. One ``BatchGetItem``; codes are unique in a studio, so at most one matches."""
        wanted = [
            (keys.job_pk(job_id), keys.voucher_sk(code)),
            (keys.studio_pk(studio_id), keys.voucher_sk(code)),
        ]
        for item in TableItem.batch_get(wanted, consistent_read=True):
            if isinstance(item, VoucherItem) and item.studio_id == studio_id:
                return voucher_from_item(item)
        return None

    def create(self, voucher: Voucher) -> Voucher:
        try:
            with self._transaction() as transaction:
                transaction.save(
                    item_from_voucher(voucher), condition=TableItem.pk.does_not_exist()
                )
                transaction.save(_code_claim(voucher), condition=TableItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if failed_items(exc):
                raise VoucherCodeTaken(
                    f"the voucher code {voucher.code} is already used in this studio",
                    field="code",
                ) from exc
            raise
        return voucher

    def update(self, voucher: Voucher) -> Voucher:
        try:
            item_from_voucher(voucher).save(condition=TableItem.pk.exists())
        except PutError as exc:
            if not condition_failed(exc):
                raise
            raise NotFound(f"voucher {voucher.code} not found", code=voucher.code) from exc
        return voucher

    def delete(self, voucher: Voucher) -> None:
        with self._transaction() as transaction:
            transaction.delete(item_from_voucher(voucher))
            transaction.delete(_code_claim(voucher))

    def list(
        self,
        studio_id: str,
        *,
        job_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Voucher]:
        """The studio's own vouchers, or (``job_id``) the job's, in code order."""
        page = query_page(
            _voucher_pk(studio_id, job_id),
            keys.VOUCHER_PREFIX,
            VoucherItem,
            limit=limit,
            cursor=cursor,
        )
        items = [voucher_from_item(i) for i in page.items if i.studio_id == studio_id]
        return Page(items, page.cursor)

    def delete_job_vouchers(self, job: Job) -> None:
        """A job's deletion step: its vouchers go, and their codes become free again.
        Redemptions stay: they are part of the orders made with them."""
        results = TableItem.query(
            keys.job_pk(job.job_id), TableItem.sk.startswith(keys.VOUCHER_PREFIX)
        )
        vouchers = [voucher_from_item(i) for i in results if isinstance(i, VoucherItem)]
        with TableItem.batch_write() as batch:
            for voucher in vouchers:
                batch.delete(item_from_voucher(voucher))
                batch.delete(_code_claim(voucher))

    # Redemptions (once per access code) ------------------------------------------------------
    def has_redeemed(self, studio_id: str, code: str, access_code_key: str) -> bool:
        try:
            TableItem.get(
                keys.voucher_redemptions_pk(studio_id, code),
                keys.redeemed_sk(access_code_key),
                consistent_read=True,
            )
        except DoesNotExist:
            return False
        return True

    @staticmethod
    def redemption_write(
        voucher: Voucher,
        *,
        access_code_key: str,
        job_id: str,
        now: datetime,
        order_id: str | None = None,
    ) -> tuple[VoucherRedemptionItem, Condition]:
        """The claim an order writes when it uses a once-per-code voucher, with the condition
        that makes a second use fail: ``transaction.save(item, condition=condition)``."""
        item = VoucherRedemptionItem(
            pk=keys.voucher_redemptions_pk(voucher.studio_id, voucher.code),
            sk=keys.redeemed_sk(access_code_key),
            studio_id=voucher.studio_id,
            code=voucher.code,
            access_code=access_code_key,
            job_id=job_id,
            order_id=order_id,
            redeemed_at=now,
        )
        return item, TableItem.pk.does_not_exist()

    def redeem(
        self,
        voucher: Voucher,
        *,
        access_code_key: str,
        job_id: str,
        now: datetime,
        order_id: str | None = None,
    ) -> None:
        """Claim the voucher for an access code on its own (outside an order's transaction)."""
        item, condition = self.redemption_write(
            voucher, access_code_key=access_code_key, job_id=job_id, now=now, order_id=order_id
        )
        try:
            item.save(condition=condition)
        except PutError as exc:
            if not condition_failed(exc):
                raise
            raise VoucherRefused(
                ALREADY_USED,
                f"voucher {voucher.code} has already been used with this access code",
            ) from exc
