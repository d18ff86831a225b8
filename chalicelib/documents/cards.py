"""The printable QR cards of a job: A4 sheets, six cards a page, with crop marks.

Each card is two parts, one above the other:

* the **face** (85 x 55 mm, from ``card_face.render_card_face``): the subject tag as a QR symbol
  and the name, class and job. This is what is held up to the camera.
* the **stub** (85 x 30 mm) below a dashed perforation: the parents' access code, the shop
  address and a QR symbol of the shop link with the code filled in. It is torn off before the
  photo, so the secret is never photographed, and a photographed face opens nothing.

Spare cards (no name yet) get lines to write the name and class on by hand.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from chalicelib.documents.card_face import render_card_face
from chalicelib.documents.fonts import Fonts, fit_font_size, fonts
from chalicelib.domain.access_codes import format_code
from chalicelib.domain.gallery_sequence import name_key
from chalicelib.domain.tags import make_tag

FACE_WIDTH = 85 * mm
FACE_HEIGHT = 55 * mm
STUB_HEIGHT = 30 * mm
CELL_HEIGHT = FACE_HEIGHT + STUB_HEIGHT
COLUMNS, ROWS = 2, 3
CARDS_PER_PAGE = COLUMNS * ROWS
_GAP_X, _GAP_Y = 10 * mm, 8 * mm
_CROP_MARK, _CROP_OFFSET = 3 * mm, 1 * mm
_FACE_DPI = 300
# The face's text column starts right of its QR symbol (see card_face: 3.5 mm margins around a
# symbol as tall as the card less the margins).
_FACE_TEXT_LEFT = (3.5 + 48 + 3.5) * mm
_QUIET_ZONE = 4  # modules of white around a QR symbol, as the standard asks


@dataclass(frozen=True)
class CardSubject:
    job_id: str
    subject_id: str
    first_name: str
    last_name: str
    class_name: str
    access_code: str  # canonical or display form
    is_spare: bool = False  # print lines to write the name on


def shop_link(shop_url: str, code: str) -> str:
    """The link on the stub: the shop with the access code filled in."""
    return f"{shop_url.rstrip('/')}/?code={quote(format_code(code))}"


def cards_pdf(job_name: str, shop_url: str, cards: Sequence[CardSubject]) -> bytes:
    """A4 PDF of all `cards`, sorted by class, then last and first name (spares last per class).

    Print at 100 % (no "fit to page"): the cards are 85 mm wide.
    """
    ordered = sorted(cards, key=_card_order)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"QR cards: {job_name}")
    font = fonts()
    pages = max(1, -(-len(ordered) // CARDS_PER_PAGE))
    for page in range(pages):
        batch = ordered[page * CARDS_PER_PAGE : (page + 1) * CARDS_PER_PAGE]
        for slot, card in enumerate(batch):
            x, y = _cell_origin(slot)
            _draw_card(canvas, font, x, y, job_name, shop_url, card)
        _draw_footer(canvas, font, job_name, page + 1, pages)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """A vector QR symbol of `value`, quiet zone included, in a `size` square at (x, y)."""
    qr = segno.make_qr(value, error="m")
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=_QUIET_ZONE)]
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row_index, row in enumerate(rows):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            # A hair of overlap so that no white seams show between neighbouring modules.
            path.rect(x + start * module, top, (column - start) * module + 0.05, module + 0.05)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _card_order(card: CardSubject) -> tuple[object, ...]:
    return (
        name_key(card.class_name),
        card.is_spare,
        _fold(card.last_name),
        _fold(card.first_name),
        name_key(f"{card.last_name} {card.first_name}"),
        card.subject_id,
    )


def _fold(text: str) -> tuple[str | int, ...]:
    # Müller sorts with Muller, not after Zimmermann; numbers naturally (Spare 2 before Spare 10).
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return name_key("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _cell_origin(slot: int) -> tuple[float, float]:
    page_width, page_height = A4
    block_width = COLUMNS * FACE_WIDTH + (COLUMNS - 1) * _GAP_X
    block_height = ROWS * CELL_HEIGHT + (ROWS - 1) * _GAP_Y
    left = (page_width - block_width) / 2
    top = (page_height + block_height) / 2
    column, row = slot % COLUMNS, slot // COLUMNS
    x = left + column * (FACE_WIDTH + _GAP_X)
    y = top - (row + 1) * CELL_HEIGHT - row * _GAP_Y
    return x, y  # bottom-left corner of the cell (stub at the bottom, face on top)


def _draw_card(
    canvas: Canvas, font: Fonts, x: float, y: float, job_name: str, shop_url: str, c: CardSubject
) -> None:
    tag = make_tag(c.job_id, c.subject_id)
    name = "" if c.is_spare else f"{c.first_name} {c.last_name}".strip()
    class_name = "" if c.is_spare else c.class_name
    face = render_card_face(tag, name, class_name, job_name, dpi=_FACE_DPI)
    face_y = y + STUB_HEIGHT
    canvas.drawImage(ImageReader(face.convert("L")), x, face_y, FACE_WIDTH, FACE_HEIGHT)
    if c.is_spare:
        _draw_write_in_lines(canvas, font, x, face_y)
    _draw_stub(canvas, font, x, y, shop_url, c)
    _draw_crop_marks(canvas, x, y, FACE_WIDTH, CELL_HEIGHT)


def _draw_write_in_lines(canvas: Canvas, font: Fonts, x: float, face_y: float) -> None:
    left, right = x + _FACE_TEXT_LEFT, x + FACE_WIDTH - 3.5 * mm
    canvas.saveState()
    canvas.setLineWidth(0.6)
    canvas.setFont(font.regular, 7)
    for label, from_top in (("Name", 30 * mm), ("Class", 44 * mm)):
        line_y = face_y + FACE_HEIGHT - from_top
        canvas.drawString(left, line_y + 1.5 * mm, label)
        canvas.line(left, line_y, right, line_y)
    canvas.restoreState()


def _draw_stub(
    canvas: Canvas, font: Fonts, x: float, y: float, shop_url: str, c: CardSubject
) -> None:
    top = y + STUB_HEIGHT
    canvas.saveState()
    # The perforation: where the stub comes off before the photo.
    canvas.setDash(3, 2)
    canvas.setLineWidth(0.5)
    canvas.line(x, top, x + FACE_WIDTH, top)
    canvas.setDash()
    scissors = "\u2702 " if font.unicode else ""
    canvas.setFont(font.regular, 5.5)
    canvas.drawRightString(
        x + FACE_WIDTH - 2 * mm, top - 2.6 * mm, f"{scissors}tear off before the photo"
    )

    qr_size = 26 * mm
    link = shop_link(shop_url, c.access_code)
    draw_qr(canvas, link, x + 1 * mm, y + (STUB_HEIGHT - qr_size) / 2, qr_size)

    left = x + qr_size + 3 * mm
    width = x + FACE_WIDTH - 2 * mm - left
    who = f"{c.first_name} {c.last_name}".strip() + (f" ({c.class_name})" if c.class_name else "")
    label = font.text(f"Access code for {who}")
    canvas.setFont(font.regular, fit_font_size(label, font.regular, 6.5, width))
    canvas.drawString(left, top - 7 * mm, label)
    code = format_code(c.access_code)
    canvas.setFont(font.mono_bold, fit_font_size(code, font.mono_bold, 13, width))
    canvas.drawString(left, top - 13.5 * mm, code)
    host = shop_url.split("://", 1)[-1].rstrip("/")
    canvas.setFont(font.regular, 6.5)
    canvas.drawString(left, top - 19 * mm, "Your photos online:")
    canvas.setFont(font.bold, fit_font_size(host, font.bold, 8, width))
    canvas.drawString(left, top - 22.5 * mm, font.text(host))
    canvas.setFont(font.regular, 5.5)
    canvas.drawString(left, top - 26.5 * mm, "or scan the code on the left")
    canvas.restoreState()


def _draw_crop_marks(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setLineWidth(0.3)
    for corner_x, sign_x in ((x, -1), (x + width, 1)):
        for corner_y, sign_y in ((y, -1), (y + height, 1)):
            start_x = corner_x + sign_x * _CROP_OFFSET
            canvas.line(start_x, corner_y, start_x + sign_x * _CROP_MARK, corner_y)
            start_y = corner_y + sign_y * _CROP_OFFSET
            canvas.line(corner_x, start_y, corner_x, start_y + sign_y * _CROP_MARK)
    canvas.restoreState()


def _draw_footer(canvas: Canvas, font: Fonts, job_name: str, page: int, pages: int) -> None:
    canvas.saveState()
    canvas.setFont(font.regular, 7)
    canvas.setFillColorRGB(0.4, 0.4, 0.4)
    text = font.text(
        f"{job_name} \u2013 QR cards \u2013 page {page} of {pages} \u2013 print at 100 %"
    )
    canvas.drawCentredString(A4[0] / 2, 5 * mm, text)
    canvas.restoreState()
