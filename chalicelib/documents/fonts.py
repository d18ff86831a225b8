"""Fonts for the PDFs: DejaVu (every European name, the scissors sign), from the package's
``fonts/`` folder (the Lambda artefact carries the files there, copied by ``infra/build.py``)
or the system's; without them the PDF base fonts, which only cover Western European text."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

BUNDLED_FONT_DIR = Path(__file__).resolve().parent / "fonts"  # only in the Lambda artefact
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
_FONT_DIRS = (
    BUNDLED_FONT_DIR,
    SYSTEM_FONT_DIR,
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
FONT_FILES = {
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


def font_path(file_name: str) -> Path | None:
    """Where ``file_name`` is found first (the bundled folder wins), or None."""
    return next((d / file_name for d in _FONT_DIRS if (d / file_name).is_file()), None)


@functools.cache
def fonts() -> Fonts:
    """The registered fonts, registered once per process."""
    names: dict[str, str] = {}
    for name, file_name in FONT_FILES.items():
        path = font_path(file_name)
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
