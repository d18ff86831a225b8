"""``photojobs prices ...``, ``photojobs vouchers ...`` and ``photojobs quote``: price profiles,
vouchers and the price of a cart. Amounts are integer minor units (500 is 5.00 EUR)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chalicelib.cli.client import ApiClient, ApiError
from chalicelib.cli.output import money, order_line, print_json, read_json, voucher_refused


def add_commands(commands: Any) -> None:
    """Register the commands on the ``photojobs`` sub-parsers."""
    prices = commands.add_parser("prices", help="price profiles (product lists with prices)")
    sub = prices.add_subparsers(dest="prices", required=True)
    listing = sub.add_parser("list", help="the studio's price profiles")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_prices_list)
    show = sub.add_parser("show", help="one profile and its products")
    show.add_argument("profile_id")
    show.add_argument("--customer", action="store_true", help="as customers see it")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_prices_show)
    create = sub.add_parser("create", help="create a profile from a JSON file")
    create.add_argument("--file", required=True, help="{name, currency, products: [...]}")
    create.set_defaults(run=cmd_prices_create)
    update = sub.add_parser("update", help="change a profile from a JSON file")
    update.add_argument("profile_id")
    update.add_argument("--file", required=True, help="the fields to change")
    update.set_defaults(run=cmd_prices_update)
    copy = sub.add_parser("copy", help="copy a profile")
    copy.add_argument("profile_id")
    copy.add_argument("--name", help="name of the copy (default: '<name> (copy)')")
    copy.set_defaults(run=cmd_prices_copy)
    delete = sub.add_parser("delete", help="delete a profile no job uses")
    delete.add_argument("profile_id")
    delete.add_argument("--yes", action="store_true")
    delete.set_defaults(run=cmd_prices_delete)

    vouchers = commands.add_parser("vouchers", help="vouchers (coupons) of the studio or a job")
    vsub = vouchers.add_subparsers(dest="vouchers", required=True)
    vlist = vsub.add_parser("list", help="the studio's vouchers, or a job's with --job")
    vlist.add_argument("--job", help="job id")
    vlist.add_argument("--json", action="store_true")
    vlist.set_defaults(run=cmd_vouchers_list)
    vcreate = vsub.add_parser("create", help="create a voucher")
    vcreate.add_argument("code", help="case-insensitive, unique in the studio")
    amount = vcreate.add_mutually_exclusive_group(required=True)
    amount.add_argument("--percent", type=int, help="1-100 off the order")
    amount.add_argument("--amount", type=int, help="a fixed amount off, in minor units")
    vcreate.add_argument("--currency", help="of --amount (a job voucher: the job's by default)")
    vcreate.add_argument("--min-order", type=int, help="minimum order, in minor units")
    vcreate.add_argument(
        "--valid-until", help="last day YYYY-MM-DD (a job voucher: the voucher deadline)"
    )
    vcreate.add_argument("--once-per-code", action="store_true", help="once per access code")
    vcreate.add_argument("--job", help="a voucher of this job only")
    vcreate.set_defaults(run=cmd_vouchers_create)
    vdelete = vsub.add_parser("delete", help="delete a voucher")
    vdelete.add_argument("code")
    vdelete.add_argument("--job", help="job id of a job voucher")
    vdelete.set_defaults(run=cmd_vouchers_delete)

    quote = commands.add_parser("quote", help="price a cart in a job, as the shop would")
    quote.add_argument("job_id")
    quote.add_argument(
        "--line",
        action="append",
        required=True,
        metavar="PHOTO:PRODUCT[:QTY]",
        help="one cart line; repeat for more",
    )
    quote.add_argument("--voucher")
    quote.add_argument("--access-code", help="checks a once-per-code voucher for this code")
    quote.add_argument("--json", action="store_true")
    quote.set_defaults(run=cmd_quote)


def cmd_prices_list(client: ApiClient, args: argparse.Namespace) -> int:
    profiles = client.all_pages("/api/price-profiles")
    if args.json:
        print_json(profiles)
        return 0
    for p in profiles:
        count = len(p["products"])
        print(f"{p['profile_id']:<13} {p['currency']:<4} {count:>3} products  {p['name']}")
    if not profiles:
        print("(no price profiles)")
    return 0


def _print_profile(profile: dict[str, Any]) -> None:
    currency, exponent = profile["currency"], profile["currency_exponent"]
    if "name" in profile:
        print(f"{profile['profile_id']}  {profile['name']}  ({currency})")
    for p in profile["products"]:
        label = f"{p['name']} {p['size'] or ''}".strip()
        lab = f"  lab {p['lab_code']}" if p.get("lab_code") else ""
        print(
            f"  {p['product_id']:<20} {p['kind']:<9} {label:<32} "
            f"{money(p['price_minor'], currency, exponent):>14}{lab}"
        )
        for item in p["items"]:
            print(f"      {item['quantity']} x {item.get('name') or item['product_id']}")


def cmd_prices_show(client: ApiClient, args: argparse.Namespace) -> int:
    suffix = "/customer-view" if args.customer else ""
    profile = client.call("GET", f"/api/price-profiles/{args.profile_id}{suffix}")
    if args.json:
        print_json(profile)
    else:
        _print_profile(profile)
    return 0


def cmd_prices_create(client: ApiClient, args: argparse.Namespace) -> int:
    profile = client.call("POST", "/api/price-profiles", read_json(args.file))
    count = len(profile["products"])
    print(f"created price profile {profile['profile_id']} ({profile['name']}, {count} products)")
    return 0


def cmd_prices_update(client: ApiClient, args: argparse.Namespace) -> int:
    path = f"/api/price-profiles/{args.profile_id}"
    _print_profile(client.call("PATCH", path, read_json(args.file)))
    return 0


def cmd_prices_copy(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"name": args.name} if args.name else {}
    copy = client.call("POST", f"/api/price-profiles/{args.profile_id}/copy", body)
    print(f"created price profile {copy['profile_id']} ({copy['name']}) as a copy")
    return 0


def cmd_prices_delete(client: ApiClient, args: argparse.Namespace) -> int:
    if not args.yes:
        print("add --yes to delete the price profile", file=sys.stderr)
        return 1
    try:
        client.call("DELETE", f"/api/price-profiles/{args.profile_id}")
    except ApiError as exc:
        if exc.status != 409 or not isinstance(exc.body, dict) or "jobs" not in exc.body:
            raise
        print(f"photojobs: {exc.body['message']}:", file=sys.stderr)
        for job in exc.body["jobs"]:
            print(f"  {job['job_id']}  {job['internal_name']}  {job['name']}", file=sys.stderr)
        return 1
    print(f"deleted price profile {args.profile_id}")
    return 0


def _vouchers_path(job_id: str | None) -> str:
    return f"/api/jobs/{job_id}/vouchers" if job_id else "/api/vouchers"


def _describe(voucher: dict[str, Any]) -> str:
    off = (
        f"{voucher['percent']} %"
        if voucher["percent"] is not None
        else f"{voucher['amount_minor']} {voucher['currency']} minor units"
    )
    until = voucher["expires_on"] or "no end"
    extra = ", once per access code" if voucher["once_per_access_code"] else ""
    minimum = f", min. order {voucher['min_order_minor']}" if voucher["min_order_minor"] else ""
    return f"{voucher['code']:<16} {off} off, until {until}{minimum}{extra}"


def cmd_vouchers_list(client: ApiClient, args: argparse.Namespace) -> int:
    vouchers = client.all_pages(_vouchers_path(args.job))
    if args.json:
        print_json(vouchers)
        return 0
    for voucher in vouchers:
        print(_describe(voucher))
    if not vouchers:
        print("(no vouchers)")
    return 0


def cmd_vouchers_create(client: ApiClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"code": args.code, "once_per_access_code": args.once_per_code}
    optional = {
        "percent": args.percent,
        "amount_minor": args.amount,
        "currency": args.currency,
        "min_order_minor": args.min_order,
        "valid_until": args.valid_until,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    voucher = client.call("POST", _vouchers_path(args.job), body)
    print("created voucher " + _describe(voucher))
    return 0


def cmd_vouchers_delete(client: ApiClient, args: argparse.Namespace) -> int:
    client.call("DELETE", f"{_vouchers_path(args.job)}/{args.code}")
    print(f"deleted voucher {args.code.upper()}")
    return 0


def cmd_quote(client: ApiClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"lines": [order_line(spec) for spec in args.line]}
    if args.voucher:
        body["voucher"] = args.voucher
    if args.access_code:
        body["access_code"] = args.access_code
    try:
        order = client.call("POST", f"/api/jobs/{args.job_id}/quote", body)
    except ApiError as exc:
        if voucher_refused(exc):
            return 1
        raise
    if args.json:
        print_json(order)
        return 0
    currency, exponent = order["currency"], order["currency_exponent"]
    for line in order["lines"]:
        label = f"{line['name']} {line['size'] or ''}".strip()
        total = money(line["line_total_minor"], currency, exponent)
        print(f"  {line['quantity']:>2} x {label:<32} {line['photo_id']:<14} {total:>14}")
    print(f"subtotal {money(order['subtotal_minor'], currency, exponent)}")
    if order["voucher"]:
        discount = money(order["discount_minor"], currency, exponent)
        print(f"voucher {order['voucher']['code']}: -{discount}")
    print(f"total {money(order['total_minor'], currency, exponent)}")
    return 0
