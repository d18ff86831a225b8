"""Fonts for the PDFs: DejaVu when installed (every European name, the scissors sign), else the
PDF base fonts, which need no file (e.g. on Lambda) but only cover Western European text."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
_FILES = {
    "PJSans": "DejaVuSans.ttf",
    "PJSans-Bold": "DejaVuSans-Bold.ttf",
    "PJMono-Bold": "DejaVuSansMono-Bold.ttf",
}


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    mono_bold: str
    unicode: bool  # False: base fonts, text is limited to Windows-1252

    def text(self, value: str) -> str:
        """`value` as the fonts can show it: characters the base fonts lack become '?'."""
        if self.unicode:
            return value
        return value.encode("cp1252", errors="replace").decode("cp1252")


@functools.cache
def fonts() -> Fonts:
    """The registered fonts, registered once per process."""
    names: dict[str, str] = {}
    for name, file_name in _FILES.items():
        path = next((d / file_name for d in _FONT_DIRS if (d / file_name).is_file()), None)
        if path is None:
            return Fonts("Helvetica", "Helvetica-Bold", "Courier-Bold", unicode=False)
        names[name] = name
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return Fonts(names["PJSans"], names["PJSans-Bold"], names["PJMono-Bold"], unicode=True)


def fit_font_size(
    text: str, font: str, size: float, max_width: float, min_size: float = 5
) -> float:
    """The largest size up to `size` at which `text` fits `max_width` points (not below min)."""
    width = pdfmetrics.stringWidth(text, font, size)
    if width <= max_width or width == 0:
        return size
    return max(min_size, size * max_width / width)
