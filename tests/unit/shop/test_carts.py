"""The server-side cart's pure rules: what a cart update may hold, who owns a cart, how long it
is kept, and which carts still deserve their abandoned-cart nudge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.carts import (
    ANONYMOUS_CART_LIFETIME,
    CUSTOMER_CART_LIFETIME,
    Cart,
    CartNudgeBlock,
    CartOwner,
    CartOwnerKind,
    CartUpdate,
    changed_cart,
    check_products,
    nudge_block,
    parse_cart_update,
)
from chalicelib.domain.pricing import CartLine
from chalicelib.errors import ValidationFailed

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CUSTOMER = CartOwner(CartOwnerKind.CUSTOMER, "C1")
SESSION = CartOwner(CartOwnerKind.SESSION, "S1")


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [e["field"] for e in exc.value.errors]


def test_an_update_holds_lines_and_drops_prices_the_client_sent():
    update = parse_cart_update(
        {
            "job_id": " J1 ",
            "lines": [
                {"photo_id": "P1", "product_id": "print-13x18", "quantity": 2},
                {"photo_id": "P2", "product_id": "digital", "unit_price_minor": 1},
            ],
        }
    )
    assert update == CartUpdate(
        "J1", (CartLine("P1", "print-13x18", 2), CartLine("P2", "digital", 1))
    )


def test_an_empty_list_empties_the_cart():
    assert parse_cart_update({"job_id": "J1", "lines": []}) == CartUpdate("J1", ())


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"lines": []}, ["job_id"]),
        ({"job_id": "J1"}, ["lines"]),
        ({"job_id": "J1", "lines": {"photo_id": "P1"}}, ["lines"]),
        ({"job_id": "J1", "lines": [], "voucher": "X"}, ["voucher"]),
        (
            {"job_id": "J1", "lines": [{"photo_id": "P1", "product_id": "a", "quantity": 0}]},
            ["lines[0].quantity"],
        ),
        ({"job_id": "J1", "lines": [{"product_id": "a"}, "x"]}, ["lines[0].photo_id", "lines[1]"]),
        ("not an object", ["body"]),
    ],
)
def test_a_bad_update_names_every_field_in_error(body, named):
    with pytest.raises(ValidationFailed) as exc:
        parse_cart_update(body)
    assert fields(exc) == named


def test_more_lines_than_an_order_may_hold_are_refused():
    lines = [{"photo_id": f"P{i}", "product_id": "a"} for i in range(201)]
    with pytest.raises(ValidationFailed) as exc:
        parse_cart_update({"job_id": "J1", "lines": lines})
    assert exc.value.errors == [{"field": "lines", "reason": "must have at most 200 lines"}]


class PriceList:
    def __init__(self, *product_ids: str) -> None:
        self.ids = set(product_ids)

    def product(self, product_id: str) -> object | None:
        return object() if product_id in self.ids else None


def test_products_must_be_on_the_jobs_price_list():
    lines = (CartLine("P1", "print"), CartLine("P2", "mug"), CartLine("P3", "poster"))
    check_products(lines[:1], PriceList("print"))
    with pytest.raises(ValidationFailed) as exc:
        check_products(lines, PriceList("print"))
    assert fields(exc) == ["lines[1].product_id", "lines[2].product_id"]
    assert "mug is not for sale here" in exc.value.errors[0]["reason"]


def cart(owner: CartOwner = CUSTOMER, *lines: CartLine, cart_id: str = "K1") -> Cart:
    return Cart(cart_id, "J1", "ST", owner, lines, NOW, NOW + timedelta(days=1))


def test_a_cart_keeps_its_id_while_it_changes_and_a_new_cart_gets_a_new_one():
    update = CartUpdate("J1", (CartLine("P1", "print"),))
    later = NOW + timedelta(hours=3)
    kept = changed_cart(cart(), update, studio_id="ST", owner=CUSTOMER, now=later, new_cart_id="K2")
    assert (kept.cart_id, kept.lines, kept.updated_at) == ("K1", update.lines, later)
    new = changed_cart(None, update, studio_id="ST", owner=CUSTOMER, now=later, new_cart_id="K2")
    assert new.cart_id == "K2"


def test_only_a_customers_cart_is_kept_for_long():
    update = CartUpdate("J1", ())
    mine = changed_cart(None, update, studio_id="ST", owner=CUSTOMER, now=NOW, new_cart_id="K")
    anonymous = changed_cart(None, update, studio_id="ST", owner=SESSION, now=NOW, new_cart_id="K")
    assert mine.expires_at == NOW + CUSTOMER_CART_LIFETIME
    assert anonymous.expires_at == NOW + ANONYMOUS_CART_LIFETIME
    assert CUSTOMER.can_be_nudged and not SESSION.can_be_nudged


def test_only_a_waiting_customers_cart_with_lines_deserves_a_nudge():
    line = CartLine("P1", "print")
    assert nudge_block(cart(CUSTOMER, line)) is None
    assert nudge_block(None) == CartNudgeBlock.CART_GONE
    assert nudge_block(cart(CUSTOMER)) == CartNudgeBlock.CART_EMPTY
    assert nudge_block(cart(SESSION, line)) == CartNudgeBlock.NOT_A_CUSTOMERS_CART


def test_a_customers_update_keeps_the_lines_another_device_added_for_a_sibling():
    # Given the cart holds Anna's photo (shown here) and her brother's (shown on another device)
    current = cart(CUSTOMER, CartLine("ANNA1", "print"), CartLine("BEN1", "print", 2))
    update = CartUpdate("J1", (CartLine("ANNA2", "digital"),))
    # When this device replaces its lines, the brother's line stays
    after = changed_cart(
        current,
        update,
        studio_id="ST",
        owner=CUSTOMER,
        now=NOW,
        new_cart_id="K2",
        shown={"ANNA1", "ANNA2"},
    )
    assert after.lines == (CartLine("ANNA2", "digital"), CartLine("BEN1", "print", 2))
    # And emptying it here empties only what this device is shown
    emptied = changed_cart(
        current,
        CartUpdate("J1", ()),
        studio_id="ST",
        owner=CUSTOMER,
        now=NOW,
        new_cart_id="K2",
        shown={"ANNA1"},
    )
    assert emptied.lines == (CartLine("BEN1", "print", 2),)
    # Without what the session is shown (an anonymous session's own cart) every line is replaced
    replaced = changed_cart(
        current, update, studio_id="ST", owner=SESSION, now=NOW, new_cart_id="K"
    )
    assert replaced.lines == update.lines
