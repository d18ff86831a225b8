"""The single entry point from uploaded bytes to everything the platform needs about a photo.

Used unchanged by the upload Lambda and by the offline ``photojobs inspect`` check, so what a
photographer sees before uploading is what the cloud will do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

from PIL import Image

from chalicelib.imaging.derivatives import PREVIEW_LONG_EDGE, make_derivatives
from chalicelib.imaging.exif import read_camera_facts
from chalicelib.imaging.formats import (
    DEFAULT_LIMITS,
    JPEG,
    ImageRejected,
    Limits,
    bomb_warnings_as_errors,
    check_size,
    is_truncated,
    open_header,
    sniff_format,
)
from chalicelib.imaging.orientation import orient_box, oriented_size
from chalicelib.imaging.qr import (
    DEFAULT_STRATEGY,
    DecodedCode,
    QrStrategy,
    UndecodedSymbol,
    scan_codes,
)
from chalicelib.imaging.watermark import WatermarkSpec

# The QR scan wants the reduced image no smaller than this on its long edge: a 120 px card
# symbol in a 6000 px frame keeps ~2.4 px per module at half scale.
QR_SCAN_MIN_LONG_EDGE: Final = 2800
_DRAFT_SCALES: Final = (8, 4, 2)

__all__ = [
    "DEFAULT_LIMITS",
    "DecodedCode",
    "ImageRejected",
    "Limits",
    "ProcessedImage",
    "UndecodedSymbol",
    "WatermarkSpec",
    "process_image",
]


@dataclass(frozen=True)
class ProcessedImage:
    format: str
    width: int  # upright (EXIF orientation applied), full resolution
    height: int
    capture_time: str | None
    camera_make: str | None
    camera_model: str | None
    camera_serial: str | None
    orientation: int | None
    # Boxes are (x, y, w, h) in the upright full-resolution frame, like width and height.
    codes: list[DecodedCode]
    # Symbols the decoder located but could not read ("looks like a card, no tag"): the count,
    # and each one's box (upright frame) with what the decoder saw.
    undecodable_candidates: int
    preview_jpeg: bytes = field(repr=False)
    thumbnail_jpeg: bytes = field(repr=False)
    timings_ms: dict[str, float]
    undecodable: tuple[UndecodedSymbol, ...] = ()


def process_image(
    data: bytes,
    *,
    watermark: WatermarkSpec | None,
    limits: Limits = DEFAULT_LIMITS,
    qr_strategy: QrStrategy = DEFAULT_STRATEGY,
) -> ProcessedImage:
    """Validate, read EXIF, decode QR codes and render preview + thumbnail, decoding once.

    Raises ImageRejected (and nothing else) for any input that is not a usable photo.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    check_size(data, limits)
    image_format = sniff_format(data)
    with _timed(timings, "header"):
        header = open_header(data, image_format, limits)
        facts = read_camera_facts(header)
        icc_profile = header.info.get("icc_profile")
    stored_size = header.size
    with _timed(timings, "decode"):
        scale = _choose_draft_scale(header, image_format)
        decoded = _decode(header, data, image_format)
        gray, pixels = _luma_and_bytes(decoded)
    with _timed(timings, "qr"):
        full_res = _full_res_luma(data, image_format, limits, timings) if scale > 1 else None
        # At scale 1 the decoded luma is already full resolution: retry crops come from it.
        full_res = full_res or (lambda: gray)
        scan = scan_codes(gray, scale, full_res, qr_strategy, pixels)
    with _timed(timings, "derivatives"):
        derived = make_derivatives(
            decoded, orientation=facts.orientation, icc_profile=icc_profile, watermark=watermark
        )
    width, height = oriented_size(stored_size, facts.orientation)
    codes = [
        DecodedCode(c.value, c.symbology, c.ours, orient_box(c.box, stored_size, facts.orientation))
        for c in scan.codes
    ]
    undecodable = tuple(
        UndecodedSymbol(orient_box(u.box, stored_size, facts.orientation), u.symbology, u.seen)
        for u in scan.undecodable
    )
    timings["total"] = _ms_since(started)
    return ProcessedImage(
        format=image_format,
        width=width,
        height=height,
        capture_time=facts.capture_time,
        camera_make=facts.camera_make,
        camera_model=facts.camera_model,
        camera_serial=facts.camera_serial,
        orientation=facts.orientation,
        codes=codes,
        undecodable_candidates=len(undecodable),
        preview_jpeg=derived.preview_jpeg,
        thumbnail_jpeg=derived.thumbnail_jpeg,
        timings_ms=timings,
        undecodable=undecodable,
    )


def draft_scale_for(long_edge: int) -> int:
    """The largest JPEG DCT scale that still serves both the preview and the QR scan."""
    needed = max(PREVIEW_LONG_EDGE, QR_SCAN_MIN_LONG_EDGE)
    for scale in _DRAFT_SCALES:
        if long_edge // scale >= needed:
            return scale
    return 1


def _choose_draft_scale(header: Image.Image, image_format: str) -> int:
    if image_format != JPEG:
        return 1
    scale = draft_scale_for(max(header.size))
    if scale > 1:
        # YCbCr keeps the decoder from converting colour at full size: luma for the QR scan is
        # channel 0, and RGB conversion happens later on the much smaller preview.
        mode = "YCbCr" if header.mode == "RGB" else header.mode
        stored_long_edge = max(header.size)
        header.draft(mode, (header.width // scale, header.height // scale))
        # libjpeg may pick a different DCT scale than asked: report what it really did.
        return max(1, round(stored_long_edge / max(header.size)))
    return 1


def _decode(image: Image.Image, data: bytes, image_format: str) -> Image.Image:
    try:
        with bomb_warnings_as_errors():
            image.load()
    except ImageRejected:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        if is_truncated(data, image_format):
            raise ImageRejected("truncated", "The file is cut off (incomplete upload?).") from exc
        raise ImageRejected("corrupt", f"The {image_format} data is damaged: {exc}") from exc
    return image


def _luma_and_bytes(image: Image.Image) -> tuple[Image.Image, bytes | None]:
    """The luma of the decode, and its bytes when they come for free.

    From YCbCr the Y plane is packed straight into bytes (one pass) and the L image is a view of
    them: the QR scan needs both, and a channel copy plus a byte copy would be two passes.
    """
    if image.mode == "YCbCr":
        pixels = image.tobytes("raw", "Y")
        return Image.frombuffer("L", image.size, pixels, "raw", "L", 0, 1), pixels
    return _luma(image), None


def _luma(image: Image.Image) -> Image.Image:
    if image.mode == "L":
        return image
    if image.mode == "YCbCr":
        return image.getchannel(0)
    return image.convert("L")


def _full_res_luma(
    data: bytes, image_format: str, limits: Limits, timings: dict[str, float]
) -> Callable[[], Image.Image]:
    def decode() -> Image.Image:
        with _timed(timings, "full_res_decode"):
            image = open_header(data, image_format, limits)
            # Grayscale JPEG decoding skips chroma entirely: cheaper than a colour decode.
            image.draft("L", image.size)
            return _luma(_decode(image, data, image_format))

    return decode


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = _ms_since(started)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
