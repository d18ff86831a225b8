"""The card front: 85x55 mm, a large readable QR of the tag, text beside it."""

from __future__ import annotations

import segno
import zxingcpp
from PIL import ImageStat

from chalicelib.documents.card_face import render_card_face

from .factories import a_tag


def test_card_is_85_by_55_mm_and_its_qr_reads_back() -> None:
    tag = a_tag()
    face = render_card_face(tag, "Zoë Weiß-Okafor", "Class 4b", "Spring Picture Day 2025", dpi=300)
    assert face.size == (1004, 650)
    assert face.mode == "RGB"
    [barcode] = zxingcpp.read_barcodes(face)
    assert barcode.text == tag
    # The symbol takes most of the card height, so it stays readable when small in a photo.
    assert barcode.position.bottom_left.y - barcode.position.top_left.y > 0.6 * face.height


def test_tag_fits_alphanumeric_version_2_at_level_m() -> None:
    symbol = segno.make_qr(a_tag(), error="m", boost_error=False)
    assert (symbol.version, symbol.error, symbol.mode) == (2, "M", "alphanumeric")


def test_text_is_drawn_right_of_the_symbol_and_scales_with_dpi() -> None:
    face = render_card_face(a_tag(), "Ben", "3a", "Picture Day", dpi=150)
    assert face.size == (502, 325)
    text_column = face.crop((int(face.width * 0.62), 0, face.width, face.height)).convert("L")
    assert ImageStat.Stat(text_column).extrema[0][0] < 80  # dark text is present


def test_long_names_stay_on_the_card() -> None:
    face = render_card_face(
        a_tag(), "Maximiliane-Charlotte von Hohenberg-Lindqvist", "", "", dpi=300
    )
    right_margin = face.crop((face.width - 20, 0, face.width, face.height)).convert("L")
    assert ImageStat.Stat(right_margin).extrema[0][0] > 200
