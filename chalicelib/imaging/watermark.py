"""The job's watermark as a tiled, diagonal overlay covering the whole preview.

A single corner logo is cropped away in seconds; rows of rotated marks across the whole frame
are not. The overlay depends only on the spec and the preview size, so it is cached: a job's
photos share both.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from PIL import Image, ImageDraw, ImageFont

DEFAULT_OPACITY: Final = 0.35
ANGLE_DEG: Final = 30.0
# Size of one mark relative to the preview's long edge, and the gaps between marks.
MARK_SHARE_OF_LONG_EDGE: Final = 0.22
GAP_SHARE_OF_MARK: Final = 0.6
MAX_WATERMARK_PNG_PIXELS: Final = 16_000_000
# The overlay is pasted in bands of this many pixels, skipping the parts without marks.
PIECE: Final = 16


@dataclass(frozen=True)
class WatermarkSpec:
    """What to stamp across previews: text, a PNG with alpha, or both; opacity in 0..1."""

    text: str | None = None
    image_png: bytes | None = None
    opacity: float = DEFAULT_OPACITY

    def __post_init__(self) -> None:
        if not (self.text and self.text.strip()) and not self.image_png:
            raise ValueError("a watermark needs text or an image")
        if not 0.0 < self.opacity <= 1.0:
            raise ValueError("watermark opacity must be in (0, 1]")


def apply_watermark(image: Image.Image, spec: WatermarkSpec) -> Image.Image:
    """A copy of `image` (RGB or YCbCr) with the tiled watermark blended over it."""
    marked = image.copy()
    stamp_watermark(marked, spec)
    return marked


def stamp_watermark(image: Image.Image, spec: WatermarkSpec) -> None:
    """Blend the tiled watermark over `image` (RGB or YCbCr) in place.

    Alpha blending is linear and YCbCr is a linear transform of RGB, so blending the overlay's
    YCbCr colour into YCbCr pixels gives the same picture as blending in RGB.
    """
    if image.mode not in ("RGB", "YCbCr"):
        raise ValueError(f"watermark needs RGB or YCbCr pixels, not {image.mode}")
    for origin, colour, alpha in _overlay_pieces(spec, image.size, image.mode):
        image.paste(colour, origin, alpha)


@lru_cache(maxsize=8)
def _overlay_pieces(
    spec: WatermarkSpec, size: tuple[int, int], mode: str
) -> tuple[tuple[tuple[int, int], Image.Image, Image.Image], ...]:
    """The overlay cut into runs of PIECE-high bands that hold marks: (origin, colour, alpha).

    The marks cover about a sixth of the frame; pasting only the runs that touch one skips most
    of the transparent pixels a single full-frame paste would blend for nothing.
    """
    colour, alpha = _overlay(spec, size, mode)
    # One value per PIECE x PIECE tile: non-zero when any pixel of the tile is.
    inked = alpha.point([0] + [255] * 255).reduce(PIECE)
    columns = inked.width
    tiles = inked.tobytes()
    pieces = []
    for row in range(inked.height):
        top, bottom = row * PIECE, min(size[1], (row + 1) * PIECE)
        run_start: int | None = None
        for column in range(columns + 1):
            marked = column < columns and tiles[row * columns + column] > 0
            if marked and run_start is None:
                run_start = column
            elif not marked and run_start is not None:
                box = (run_start * PIECE, top, min(size[0], column * PIECE), bottom)
                pieces.append(((box[0], top), colour.crop(box), alpha.crop(box)))
                run_start = None
    return tuple(pieces)


@lru_cache(maxsize=8)
def _overlay(
    spec: WatermarkSpec, size: tuple[int, int], mode: str = "RGB"
) -> tuple[Image.Image, Image.Image]:
    """The overlay's colour (in `mode`) and alpha for one preview size."""
    overlay = _overlay_rgba(spec, size)
    return overlay.convert("RGB").convert(mode), overlay.getchannel("A")


@lru_cache(maxsize=4)
def _overlay_rgba(spec: WatermarkSpec, size: tuple[int, int]) -> Image.Image:
    mark = _mark(spec, max(size))
    diagonal = math.ceil(math.hypot(*size))
    sheet = Image.new("RGBA", (diagonal, diagonal), (0, 0, 0, 0))
    step_x = int(mark.width * (1 + GAP_SHARE_OF_MARK))
    step_y = int(mark.height * (1 + GAP_SHARE_OF_MARK * 2))
    for row, y in enumerate(range(0, diagonal, max(1, step_y))):
        # Alternate rows are shifted by half a step (brick pattern): no clean column to crop.
        # Marks never overlap, so a plain paste (negative offsets allowed) is enough.
        for x in range(-(step_x // 2) * (row % 2), diagonal, max(1, step_x)):
            sheet.paste(mark, (x, y))
    rotated = sheet.rotate(ANGLE_DEG, resample=Image.Resampling.BICUBIC)
    left = (diagonal - size[0]) // 2
    top = (diagonal - size[1]) // 2
    return rotated.crop((left, top, left + size[0], top + size[1]))


def _mark(spec: WatermarkSpec, long_edge: int) -> Image.Image:
    target_width = max(16, int(long_edge * MARK_SHARE_OF_LONG_EDGE))
    parts = []
    if spec.image_png:
        parts.append(_image_mark(spec.image_png, target_width))
    if spec.text and spec.text.strip():
        parts.append(_text_mark(spec.text.strip(), target_width))
    width = max(part.width for part in parts)
    height = sum(part.height for part in parts)
    mark = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    y = 0
    for part in parts:
        mark.alpha_composite(part, ((width - part.width) // 2, y))
        y += part.height
    alpha = mark.getchannel("A").point(lambda value: round(value * spec.opacity))
    mark.putalpha(alpha)
    return mark


def _image_mark(png: bytes, target_width: int) -> Image.Image:
    with Image.open(io.BytesIO(png)) as source:
        if source.width * source.height > MAX_WATERMARK_PNG_PIXELS:
            raise ValueError("watermark image is too large")
        logo = source.convert("RGBA")
    height = max(1, round(logo.height * target_width / logo.width))
    return logo.resize((target_width, height), Image.Resampling.LANCZOS)


def _text_mark(text: str, target_width: int) -> Image.Image:
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    size = 100
    font = _font(size)
    width = probe.textlength(text, font=font)
    size = max(8, int(size * target_width / max(1.0, width)))
    font = _font(size)
    stroke = max(1, size // 18)
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font, stroke_width=stroke)
    mark = Image.new("RGBA", (int(right - left) + 2, int(bottom - top) + 2), (0, 0, 0, 0))
    # White letters with a dark outline stay visible on both bright and dark backgrounds.
    ImageDraw.Draw(mark).text(
        (-left + 1, -top + 1),
        text,
        font=font,
        fill=(255, 255, 255, 255),
        stroke_width=stroke,
        stroke_fill=(0, 0, 0, 160),
    )
    return mark


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)
