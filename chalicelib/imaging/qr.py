"""Find and decode every QR code in a photo, cheaply first and at full resolution only where needed.

Camera frames are scanned on the reduced (DCT-scaled) luma that the preview is made from. Only
when the decoder reports "a symbol is here but I could not read it" do we decode the full
resolution and retry on crops around those spots. Small images (scans, phone screenshots) get
a thorough multi-pass scan instead; they are cheap at any setting.

Boxes are (x, y, w, h) in full-resolution pixels of the stored (not yet EXIF-rotated) image.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import zxingcpp
from PIL import Image
from pyzbar import pyzbar

from chalicelib.domain.tags import parse_tag

Box = tuple[int, int, int, int]
Decoder = Literal["zxing", "zbar", "both"]
Binarizer = Literal["LocalAverage", "GlobalHistogram", "FixedThreshold"]

# Images up to this many pixels are scanned thoroughly (all passes, upscaled retries).
SMALL_IMAGE_PIXELS: Final = 2_500_000
# Padding around an undecodable spot when cropping it at full resolution, as a share of its size.
CROP_PADDING: Final = 0.6
# A crop whose symbol is smaller than this (pixels) is upscaled before the retry.
MIN_CROP_SIDE: Final = 300
MAX_ESCALATIONS: Final = 6
# QR Code, Model 1/2, Micro QR and rMQR.
_QR_FAMILY: Final = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


@dataclass(frozen=True)
class DecodedCode:
    value: str
    symbology: str
    ours: bool
    box: Box


@dataclass(frozen=True)
class ScanResult:
    codes: tuple[DecodedCode, ...]
    # Spots where a QR symbol was detected but no pass could read it.
    undecodable: tuple[Box, ...]
    escalated: bool = False


@dataclass(frozen=True)
class QrStrategy:
    """How hard to look. The presets below are what the benchmark compares."""

    name: str
    decoder: Decoder = "zxing"
    binarizers: tuple[Binarizer, ...] = ("LocalAverage", "GlobalHistogram")
    escalate_full_res: bool = True


STRATEGIES: Final = {
    strategy.name: strategy
    for strategy in (
        QrStrategy("zxing", "zxing", ("LocalAverage", "GlobalHistogram"), True),
        QrStrategy("zxing-1pass", "zxing", ("LocalAverage",), False),
        QrStrategy("zxing-2pass", "zxing", ("LocalAverage", "GlobalHistogram"), False),
        QrStrategy("zbar", "zbar", (), False),
        QrStrategy("zxing+zbar", "both", ("LocalAverage", "GlobalHistogram"), True),
    )
}
DEFAULT_STRATEGY: Final = STRATEGIES["zxing"]


@dataclass(frozen=True)
class _Hit:
    value: str | None  # None: detected, not decodable
    symbology: str
    box: Box


def scan_codes(
    gray: Image.Image,
    scale: int,
    full_res: Callable[[], Image.Image] | None = None,
    strategy: QrStrategy = DEFAULT_STRATEGY,
) -> ScanResult:
    """All QR codes in `gray` (mode L), a 1/`scale` reduction of the stored image.

    `full_res` lazily returns the full-resolution luma; it is called at most once, and only when
    a symbol was detected but not read on the reduced image.
    """
    if gray.width * gray.height * scale * scale <= SMALL_IMAGE_PIXELS:
        hits = [_scaled(hit, scale, (0, 0)) for hit in _thorough_hits(gray, strategy)]
        return _finish(hits, escalated=False)
    hits = [_scaled(hit, scale, (0, 0)) for hit in _passes(gray, strategy)]
    pending = _undecoded_spots(hits)
    if not pending or full_res is None or not strategy.escalate_full_res:
        return _finish(hits, escalated=False)
    full = full_res()
    for spot in pending[:MAX_ESCALATIONS]:
        hits.extend(_retry_crop(full, spot, strategy))
    return _finish(hits, escalated=True)


def _passes(gray: Image.Image, strategy: QrStrategy, thorough: bool = False) -> list[_Hit]:
    hits: list[_Hit] = []
    if strategy.decoder in ("zxing", "both"):
        for binarizer in strategy.binarizers:
            hits.extend(_zxing(gray, binarizer, thorough))
    if strategy.decoder in ("zbar", "both"):
        hits.extend(_zbar(gray))
    return hits


def _thorough_hits(gray: Image.Image, strategy: QrStrategy) -> list[_Hit]:
    """Small images: every pass, then 2x upscaled passes and zbar when nothing was read."""
    hits = _passes(gray, strategy, thorough=True)
    if not any(hit.value for hit in hits):
        bigger = gray.resize((gray.width * 2, gray.height * 2), Image.Resampling.BICUBIC)
        hits.extend(_scaled(hit, 1, (0, 0), 0.5) for hit in _passes(bigger, strategy, True))
    if not any(hit.value for hit in hits) and strategy.decoder == "zxing":
        hits.extend(_zbar(gray))
    return hits


def _retry_crop(full: Image.Image, spot: Box, strategy: QrStrategy) -> list[_Hit]:
    x, y, w, h = spot
    pad = int(max(w, h) * CROP_PADDING)
    left, top = max(0, x - pad), max(0, y - pad)
    crop = full.crop((left, top, min(full.width, x + w + pad), min(full.height, y + h + pad)))
    factor = 2 if max(w, h) < MIN_CROP_SIDE else 1
    if factor > 1:
        crop = crop.resize((crop.width * factor, crop.height * factor), Image.Resampling.BICUBIC)
    return [_scaled(hit, 1, (left, top), 1 / factor) for hit in _passes(crop, strategy, True)]


def _zxing(gray: Image.Image, binarizer: Binarizer, thorough: bool) -> list[_Hit]:
    results = zxingcpp.read_barcodes(
        gray,
        formats=_QR_FAMILY,
        # Cards are printed dark-on-light and QR is rotation invariant: the extra rotate and
        # invert passes only pay off on odd small images.
        try_rotate=thorough,
        try_invert=thorough,
        try_downscale=True,
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=getattr(zxingcpp.Binarizer, binarizer),
        return_errors=True,
    )
    hits = []
    for result in results:
        corners = result.position
        points = (corners.top_left, corners.top_right, corners.bottom_right, corners.bottom_left)
        box = _bounding_box([(p.x, p.y) for p in points])
        value = result.text if result.valid else None
        hits.append(_Hit(value, result.format.name, box))
    return hits


def _zbar(gray: Image.Image) -> list[_Hit]:
    hits = []
    for symbol in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        box = _bounding_box([(p.x, p.y) for p in symbol.polygon]) if symbol.polygon else symbol.rect
        hits.append(_Hit(_zbar_text(symbol.data), "QRCode", tuple(box)))
    return hits


def _zbar_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _bounding_box(points: Iterable[tuple[int, int]]) -> Box:
    xs, ys = zip(*points, strict=True)
    return (min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def _scaled(hit: _Hit, scale: float, origin: tuple[int, int], factor: float = 1.0) -> _Hit:
    x, y, w, h = hit.box
    k = scale * factor
    box = (
        round(origin[0] + x * k),
        round(origin[1] + y * k),
        max(1, round(w * k)),
        max(1, round(h * k)),
    )
    return _Hit(hit.value, hit.symbology, box)


def _undecoded_spots(hits: Sequence[_Hit]) -> list[Box]:
    decoded = [hit.box for hit in hits if hit.value is not None]
    spots: list[Box] = []
    for hit in hits:
        if hit.value is None and not any(_overlaps(hit.box, other) for other in decoded + spots):
            spots.append(hit.box)
    return spots


def _finish(hits: Sequence[_Hit], escalated: bool) -> ScanResult:
    codes: list[DecodedCode] = []
    for hit in hits:
        if hit.value is None:
            continue
        if any(code.value == hit.value and _overlaps(code.box, hit.box) for code in codes):
            continue
        codes.append(
            DecodedCode(hit.value, hit.symbology, parse_tag(hit.value) is not None, hit.box)
        )
    codes.sort(key=lambda code: (code.box[1], code.box[0]))
    undecodable = tuple(
        spot for spot in _undecoded_spots(hits) if not any(_overlaps(spot, c.box) for c in codes)
    )
    return ScanResult(tuple(codes), undecodable, escalated)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
