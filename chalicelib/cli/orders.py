"""``photojobs orders ...``: a job's orders (list, show, mark paid, cancel, fulfilled) and the
entry of phone or paper orders by the child's access code. Amounts are shown in the order's
currency; the server prices every order."""

from __future__ import annotations

import argparse
from typing import Any

from chalicelib.cli.client import ApiClient, ApiError
from chalicelib.cli.output import money, order_line, print_json, voucher_refused
from chalicelib.domain.currencies import minor_unit_exponent

ORDER_ACTIONS = {"paid": "paid", "cancel": "cancel", "fulfilled": "fulfilled"}


def add_commands(commands: Any) -> None:
    """Register the commands on the ``photojobs`` sub-parsers."""
    orders = commands.add_parser("orders", help="a job's orders; enter phone or paper orders")
    sub = orders.add_subparsers(dest="orders", required=True)
    listing = sub.add_parser("list", help="a job's orders, newest first")
    listing.add_argument("job_id")
    listing.add_argument("--status", choices=("pending_payment", "paid", "cancelled", "fulfilled"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_orders_list)
    show = sub.add_parser("show", help="one order with its lines")
    show.add_argument("job_id")
    show.add_argument("order_id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_orders_show)
    enter = sub.add_parser("enter", help="enter a phone or paper order by access code")
    enter.add_argument("job_id")
    enter.add_argument("--code", required=True, help="the child's access code")
    enter.add_argument(
        "--line",
        action="append",
        required=True,
        metavar="PHOTO:PRODUCT[:QTY]",
        help="one order line; repeat for more",
    )
    enter.add_argument("--name", required=True, help="the customer's name")
    enter.add_argument("--email", required=True, help="the customer's e-mail address")
    enter.add_argument("--phone")
    enter.add_argument("--voucher")
    enter.add_argument("--paid", action="store_true", help="the money was received already")
    enter.add_argument("--json", action="store_true")
    enter.set_defaults(run=cmd_orders_enter)
    for action, help_text in (
        ("paid", "record that an order was paid offline"),
        ("cancel", "cancel an unpaid order"),
        ("fulfilled", "mark a paid order as produced and delivered"),
    ):
        change = sub.add_parser(action, help=help_text)
        change.add_argument("job_id")
        change.add_argument("order_id")
        change.set_defaults(run=cmd_orders_change, action=action)


def _amount(order: dict[str, Any], minor: int) -> str:
    currency = order["currency"]
    return money(minor, currency, minor_unit_exponent(currency))


def _summary(order: dict[str, Any]) -> str:
    items = sum(line["quantity"] for line in order["lines"])
    created = (order["created_at"] or "")[:16].replace("T", " ")
    return (
        f"{order['order_id']:<13} {created:<16} {order['status']:<15} "
        f"{items:>3} items {_amount(order, order['total_minor']):>14}  {order['contact']['name']}"
    )


def _print_order(order: dict[str, Any]) -> None:
    print(_summary(order))
    names = {p["product_id"]: p for p in order["products"]}
    for line in order["lines"]:
        product = names.get(line["product_id"], {})
        label = f"{product.get('name', line['product_id'])} {product.get('size') or ''}".strip()
        total = _amount(order, line["total_minor"])
        print(f"  {line['quantity']:>2} x {label:<32} {line['photo_id']:<14} {total:>14}")
    if order["discount_minor"]:
        code = order["voucher"]["code"] if order["voucher"] else ""
        print(f"  voucher {code}: -{_amount(order, order['discount_minor'])}")
    payment = order["payment"]
    paid = (
        f", paid {payment['paid_at'][:10]} by {payment['recorded_by']}"
        if payment["paid_at"]
        else ""
    )
    print(f"  payment: {payment['method']}{paid}")


def cmd_orders_list(client: ApiClient, args: argparse.Namespace) -> int:
    params = {"status": args.status} if args.status else None
    orders = client.all_pages(f"/api/jobs/{args.job_id}/orders", params)
    if args.json:
        print_json(orders)
        return 0
    for order in orders:
        print(_summary(order))
    if not orders:
        print("(no orders)")
    return 0


def cmd_orders_show(client: ApiClient, args: argparse.Namespace) -> int:
    order = client.call("GET", f"/api/jobs/{args.job_id}/orders/{args.order_id}")
    if args.json:
        print_json(order)
    else:
        _print_order(order)
    return 0


def cmd_orders_enter(client: ApiClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {
        "access_code": args.code,
        "lines": [order_line(spec) for spec in args.line],
        "contact": {"name": args.name, "email": args.email, "phone": args.phone},
        "paid": args.paid,
    }
    if args.voucher:
        body["voucher_code"] = args.voucher
    try:
        order = client.call("POST", f"/api/jobs/{args.job_id}/orders", body)
    except ApiError as exc:
        if voucher_refused(exc):
            return 1
        raise
    if args.json:
        print_json(order)
    else:
        print("entered order")
        _print_order(order)
    return 0


def cmd_orders_change(client: ApiClient, args: argparse.Namespace) -> int:
    path = f"/api/jobs/{args.job_id}/orders/{args.order_id}/{ORDER_ACTIONS[args.action]}"
    order = client.call("POST", path)
    print(f"order {order['order_id']} is {order['status']}")
    return 0
