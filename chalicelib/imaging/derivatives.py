"""Preview and thumbnail: upright, sRGB, metadata-free progressive JPEGs.

Both are built from the reduced decode that the QR scan used, so the original is decoded once.
Nothing from the original's metadata survives: no EXIF (GPS, serials, capture settings), no XMP,
no ICC profile (pixels are converted to sRGB, which is what browsers assume without one).

A camera JPEG without a profile is sRGB already; its pixels stay in the decoder's YCbCr from the
decode to the encoder (JPEG's own colour space), so neither side converts 1.7 MP of colour. The
thumbnail is made from the preview before the watermark goes on, in place, onto the preview.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageCms

from chalicelib.imaging.watermark import WatermarkSpec, stamp_watermark

logger = logging.getLogger(__name__)

PREVIEW_LONG_EDGE: Final = 1600
THUMBNAIL_LONG_EDGE: Final = 400
PREVIEW_QUALITY: Final = 82
THUMBNAIL_QUALITY: Final = 78
# Hamming is as cheap as bilinear and sharper; Lanczos costs twice as much on a 6 MP source for a
# difference that does not survive the watermark and JPEG encoding of a 1600 px preview.
RESAMPLE: Final = Image.Resampling.HAMMING
# Shrinking starts with Pillow's integer box reduction (an exact area average, several times
# cheaper than filtering) by the largest factor that leaves at most this much to enlarge back.
# 3000 -> 1600 px is a 2x reduction to 1500 and a 7% enlargement: about 16 ms instead of 27 ms
# for Hamming all the way on a 6 MP frame, and smooth edges where a plain box resize leaves
# stair-steps. The 400 px thumbnail is an exact 4x reduction of the preview.
MAX_ENLARGEMENT: Final = 0.075

# EXIF orientation -> the transpose that makes the image upright.
_UPRIGHT: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB: Final = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Derivatives:
    preview_jpeg: bytes
    thumbnail_jpeg: bytes


def make_derivatives(
    image: Image.Image,
    *,
    orientation: int | None,
    icc_profile: bytes | None,
    watermark: WatermarkSpec | None,
    preview_long_edge: int = PREVIEW_LONG_EDGE,
    thumbnail_long_edge: int = THUMBNAIL_LONG_EDGE,
) -> Derivatives:
    """Watermarked preview and clean thumbnail from a decoded (possibly reduced) image.

    `image` is not modified.
    """
    preview = upright(to_srgb(fit(image, preview_long_edge), icc_profile), orientation)
    thumbnail = fit(preview, thumbnail_long_edge)
    thumbnail_jpeg = encode_jpeg(thumbnail, THUMBNAIL_QUALITY)
    if watermark:
        if preview is image:
            preview = image.copy()
        stamp_watermark(preview, watermark)
    return Derivatives(encode_jpeg(preview, PREVIEW_QUALITY), thumbnail_jpeg)


def fit(image: Image.Image, long_edge: int) -> Image.Image:
    """`image` scaled so its long side is at most `long_edge` (never enlarged)."""
    scale = long_edge / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if image.mode not in ("RGB", "YCbCr", "L", "CMYK", "RGBA", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    factor = int((1 + MAX_ENLARGEMENT) / scale)
    if factor >= 2:
        image = image.reduce(factor)
        if image.size == size:
            return image
        if image.mode == "YCbCr" and image.width < size[0]:
            return _enlarge_ycbcr(image, size)
    return image.resize(size, RESAMPLE)


def _enlarge_ycbcr(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The small final enlargement: luma filtered, chroma repeated.

    The JPEG encoder halves the chroma again (4:2:0), so filtering it is wasted work; the luma
    alone is a third of the cost of filtering all three planes.
    """
    luma, blue, red = image.split()
    return Image.merge(
        "YCbCr",
        (
            luma.resize(size, RESAMPLE),
            blue.resize(size, Image.Resampling.NEAREST),
            red.resize(size, Image.Resampling.NEAREST),
        ),
    )


def upright(image: Image.Image, orientation: int | None) -> Image.Image:
    transpose = _UPRIGHT.get(orientation or 1)
    return image.transpose(transpose) if transpose is not None else image


def to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """sRGB pixels (RGB, or YCbCr of sRGB): the profile is applied, transparency goes on white."""
    if image.mode == "YCbCr" and not icc_profile:
        return image
    image = _flatten(image)
    if icc_profile and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(
                image, source, _SRGB, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A broken or mismatched profile is common in the wild; sRGB is the best guess.
            logger.info("embedded ICC profile ignored", exc_info=True)
    return image if image.mode == "RGB" else image.convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode == "YCbCr":
        return image.convert("RGB")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    """Progressive JPEG with no EXIF, XMP, comment or ICC profile, from RGB or YCbCr pixels."""
    clean = image if image.mode in ("RGB", "YCbCr") else image.convert("RGB")
    # `info` travels with derived images in Pillow; drop it so nothing is written back.
    clean.info = {}
    buffer = io.BytesIO()
    clean.save(
        buffer, "JPEG", quality=quality, progressive=True, optimize=True, subsampling="4:2:0"
    )
    return buffer.getvalue()
