"""What every ``photojobs`` command group shares: JSON in and out, money, ``--line`` specs and
the answer to a refused voucher."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from chalicelib.cli.client import ApiError


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"photojobs: cannot read {path}: {exc}") from exc


def money(amount_minor: int, currency: str, exponent: int) -> str:
    return f"{Decimal(amount_minor).scaleb(-exponent):.{exponent}f} {currency}"


def order_line(spec: str) -> dict[str, Any]:
    """``PHOTO:PRODUCT[:QTY]`` as an order (or cart) line."""
    photo, _, rest = spec.partition(":")
    product, _, quantity = rest.partition(":")
    if not photo or not product or (quantity and not quantity.isdigit()):
        raise SystemExit(f"photojobs: --line expects PHOTO:PRODUCT[:QTY], got {spec!r}")
    return {"photo_id": photo, "product_id": product, "quantity": int(quantity or 1)}


def voucher_refused(exc: ApiError) -> bool:
    """Print why the server refused the voucher, when that is what ``exc`` says."""
    if exc.status == 422 and isinstance(exc.body, dict) and "reason" in exc.body:
        print(f"photojobs: voucher refused ({exc.body['reason']}): {exc.body['message']}")
        return True
    return False
