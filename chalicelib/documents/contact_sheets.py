"""Contact sheets for the school: per class, every subject's first photo, name and access code.

Used when codes were made without QR cards (manual tagging) or had to be replaced (a deleted
job): the school hands each parent their cut-out square. A4 portrait, 4 x 5 squares a page.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from chalicelib.documents.fonts import Fonts, fit_font_size, fonts
from chalicelib.domain.access_codes import format_code
from chalicelib.domain.gallery_sequence import name_key

COLUMNS, ROWS = 4, 5
PER_PAGE = COLUMNS * ROWS
_MARGIN = 12 * mm
_HEADER = 22 * mm
_PHOTO_HEIGHT = 32 * mm
# Thumbnails are scaled down to this before embedding; enough for a 40 mm box at 250 dpi.
_MAX_THUMB_PX = 400
# Larger images are not decoded at all (a thumbnail never is this big).
MAX_THUMBNAIL_PIXELS = 25_000_000


@dataclass(frozen=True)
class ContactSheetEntry:
    first_name: str
    last_name: str
    access_code: str
    thumbnail: bytes | None = None  # JPEG (or PNG) of the first photo; None: a placeholder


@dataclass(frozen=True)
class ContactSheetClass:
    name: str
    entries: Sequence[ContactSheetEntry]


def contact_sheets_pdf(
    job_name: str, classes: Sequence[ContactSheetClass], shop_url: str | None = None
) -> bytes:
    """One or more pages per class (classes and names in alphabetical order), with cut lines.

    A thumbnail that cannot be read is drawn as the placeholder rather than failing the sheet.
    """
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Contact sheets: {job_name}")
    font = fonts()
    for school_class in sorted(classes, key=lambda c: name_key(c.name)):
        entries = sorted(school_class.entries, key=_entry_order)
        pages = max(1, -(-len(entries) // PER_PAGE))
        for page in range(pages):
            _draw_header(canvas, font, job_name, school_class.name, page + 1, pages, shop_url)
            for slot, entry in enumerate(entries[page * PER_PAGE : (page + 1) * PER_PAGE]):
                _draw_entry(canvas, font, slot, entry)
            canvas.showPage()
    if not classes:
        _draw_header(canvas, font, job_name, "", 1, 1, shop_url)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _entry_order(entry: ContactSheetEntry) -> tuple[object, ...]:
    return (_fold(entry.last_name), _fold(entry.first_name), entry.access_code)


def _fold(text: str) -> tuple[str | int, ...]:
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return name_key("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _cell(slot: int) -> tuple[float, float, float, float]:
    width = (A4[0] - 2 * _MARGIN) / COLUMNS
    height = (A4[1] - 2 * _MARGIN - _HEADER) / ROWS
    column, row = slot % COLUMNS, slot // COLUMNS
    x = _MARGIN + column * width
    y = A4[1] - _MARGIN - _HEADER - (row + 1) * height
    return x, y, width, height


def _draw_header(
    canvas: Canvas,
    font: Fonts,
    job_name: str,
    class_name: str,
    page: int,
    pages: int,
    shop_url: str | None,
) -> None:
    top = A4[1] - _MARGIN
    width = A4[0] - 2 * _MARGIN
    title = font.text(job_name)
    canvas.setFont(font.bold, fit_font_size(title, font.bold, 14, width))
    canvas.drawString(_MARGIN, top - 6 * mm, title)
    canvas.setFont(font.regular, 10)
    detail = f"Class {class_name}" if class_name else "No classes"
    if pages > 1:
        detail += f" \u2013 page {page} of {pages}"
    canvas.drawString(_MARGIN, top - 12 * mm, font.text(detail))
    if shop_url:
        host = shop_url.split("://", 1)[-1].rstrip("/")
        canvas.setFont(font.regular, 9)
        canvas.drawRightString(
            _MARGIN + width, top - 12 * mm, font.text(f"Photos online at {host} with your code")
        )
    canvas.setLineWidth(0.5)
    canvas.line(_MARGIN, top - 15 * mm, _MARGIN + width, top - 15 * mm)


def _draw_entry(canvas: Canvas, font: Fonts, slot: int, entry: ContactSheetEntry) -> None:
    x, y, width, height = _cell(slot)
    canvas.saveState()
    canvas.setDash(2, 2)
    canvas.setLineWidth(0.3)
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    canvas.rect(x, y, width, height)  # cut lines
    canvas.restoreState()

    inner = width - 4 * mm
    photo_top = y + height - 2 * mm
    _draw_thumbnail(canvas, font, entry.thumbnail, x + 2 * mm, photo_top - _PHOTO_HEIGHT, inner)

    name = font.text(f"{entry.first_name} {entry.last_name}".strip())
    canvas.setFont(font.bold, fit_font_size(name, font.bold, 8.5, inner))
    canvas.drawCentredString(x + width / 2, photo_top - _PHOTO_HEIGHT - 4.5 * mm, name)
    code = format_code(entry.access_code)
    canvas.setFont(font.mono_bold, fit_font_size(code, font.mono_bold, 10, inner))
    canvas.drawCentredString(x + width / 2, photo_top - _PHOTO_HEIGHT - 9.5 * mm, code)


def _draw_thumbnail(
    canvas: Canvas, font: Fonts, data: bytes | None, x: float, y: float, width: float
) -> None:
    image = _thumbnail(data)
    if image is None:
        canvas.saveState()
        canvas.setFillColorRGB(0.92, 0.92, 0.92)
        canvas.rect(x, y, width, _PHOTO_HEIGHT, stroke=0, fill=1)
        canvas.setFillColorRGB(0.45, 0.45, 0.45)
        canvas.setFont(font.regular, 7)
        canvas.drawCentredString(x + width / 2, y + _PHOTO_HEIGHT / 2 - 1 * mm, "no photo")
        canvas.restoreState()
        return
    scale = min(width / image.width, _PHOTO_HEIGHT / image.height)
    drawn_width, drawn_height = image.width * scale, image.height * scale
    canvas.drawImage(
        ImageReader(image),
        x + (width - drawn_width) / 2,
        y + (_PHOTO_HEIGHT - drawn_height) / 2,
        drawn_width,
        drawn_height,
    )


def _thumbnail(data: bytes | None) -> Image.Image | None:
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_THUMBNAIL_PIXELS:
                return None
            opened.draft("RGB", (_MAX_THUMB_PX, _MAX_THUMB_PX))  # cheap JPEG downscale
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    image.thumbnail((_MAX_THUMB_PX, _MAX_THUMB_PX))
    return image
