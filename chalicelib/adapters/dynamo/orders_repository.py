"""Orders in DynamoDB: one item per order with its lines inside (``keys.order_pk``), listed per
job through gsi1 (newest first) and per job and status through gsi2.

Why the lines live inside the order item: an order is always read and written whole, a cart has
at most 200 lines (well under DynamoDB's 400 KB item limit), and one item is atomic by itself:
placing an order is then one ``TransactWriteItems`` of the order and its voucher claims, and a
200-line order would not fit the 100 items of a transaction as separate line items anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import failed_items
from chalicelib.adapters.dynamo.models import (
    AppliedVoucherMap,
    ComponentMap,
    ContactMap,
    OrderedProductMap,
    OrderItem,
    OrderLineMap,
    OrderStatusMap,
    PaymentMap,
    TableItem,
    VoucherRedemptionItem,
)
from chalicelib.adapters.dynamo.pages import Page, decode_cursor, encode_cursor
from chalicelib.domain.orders import (
    Contact,
    Order,
    OrderedProduct,
    OrderLine,
    Payment,
    StatusEntry,
)
from chalicelib.domain.pricing import AppliedVoucher, PackageComponent
from chalicelib.domain.vouchers import ALREADY_USED
from chalicelib.errors import ConcurrentUpdate, NotFound, VoucherRefused


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _texts(values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())


def order_from_item(item: OrderItem) -> Order:
    voucher = item.voucher
    payment = item.payment
    return Order(
        order_id=item.order_id,
        studio_id=item.studio_id,
        job_id=item.job_id,
        job_name=item.job_name,
        internal_job_name=item.internal_job_name,
        session_id=item.session_id,
        subject_ids=_texts(item.subject_ids),
        contact=Contact(item.contact.name, item.contact.email, item.contact.phone),
        lines=tuple(
            OrderLine(
                photo_id=line.photo_id,
                subject_id=line.subject_id,
                product_id=line.product_id,
                quantity=int(line.quantity),
                unit_price_minor=int(line.unit_price_minor),
                total_minor=int(line.total_minor),
            )
            for line in item.lines
        ),
        products=tuple(
            OrderedProduct(
                product_id=p.product_id,
                kind=p.product_kind,
                name=p.name,
                size=p.size,
                lab_code=p.lab_code,
                components=tuple(
                    PackageComponent(
                        c.product_id, c.product_kind, c.name, c.size, c.lab_code, int(c.quantity)
                    )
                    for c in p.components
                ),
            )
            for p in item.products
        ),
        currency=item.currency,
        subtotal_minor=int(item.subtotal_minor),
        discount_minor=int(item.discount_minor),
        total_minor=int(item.total_minor),
        status=item.status,
        payment=Payment(
            method=payment.method,
            provider_ref=payment.provider_ref,
            checkout_url=payment.checkout_url,
            paid_at=payment.paid_at,
            paid_minor=_int(payment.paid_minor),
            recorded_by=payment.recorded_by,
            attempt=_int(payment.attempt) or 1,
        ),
        created_at=item.created_at,
        updated_at=item.updated_at,
        voucher=AppliedVoucher(
            voucher.code,
            voucher.scope,
            _int(voucher.percent),
            _int(voucher.amount_minor),
            bool(voucher.once_per_access_code),
        )
        if voucher is not None
        else None,
        redeemed_codes=_texts(item.redeemed_codes),
        history=tuple(StatusEntry(h.status, h.at, h.by) for h in item.history),
    )


def item_from_order(order: Order) -> OrderItem:
    order_key = keys.created_sort_key(order.created_at, order.order_id)
    voucher = order.voucher
    payment = order.payment
    return OrderItem(
        keys.order_pk(order.order_id),
        keys.ORDER_SK,
        gsi1pk=keys.job_orders_pk(order.job_id),
        gsi1sk=order_key,
        gsi2pk=keys.job_orders_by_status_pk(order.job_id, order.status),
        gsi2sk=order_key,
        order_id=order.order_id,
        studio_id=order.studio_id,
        job_id=order.job_id,
        job_name=order.job_name,
        internal_job_name=order.internal_job_name,
        session_id=order.session_id,
        subject_ids=list(order.subject_ids),
        contact=ContactMap(
            name=order.contact.name, email=order.contact.email, phone=order.contact.phone
        ),
        lines=[
            OrderLineMap(
                photo_id=line.photo_id,
                subject_id=line.subject_id,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                total_minor=line.total_minor,
            )
            for line in order.lines
        ],
        products=[
            OrderedProductMap(
                product_id=p.product_id,
                product_kind=p.kind,
                name=p.name,
                size=p.size,
                lab_code=p.lab_code,
                components=[
                    ComponentMap(
                        product_id=c.product_id,
                        product_kind=c.kind,
                        name=c.name,
                        size=c.size,
                        lab_code=c.lab_code,
                        quantity=c.quantity,
                    )
                    for c in p.components
                ],
            )
            for p in order.products
        ],
        currency=order.currency,
        subtotal_minor=order.subtotal_minor,
        discount_minor=order.discount_minor,
        total_minor=order.total_minor,
        status=order.status,
        payment=PaymentMap(
            method=payment.method,
            provider_ref=payment.provider_ref,
            checkout_url=payment.checkout_url,
            paid_at=payment.paid_at,
            paid_minor=payment.paid_minor,
            recorded_by=payment.recorded_by,
            attempt=payment.attempt,
        ),
        voucher=AppliedVoucherMap(
            code=voucher.code,
            scope=voucher.scope,
            percent=voucher.percent,
            amount_minor=voucher.amount_minor,
            once_per_access_code=voucher.once_per_access_code,
        )
        if voucher is not None
        else None,
        redeemed_codes=list(order.redeemed_codes),
        history=[OrderStatusMap(status=h.status, at=h.at, by=h.by) for h in order.history],
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


class OrderRepository:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def _transaction(self) -> TransactWrite:
        return TransactWrite(connection=self._connection or Connection())

    def place(
        self,
        order: Order,
        redemptions: Sequence[tuple[VoucherRedemptionItem, Condition]] = (),
    ) -> Order:
        """Store a new order and its once-per-code voucher claims in one transaction: all of
        it or nothing. A claim someone made meanwhile raises ``VoucherRefused`` (already_used)
        and leaves no order behind."""
        try:
            with self._transaction() as transaction:
                transaction.save(item_from_order(order), condition=TableItem.pk.does_not_exist())
                for item, condition in redemptions:
                    transaction.save(item, condition=condition)
        except TransactWriteError as exc:
            failed = failed_items(exc)
            if any(i > 0 for i in failed):
                voucher = order.voucher.code if order.voucher else ""
                raise VoucherRefused(
                    ALREADY_USED,
                    f"voucher {voucher} has already been used with this access code",
                ) from exc
            if failed:
                raise ConcurrentUpdate("an order with this id exists; place it again") from exc
            raise
        return order

    def get(self, order_id: str) -> Order:
        try:
            item = OrderItem.get(keys.order_pk(order_id), keys.ORDER_SK, consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound(f"order {order_id} not found", order_id=order_id) from exc
        return order_from_item(item)

    def replace(self, before: Order, after: Order, *, release_codes: Sequence[str] = ()) -> Order:
        """Store a changed order unless it changed since ``before`` was read
        (``ConcurrentUpdate``); ``release_codes`` deletes the order's voucher claims of those
        access codes in the same transaction (a cancelled order gives its voucher back)."""
        unchanged = (OrderItem.status == before.status) & (
            OrderItem.updated_at == before.updated_at
        )
        try:
            with self._transaction() as transaction:
                transaction.save(item_from_order(after), condition=unchanged)
                if after.voucher is not None:
                    for code in release_codes:
                        transaction.delete(
                            VoucherRedemptionItem(
                                keys.voucher_redemptions_pk(after.studio_id, after.voucher.code),
                                keys.redeemed_sk(code),
                            ),
                            condition=VoucherRedemptionItem.order_id == after.order_id,
                        )
        except TransactWriteError as exc:
            failed = failed_items(exc)
            if 0 in failed:
                raise ConcurrentUpdate(
                    f"order {before.order_id} was changed meanwhile; reload and try again"
                ) from exc
            if failed:  # a claim that is not this order's: keep it, change the order alone
                return self.replace(before, after)
            raise
        return after

    def of_job(
        self, job_id: str, *, status: str | None, limit: int, cursor: str | None
    ) -> Page[Order]:
        """A job's orders, newest first, optionally of one status."""
        index: GlobalSecondaryIndex[TableItem]
        if status is None:
            index, attr, partition = TableItem.gsi1, "gsi1pk", keys.job_orders_pk(job_id)
        else:
            index, attr = TableItem.gsi2, "gsi2pk"
            partition = keys.job_orders_by_status_pk(job_id, status)
        start = decode_cursor(cursor, partition_attr=attr, partition=partition)
        results = index.query(
            partition, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        orders = [order_from_item(i) for i in results if isinstance(i, OrderItem)]
        return Page(orders, encode_cursor(results.last_evaluated_key))

    def orders_of_job(self, job_id: str) -> list[Order]:
        """Every order of a job, oldest first (one Query, paged by DynamoDB): for the
        communication steps' audiences (buyers / not yet bought)."""
        results = TableItem.gsi1.query(keys.job_orders_pk(job_id))
        return [order_from_item(i) for i in results if isinstance(i, OrderItem)]
