"""The front of a QR card: the side a child holds up to the camera at the start of their photos.

It carries the subject tag as a large QR symbol (what the upload pipeline decodes) and the name,
class and job in large type (what the photographer and a reviewer read). It never carries the
parents' access code: photographing a card must not open a gallery.
"""

from __future__ import annotations

import segno
from PIL import Image, ImageDraw, ImageFont

CARD_WIDTH_MM = 85.0
CARD_HEIGHT_MM = 55.0
MM_PER_INCH = 25.4
# The symbol fills the card height less this margin; the text column takes the rest.
MARGIN_MM = 3.5
# Four modules of white around the symbol, as the QR standard asks: it is what lets a decoder
# find the finder patterns against a busy background (a jumper, a hand).
QUIET_ZONE_MODULES = 4
# M keeps a 34-character tag at version 2 (25x25 modules, alphanumeric mode): the biggest
# modules for a given printed size, which matters more for a small card in a big frame than
# extra error correction.
ERROR_CORRECTION = "m"

_NAME_PT_MM = 6.0
_DETAIL_PT_MM = 4.0
_JOB_PT_MM = 3.2
_LINE_GAP_MM = 2.0
_MAX_LINES = 2
_MIN_FONT_PX = 10
_REGULAR_FONTS = (
    "DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
_BOLD_FONTS = (
    "DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


def render_card_face(
    tag: str, name: str, class_name: str, job_name: str, dpi: int = 300
) -> Image.Image:
    """An RGB image of the card front, 85x55 mm at `dpi`: QR of `tag` left, text right."""
    width, height = _mm_to_px(CARD_WIDTH_MM, dpi), _mm_to_px(CARD_HEIGHT_MM, dpi)
    card = Image.new("RGB", (width, height), "white")
    margin = _mm_to_px(MARGIN_MM, dpi)

    symbol = _qr_image(tag, max_side=height - 2 * margin)
    card.paste(symbol, (margin, (height - symbol.height) // 2))

    text_left = margin + symbol.width + margin
    _draw_text_column(card, text_left, width - margin, dpi, name, class_name, job_name)
    return card


def _qr_image(tag: str, max_side: int) -> Image.Image:
    qr = segno.make_qr(tag, error=ERROR_CORRECTION, boost_error=False)
    rows = list(qr.matrix_iter(scale=1, border=QUIET_ZONE_MODULES))
    modules = len(rows)
    pixels = bytes(0 if dark else 255 for row in rows for dark in row)
    symbol = Image.frombytes("L", (modules, modules), pixels)
    # Whole pixels per module keep every module edge sharp at print resolution.
    side = modules * max(1, max_side // modules)
    return symbol.resize((side, side), Image.Resampling.NEAREST).convert("RGB")


def _draw_text_column(
    card: Image.Image,
    left: int,
    right: int,
    dpi: int,
    name: str,
    class_name: str,
    job_name: str,
) -> None:
    draw = ImageDraw.Draw(card)
    blocks = [
        (name, _NAME_PT_MM, "black", True),
        (class_name, _DETAIL_PT_MM, "black", True),
        (job_name, _JOB_PT_MM, "#444444", False),
    ]
    y = _mm_to_px(7.0, dpi)
    for text, size_mm, colour, bold in blocks:
        if not text.strip():
            continue
        size = _mm_to_px(size_mm, dpi)
        lines, font = _wrap(draw, text.strip(), size, right - left, bold)
        for line in lines:
            draw.text((left, y), line, font=font, fill=colour)
            y = int(draw.textbbox((left, y), line, font=font)[3]) + _mm_to_px(0.8, dpi)
        y += _mm_to_px(_LINE_GAP_MM, dpi)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int, bold: bool
) -> tuple[list[str], FontType]:
    # Long names wrap onto a second line first and only then shrink, so they stay readable.
    while True:
        font = _font(size, bold)
        lines = _greedy_lines(draw, text, font, max_width)
        fits = all(draw.textlength(line, font=font) <= max_width for line in lines)
        if size <= _MIN_FONT_PX or (fits and len(lines) <= _MAX_LINES):
            return lines, font
        size = int(size * 0.9)


def _greedy_lines(
    draw: ImageDraw.ImageDraw, text: str, font: FontType, max_width: int
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _font(size: int, bold: bool) -> FontType:
    # DejaVu covers accented and non-Latin names; Pillow's built-in font (no file needed, e.g. on
    # Lambda) is the fallback and covers ASCII.
    for path in _BOLD_FONTS if bold else _REGULAR_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _mm_to_px(mm: float, dpi: int) -> int:
    return round(mm / MM_PER_INCH * dpi)
