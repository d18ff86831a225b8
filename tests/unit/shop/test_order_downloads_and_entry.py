"""The order side of the shop, pure: which photos an order bought as files and when they open,
free orders, the bodies of quotes and entered orders, download links and their file names, and
a Stripe secret that is not filled in."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.payments.stripe_secrets import StripeSecretInvalid, StripeSecretReader
from chalicelib.adapters.storage import attachment_disposition
from chalicelib.domain.access_codes import CODE_ALPHABET, new_access_code
from chalicelib.domain.downloads import (
    MAX_LINK_SECONDS,
    OrderNotPaid,
    check_downloads_open,
    downloadable_photo_ids,
)
from chalicelib.domain.orders import (
    CANCELLED,
    FULFILLED,
    PAID,
    PENDING_PAYMENT,
    OrderedProduct,
    OrderLine,
    free_of_charge,
    parse_cart_request,
    parse_entered_order,
)
from chalicelib.domain.photos import Photo
from chalicelib.domain.pricing import CartLine, PackageComponent
from chalicelib.errors import NotFound, PaymentsNotConfigured, ValidationFailed
from chalicelib.services.order_downloads import DownloadLinks
from tests.stripe_fakes import NOW, pending_order

PRINT = OrderedProduct("p13", "print", "Portrait", "13x18", "LAB-1318")
FILE = OrderedProduct("dl", "download", "Digital file", None, None)
FAMILY = OrderedProduct(
    "family",
    "package",
    "Family set",
    None,
    None,
    (
        PackageComponent("p13", "print", "Portrait", "13x18", "LAB-1318", 4),
        PackageComponent("dl", "download", "Digital file", None, None, 1),
    ),
)
TWO_PRINTS = (PackageComponent("p13", "print", "Portrait", "13x18", None, 2),)
PRINTS = OrderedProduct("prints", "package", "Print set", None, None, TWO_PRINTS)


def order_of(*lines: tuple[str, str], status: str = PAID) -> Any:
    return pending_order(
        lines=tuple(OrderLine(photo, "SUB1", product, 1, 100, 100) for photo, product in lines),
        products=(PRINT, FILE, FAMILY, PRINTS),
        status=status,
    )


# which photos ---------------------------------------------------------------------------------
def test_files_and_packages_with_a_file_are_downloads_prints_are_not() -> None:
    order = order_of(
        ("PH1", "p13"),  # a print
        ("PH2", "dl"),  # a file
        ("PH3", "family"),  # a package with a file
        ("PH4", "prints"),  # a package of prints only
        ("PH2", "family"),  # the same photo again: one download
    )

    assert downloadable_photo_ids(order) == ("PH2", "PH3")


def test_a_product_the_order_does_not_know_is_no_download() -> None:
    assert downloadable_photo_ids(order_of(("PH1", "gone"))) == ()


@pytest.mark.parametrize("status", [PAID, FULFILLED])
def test_downloads_open_once_paid(status: str) -> None:
    check_downloads_open(order_of(("PH2", "dl"), status=status))


@pytest.mark.parametrize("status", [PENDING_PAYMENT, CANCELLED])
def test_downloads_stay_closed_otherwise(status: str) -> None:
    with pytest.raises(OrderNotPaid) as refused:
        check_downloads_open(order_of(("PH2", "dl"), status=status))

    assert refused.value.details["status"] == status
    assert refused.value.code == "order_not_paid"


# free orders ----------------------------------------------------------------------------------
def test_a_free_order_is_paid_as_it_is_placed() -> None:
    order = pending_order(subtotal_minor=900, discount_minor=900, total_minor=0, history=())

    done = free_of_charge(order, NOW)

    assert done.status == PAID
    assert (done.payment.method, done.payment.paid_minor, done.payment.recorded_by) == (
        "free",
        0,
        "free",
    )
    assert done.payment.paid_at == NOW and done.history[-1].status == PAID


def test_an_order_that_costs_something_is_not_free() -> None:
    with pytest.raises(ValueError):
        free_of_charge(pending_order(), NOW)


# request bodies ---------------------------------------------------------------------------------
LINES = [{"photo_id": "PH1", "product_id": "p13", "quantity": 2, "unit_price_minor": 1}]
CONTACT = {"name": "Mrs Adler", "email": "adler@Example.com"}
CODE = new_access_code()  # display form, e.g. K7M4-Q9PX-2HTR
TYPO = CODE_ALPHABET[(CODE_ALPHABET.index(CODE[0]) + 1) % len(CODE_ALPHABET)] + CODE[1:]


def test_a_quote_body_is_an_order_body_whose_contact_and_totals_are_not_read() -> None:
    body = {"job_id": "JOB1", "lines": LINES, "voucher": "early10", "contact": {"x": 1}}

    request = parse_cart_request({**body, "total_minor": 1})

    assert request.job_id == "JOB1" and request.voucher_code == "EARLY10"
    assert request.lines == (CartLine("PH1", "p13", 2),)


def test_a_quote_body_names_what_is_missing() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_cart_request({"voucher": "EARLY10"})

    assert {e["field"] for e in refused.value.errors} == {"job_id", "lines"}


def test_an_entered_order_reads_the_code_as_printed_in_any_case() -> None:
    entered = parse_entered_order(
        {
            "access_code": CODE.lower().replace("-", " "),
            "lines": LINES,
            "contact": CONTACT,
            "voucher_code": "gift",
            "paid": True,
            "total_minor": 0,
        }
    )

    assert entered.access_code == CODE.replace("-", "")
    assert entered.lines == (CartLine("PH1", "p13", 2),)
    assert entered.contact.email == "adler@example.com"
    assert entered.voucher_code == "GIFT" and entered.paid is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"access_code": TYPO}, "access_code"),  # caught by the check character
        ({"paid": "yes"}, "paid"),
        ({"voucher": "A1", "voucher_code": "B2"}, "voucher_code"),
        ({"lines": []}, "lines"),
        ({"contact": {"name": "M"}}, "contact.email"),
    ],
)
def test_an_entered_order_names_each_bad_field(change: dict[str, Any], field: str) -> None:
    body = {"access_code": CODE, "lines": LINES, "contact": CONTACT, **change}

    with pytest.raises(ValidationFailed) as refused:
        parse_entered_order(body)

    assert field in {e["field"] for e in refused.value.errors}


# download links -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "plain", "exact"),
    [
        ("A_2.jpg", "A_2.jpg", "A_2.jpg"),
        ('Ärger "x".jpg', "Arger _x_.jpg", 'Ärger "x".jpg'),
        ("a/b\\c.jpg", "a_b_c.jpg", "a/b\\c.jpg"),
        ("日本.jpg", "download.jpg", "日本.jpg"),
    ],
)
def test_a_download_is_saved_under_its_name_quoted_safely(
    name: str, plain: str, exact: str
) -> None:
    header = attachment_disposition(name)

    ascii_part, utf8_part = header.split("; filename*=UTF-8''")
    assert ascii_part == f'attachment; filename="{plain}"'
    assert unquote(utf8_part) == exact and header.isascii() and '"' not in utf8_part


class FakeOrders:
    def __init__(self, order: Any) -> None:
        self.order = order

    def for_session(self, session: Any, order_id: str) -> Any:
        if order_id != self.order.order_id:
            raise NotFound(f"order {order_id} not found")
        return self.order


class FakePhotos:
    def __init__(self, *photos: Photo) -> None:
        self.photos = {p.photo_id: p for p in photos}
        self.asked: list[tuple[str, tuple[str, ...]]] = []

    def get_many(self, job_id: str, photo_ids: Any) -> dict[str, Photo]:
        wanted = tuple(photo_ids)
        self.asked.append((job_id, wanted))
        return {i: self.photos[i] for i in wanted if i in self.photos}


class FakeStorage:
    def signed_url(self, key: str, seconds: int = 0, *, download_name: str | None = None) -> str:
        return f"signed:{key}?seconds={seconds}&name={download_name}"


def photo(photo_id: str, studio_id: str = "STU1") -> Photo:
    key = f"originals/{studio_id}/JOB5H8P2/3b/{photo_id}/{photo_id}.jpg"
    return Photo(
        "JOB5H8P2", studio_id, photo_id, "3b", f"{photo_id}.jpg", key, 1, "image/jpeg", NOW
    )


def test_links_point_at_the_bought_originals_and_say_what_is_gone() -> None:
    order = order_of(("PH1", "p13"), ("PH2", "dl"), ("PH3", "family"), ("PH4", "dl"))
    photos = FakePhotos(photo("PH1"), photo("PH2"), photo("PH4", studio_id="OTHER"))
    links = DownloadLinks(FakeOrders(order), photos, FakeStorage(), seconds=300)  # type: ignore[arg-type]

    found = links.for_session(None, order.order_id)  # type: ignore[arg-type]

    assert photos.asked == [("JOB5H8P2", ("PH2", "PH3", "PH4"))]  # never the print's original
    assert [(f.photo_id, f.url) for f in found.files] == [
        ("PH2", "signed:originals/STU1/JOB5H8P2/3b/PH2/PH2.jpg?seconds=300&name=PH2.jpg")
    ]
    assert found.unavailable == ("PH3", "PH4") and found.expires_in == 300


def test_an_unpaid_order_signs_nothing() -> None:
    order = order_of(("PH2", "dl"), status=PENDING_PAYMENT)
    photos = FakePhotos(photo("PH2"))
    links = DownloadLinks(FakeOrders(order), photos, FakeStorage())  # type: ignore[arg-type]

    with pytest.raises(OrderNotPaid):
        links.for_session(None, order.order_id)  # type: ignore[arg-type]

    assert photos.asked == []


@pytest.mark.parametrize("seconds", [0, MAX_LINK_SECONDS + 1, 3600])
def test_links_never_live_longer_than_fifteen_minutes(seconds: int) -> None:
    with pytest.raises(ValueError):
        DownloadLinks(FakeOrders(pending_order()), FakePhotos(), FakeStorage(), seconds=seconds)  # type: ignore[arg-type]


# Stripe secret not filled in --------------------------------------------------------------------
class SecretsManager:
    def __init__(self, secret: str | None) -> None:
        self.secret = secret

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:
        if self.secret is None:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}
            raise ClientError(error, "GetSecretValue")  # type: ignore[arg-type]
        return {"SecretString": self.secret}


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (json.dumps({"secret_key": "", "webhook_secret": ""}), "secret_key, webhook_secret"),
        (json.dumps({"secret_key": "sk_test_1", "webhook_secret": " "}), "webhook_secret"),
        (None, "does not exist"),
    ],
)
def test_a_secret_not_filled_in_means_payments_are_not_configured(
    secret: str | None, problem: str
) -> None:
    reader = StripeSecretReader("arn:aws:secretsmanager:stripe-xyz", client=SecretsManager(secret))

    with pytest.raises(StripeSecretInvalid) as refused:
        reader()

    assert isinstance(refused.value, PaymentsNotConfigured)  # 503, never a 500
    assert problem in refused.value.message and "stripe-xyz" not in refused.value.message
