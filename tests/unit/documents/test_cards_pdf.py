import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from chalicelib.documents.cards import CardSubject, cards_pdf, shop_link
from chalicelib.domain.access_codes import InvalidAccessCode, new_access_code, normalize_any_code
from chalicelib.domain.tags import make_tag, parse_tag

JOB = "J0B000000001"
SHOP = "https://shop.example.com/"
CARDS = [
    CardSubject(JOB, "SBJ00000000Z", "Zoë", "Müller", "3a", new_access_code()),
    CardSubject(JOB, "SBJ00000000N", "Łukasz", "Nowak", "3a", new_access_code()),
    CardSubject(JOB, "SBJ00000000J", "José", "García", "2b", new_access_code()),
    CardSubject(JOB, "SBJ00000000A", "Anna", "Adler", "3a", "abc1232026"),
    CardSubject(JOB, "SBJ00000000S", "Spare", "10", "3a", new_access_code(), is_spare=True),
    CardSubject(JOB, "SBJ00000000T", "Spare", "2", "3a", new_access_code(), is_spare=True),
    CardSubject(JOB, "SBJ00000000E", "Emil", "Ernst", "3a", new_access_code()),
]
# Class, then last name (accents folded), spares last in their class, numbered naturally.
EXPECTED_ORDER = [
    "SBJ00000000J",
    "SBJ00000000A",
    "SBJ00000000E",
    "SBJ00000000Z",
    "SBJ00000000N",
    "SBJ00000000T",
    "SBJ00000000S",
]

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm not installed"
)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return cards_pdf("St. John Primary School", SHOP, CARDS)


@pytest.fixture(scope="module")
def pages(pdf, tmp_path_factory) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed")
    folder = tmp_path_factory.mktemp("cards")
    (folder / "cards.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "cards.pdf", "page"], cwd=folder, check=True)
    return sorted(folder.glob("page-*.png"))


def decoded(page: Path) -> list[str]:
    # Top to bottom, then left to right: the order the cards were laid out in.
    results = zxingcpp.read_barcodes(Image.open(page))
    spots = [(round(r.position.top_left.y / 100), r.position.top_left.x, r.text) for r in results]
    return [text for *_, text in sorted(spots)]


def test_pdf_has_one_a4_page_per_six_cards(pdf, pages):
    assert pdf.startswith(b"%PDF")
    assert len(pages) == 2
    with Image.open(pages[0]) as image:
        assert image.size == (1654, 2339)  # A4 at 200 dpi


@needs_poppler
def test_every_tag_and_shop_link_decodes_from_the_printed_page(pages):
    texts = [text for page in pages for text in decoded(page)]

    tags = [text for text in texts if text.startswith("PJ1:")]
    links = [text for text in texts if not text.startswith("PJ1:")]
    by_id = {card.subject_id: card for card in CARDS}
    assert sorted(tags) == sorted(make_tag(JOB, card.subject_id) for card in CARDS)
    assert sorted(links) == sorted(shop_link(SHOP, card.access_code) for card in CARDS)
    assert [parse_tag(tag).subject_id for tag in tags] == EXPECTED_ORDER
    for tag, link in zip(tags, links):
        card = by_id[parse_tag(tag).subject_id]
        assert link == shop_link(SHOP, card.access_code)  # each stub sits under its own face


def test_shop_link_carries_the_display_code():
    assert (
        shop_link("https://shop.example.com/", "k7m4q9px2htr")
        == "https://shop.example.com/?code=K7M4-Q9PX-2HTR"
    )
    assert shop_link("https://s.example", "abc-1232026") == "https://s.example/?code=ABC1232026"


def test_the_photographed_tag_never_opens_a_gallery():
    for card in CARDS:
        with pytest.raises(InvalidAccessCode):
            normalize_any_code(make_tag(card.job_id, card.subject_id))


@needs_poppler
def test_names_codes_and_the_tear_off_note_are_printed(pdf, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    (tmp_path / "cards.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "cards.pdf", "-"], cwd=tmp_path, check=True, capture_output=True
    ).stdout.decode()

    assert "\u2702 tear off before the photo" in text
    assert "Access code for Łukasz Nowak (3a)" in text
    assert "ABC1232026" in text
    assert "shop.example.com" in text


def test_no_cards_still_makes_a_printable_document():
    assert cards_pdf("Empty job", SHOP, []).startswith(b"%PDF")
