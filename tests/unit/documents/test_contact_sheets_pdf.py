import io
import shutil
import subprocess

import pytest
from PIL import Image

from chalicelib.documents.contact_sheets import (
    ContactSheetClass,
    ContactSheetEntry,
    contact_sheets_pdf,
)
from chalicelib.documents.fonts import Fonts
from chalicelib.domain.access_codes import format_code, new_access_code

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils not installed",
)


def jpeg(colour: str, size=(300, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_text(pdf: bytes, tmp_path) -> list[str]:
    (tmp_path / "sheets.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", "sheets.pdf", "-"], cwd=tmp_path, check=True, capture_output=True
    ).stdout.decode()
    return text.split("\f")[:-1]  # one entry per page


@needs_poppler
def test_one_page_per_twenty_subjects_per_class_in_alphabetical_order(tmp_path):
    big = [
        ContactSheetEntry(f"Kid{i}", f"Last{i}", new_access_code(), jpeg("red")) for i in range(23)
    ]
    small = [
        ContactSheetEntry("Zoë", "Müller", "abc1232026", None),
        ContactSheetEntry("Łukasz", "Adler", new_access_code(), jpeg("blue", (800, 200))),
    ]

    pdf = contact_sheets_pdf(
        "St. John Primary School",
        [ContactSheetClass("3a", big), ContactSheetClass("2b", small)],
        shop_url="https://shop.example.com",
    )
    pages = pdf_text(pdf, tmp_path)

    assert len(pages) == 3
    assert "Class 2b" in pages[0] and "Class 3a \u2013 page 1 of 2" in pages[1]
    assert pages[0].index("Łukasz Adler") < pages[0].index("Zoë Müller")
    assert "ABC1232026" in pages[0] and "no photo" in pages[0]
    assert "Photos online at shop.example.com with your code" in pages[0]
    assert all(format_code(e.access_code) in pages[1] for e in big[:20] if e.last_name != "Last20")
    assert "Last22" in pages[2] and pages[1].index("Last2 ") < pages[1].index("Last10")


@needs_poppler
def test_a_broken_or_huge_thumbnail_becomes_the_placeholder(tmp_path):
    entries = [
        ContactSheetEntry("Anna", "Adler", "ABCD2026", b"not a jpeg"),
        ContactSheetEntry("Ben", "Braun", "BCDE2026", jpeg("green", (6000, 5000))),
    ]

    [page] = pdf_text(contact_sheets_pdf("Job", [ContactSheetClass("1a", entries)]), tmp_path)

    assert page.count("no photo") == 2


def test_no_classes_still_makes_a_document():
    assert contact_sheets_pdf("Job", []).startswith(b"%PDF")


def test_base_fonts_replace_what_they_cannot_show():
    base = Fonts("Helvetica", "Helvetica-Bold", "Courier-Bold", unicode=False)

    assert base.text("Łukasz Müller") == "?ukasz Müller"
