"""Find and decode every QR code in a photo: cheaply first, closer only where it is needed.

Camera frames are scanned on the reduced (DCT-scaled) luma that the preview is made from:

1. One zxing pass over the whole reduced frame reads every symbol that is big and sharp enough:
   most cards.
2. A texture map of the same luma (mean gradient per cell, a few ms) points at the busiest spots
   that pass 1 did not read; a small, tilted, slightly blurred card is one of them. Those spots,
   and every symbol that pass 1 located but could not read, get a close-up: the crop is
   sharpened, enlarged 2x and scanned again. This reads what the coarse pass misses without
   decoding more of the JPEG.
3. A symbol that zxing located but that no close-up could read is retried on the
   full-resolution crop (the only case where the original is decoded at full size) and,
   failing that, reported as undecodable together with what the decoder saw.

Small images (scans, phone pictures of a card) get a thorough multi-pass scan instead; they are
cheap at any setting.

Boxes are (x, y, w, h) in full-resolution pixels of the stored (not yet EXIF-rotated) image.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import zxingcpp
from PIL import Image, ImageChops, ImageFilter

from chalicelib.domain.tags import parse_tag

Box = tuple[int, int, int, int]
Decoder = Literal["zxing", "zbar", "both"]
Binarizer = Literal["LocalAverage", "GlobalHistogram", "FixedThreshold"]

# Images up to this many pixels are scanned thoroughly (all passes, upscaled retries).
SMALL_IMAGE_PIXELS: Final = 2_500_000
# Texture map: one cell per CELL x CELL pixels of the reduced luma (32 px of a half-scale frame).
CELL: Final = 16
# The texture map samples every SAMPLE-th row (for horizontal gradients) and column (vertical).
SAMPLE: Final = 4
# A spot is worth a close-up when its mean |dx| + |dy| (over 3x3 cells) reaches this. The
# benchmark's hardest cards (120-150 px, dim, blurred, tilted 30 degrees) measure 22 or more;
# sky, skin and sensor noise stay under 10.
MIN_BUSY: Final = 16
# Side of the close-up window around a busy spot, in reduced pixels: a 200 px symbol at half
# scale plus its card margin.
CLOSE_UP_SIDE: Final = 160
# Symbols smaller than this (reduced pixels) are enlarged 2x for the close-up.
CLOSE_UP_ENLARGE_BELOW: Final = 200
# Padding around a located-but-unread symbol for its close-up, as a share of its size: the
# binarizer needs the light surroundings to set its threshold.
CLOSE_UP_PADDING: Final = 1.0
# Decoded symbols shadow busy spots this far around them (share of their size): a card's own
# text column must not cost a close-up.
DECODED_SHADOW: Final = 1.2
# Padding around an undecodable spot when cropping it, as a share of its size.
CROP_PADDING: Final = 0.6
# A full-resolution crop whose symbol is smaller than this (pixels) is upscaled before the retry.
MIN_CROP_SIDE: Final = 300
MAX_ESCALATIONS: Final = 6
# QR Code, Model 1/2, Micro QR and rMQR.
_QR_FAMILY: Final = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
# Small images, close-ups and full-resolution retries try both binarizers: cheap at that size,
# and each reads some real photos the other misses.
_THOROUGH_BINARIZERS: Final[tuple[Binarizer, ...]] = ("LocalAverage", "GlobalHistogram")
_BUSY_CELL: Final = re.compile(b"[" + re.escape(bytes([MIN_BUSY])) + b"-\xff]")


@dataclass(frozen=True)
class DecodedCode:
    value: str
    symbology: str
    ours: bool
    box: Box


@dataclass(frozen=True)
class UndecodedSymbol:
    """A symbol the decoder located but could not read: for a card, "looks like a card"."""

    box: Box
    symbology: str
    # What the decoder saw, for people: "QRCode located, checksum error (data damaged)".
    seen: str


@dataclass(frozen=True)
class ScanResult:
    codes: tuple[DecodedCode, ...]
    undecodable: tuple[UndecodedSymbol, ...]
    escalated: bool = False  # the full-resolution image had to be decoded
    close_ups: int = 0


@dataclass(frozen=True)
class QrStrategy:
    """How hard to look. The presets below are what the benchmark compares."""

    name: str
    decoder: Decoder = "zxing"
    binarizers: tuple[Binarizer, ...] = ("LocalAverage",)
    escalate_full_res: bool = True
    # At most this many busy spots get a close-up (0: none, and no texture map either).
    close_ups: int = 4


STRATEGIES: Final = {
    strategy.name: strategy
    for strategy in (
        QrStrategy("zxing", "zxing", ("LocalAverage",), True, 4),
        QrStrategy("zxing-1pass", "zxing", ("LocalAverage",), False, 0),
        # The previous default: two binarizers over the frame, full resolution for located spots.
        QrStrategy("zxing-2pass", "zxing", ("LocalAverage", "GlobalHistogram"), True, 0),
        QrStrategy("zbar", "zbar", (), False, 0),
        QrStrategy("zxing+zbar", "both", ("LocalAverage", "GlobalHistogram"), True, 0),
    )
}
DEFAULT_STRATEGY: Final = STRATEGIES["zxing"]


@dataclass(frozen=True)
class _Hit:
    value: str | None  # None: located, not decodable
    symbology: str
    box: Box
    error: str = ""


def scan_codes(
    gray: Image.Image,
    scale: int,
    full_res: Callable[[], Image.Image] | None = None,
    strategy: QrStrategy = DEFAULT_STRATEGY,
    pixels: bytes | None = None,
) -> ScanResult:
    """All QR codes in `gray` (mode L), a 1/`scale` reduction of the stored image.

    `full_res` lazily returns the full-resolution luma; it is called at most once, and only when
    a symbol was located but not read on the reduced image, not even in a close-up. `pixels`
    may hand over the bytes of `gray` when the caller has them (saves a copy).
    """
    if gray.width * gray.height * scale * scale <= SMALL_IMAGE_PIXELS:
        hits = [_scaled(hit, scale, (0, 0)) for hit in _thorough_hits(gray, strategy)]
        return _finish(hits, escalated=False)
    luma = _Luma(pixels, gray.width, gray.height) if pixels is not None else None
    hits = _passes(gray, strategy, luma=luma)
    close_ups = 0
    if strategy.close_ups and strategy.decoder != "zbar":
        located = _undecoded_spots(hits)
        busy = busy_spots(gray, hits, strategy.close_ups)
        for spot in located:
            hits.extend(_close_up(gray, spot, CLOSE_UP_PADDING, located=True))
        for spot in busy:
            hits.extend(_close_up(gray, spot, 0.0, located=False))
        close_ups = len(located) + len(busy)
    hits = [_scaled(hit, scale, (0, 0)) for hit in hits]
    pending = _undecoded_spots(hits)
    if not pending or full_res is None or not strategy.escalate_full_res:
        return _finish(hits, escalated=False, close_ups=close_ups)
    full = full_res()
    for spot in pending[:MAX_ESCALATIONS]:
        hits.extend(_retry_crop(full, spot, strategy))
    return _finish(hits, escalated=True, close_ups=close_ups)


def busy_spots(gray: Image.Image, known: Sequence[_Hit], limit: int) -> list[Box]:
    """Up to `limit` close-up windows (reduced pixels) on the busiest spots not yet explained.

    The map (see `_texture_map`) is smoothed over 3x3 cells; its local maxima of at least
    MIN_BUSY are the spots, busiest first. Spots near a decoded symbol (its card) or on a located
    one (it gets its own close-up) are skipped.
    """
    width, height = gray.size
    if width < 4 * CELL or height < 4 * CELL:
        return []
    busy = _texture_map(gray).filter(ImageFilter.BoxBlur(1))
    cells = busy.tobytes()
    columns, rows = busy.size
    peaks = []
    for match in _BUSY_CELL.finditer(cells):
        index = match.start()
        x, y = index % columns, index // columns
        if 0 < x < columns - 1 and 0 < y < rows - 1 and _is_peak(cells, index, columns):
            peaks.append((cells[index], x, y))
    peaks.sort(reverse=True)
    shadows = [_grown(hit.box, DECODED_SHADOW if hit.value is not None else 0.0) for hit in known]
    spots: list[Box] = []
    half = CLOSE_UP_SIDE // 2
    for _, x, y in peaks:
        centre = (x * CELL + CELL // 2, y * CELL + CELL // 2)
        if any(_contains(box, centre) for box in shadows + spots):
            continue
        left = min(max(0, centre[0] - half), max(0, width - CLOSE_UP_SIDE))
        top = min(max(0, centre[1] - half), max(0, height - CLOSE_UP_SIDE))
        spots.append((left, top, min(CLOSE_UP_SIDE, width), min(CLOSE_UP_SIDE, height)))
        if len(spots) >= limit:
            break
    return spots


def _texture_map(gray: Image.Image) -> Image.Image:
    """Mean |dx| + |dy| per CELL x CELL cell of `gray`.

    Horizontal differences are taken on every SAMPLE-th row and vertical ones on every
    SAMPLE-th column: a quarter of the work, and the same ranking of spots as the full map.
    """
    width, height = gray.size
    rows = gray.resize((width, height // SAMPLE), Image.Resampling.NEAREST)
    columns = gray.resize((width // SAMPLE, height), Image.Resampling.NEAREST)
    across = ImageChops.difference(
        rows.crop((1, 0, width, rows.height)), rows.crop((0, 0, width - 1, rows.height))
    ).reduce((CELL, CELL // SAMPLE))
    down = ImageChops.difference(
        columns.crop((0, 1, columns.width, height)), columns.crop((0, 0, columns.width, height - 1))
    ).reduce((CELL // SAMPLE, CELL))
    size = (min(across.width, down.width), min(across.height, down.height))
    return ImageChops.add(across.crop((0, 0, *size)), down.crop((0, 0, *size)))


def _is_peak(cells: bytes, index: int, columns: int) -> bool:
    value = cells[index]
    # Ties go to the first cell in reading order, so a plateau yields one peak.
    before = (index - columns - 1, index - columns, index - columns + 1, index - 1)
    after = (index + 1, index + columns - 1, index + columns, index + columns + 1)
    return all(value >= cells[i] for i in before) and all(value > cells[i] for i in after)


def _close_up(gray: Image.Image, spot: Box, padding: float, located: bool) -> list[_Hit]:
    """Scan `spot` (reduced pixels, grown by `padding`) sharpened and, when small, enlarged 2x.

    The second binarizer is tried only on a symbol that zxing has located (in the frame pass, or
    in this close-up with the first binarizer): busy spots are mostly just texture.
    """
    x, y, w, h = spot
    pad = int(max(w, h) * padding)
    left, top = max(0, x - pad), max(0, y - pad)
    crop = gray.crop((left, top, min(gray.width, x + w + pad), min(gray.height, y + h + pad)))
    crop = crop.filter(ImageFilter.SHARPEN)
    zoom = 2 if max(w, h) < CLOSE_UP_ENLARGE_BELOW else 1
    if zoom > 1:
        crop = crop.resize((crop.width * zoom, crop.height * zoom), Image.Resampling.BICUBIC)
    hits: list[_Hit] = []
    luma = _Luma.of(crop)
    for binarizer in _THOROUGH_BINARIZERS:
        hits.extend(_zxing(luma, binarizer, thorough=False, downscale=False))
        if any(hit.value is not None for hit in hits) or not (located or hits):
            break
    return [_scaled(hit, 1, (left, top), 1 / zoom) for hit in hits]


def _passes(
    gray: Image.Image, strategy: QrStrategy, thorough: bool = False, luma: _Luma | None = None
) -> list[_Hit]:
    hits: list[_Hit] = []
    if strategy.decoder in ("zxing", "both"):
        luma = luma or _Luma.of(gray)
        for binarizer in _THOROUGH_BINARIZERS if thorough else strategy.binarizers:
            # zxing's extra downscaled passes pay off on small images only: in a camera frame
            # big symbols are read at the reduced scale, small ones need the opposite.
            hits.extend(_zxing(luma, binarizer, thorough, downscale=thorough))
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


@dataclass(frozen=True)
class _Luma:
    """The bytes of a mode L image, handed to zxing without its generic PIL conversion.

    Handing zxing the PIL image itself costs about 4 ms more per pass on a 6 MP frame than one
    plain copy of the bytes. The bytes must outlive every scan of them: zxing's view does not
    hold on to them.
    """

    pixels: bytes
    width: int
    height: int

    @classmethod
    def of(cls, gray: Image.Image) -> _Luma:
        return cls(gray.tobytes(), gray.width, gray.height)


def _zxing(luma: _Luma, binarizer: Binarizer, thorough: bool, downscale: bool = True) -> list[_Hit]:
    view = zxingcpp.ImageView(
        memoryview(luma.pixels),  # type: ignore[arg-type]  # any buffer, not only numpy
        luma.width,
        luma.height,
        zxingcpp.ImageFormat.Lum,
    )
    results = zxingcpp.read_barcodes(
        view,
        formats=_QR_FAMILY,
        # Cards are printed dark-on-light and QR is rotation invariant: the extra rotate and
        # invert passes only pay off on odd small images.
        try_rotate=thorough,
        try_invert=thorough,
        try_downscale=downscale,
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=getattr(zxingcpp.Binarizer, binarizer),
        return_errors=True,
    )
    hits = []
    for result in results:
        corners = result.position
        points = (corners.top_left, corners.top_right, corners.bottom_right, corners.bottom_left)
        box = _bounding_box([(p.x, p.y) for p in points])
        if result.valid:
            hits.append(_Hit(result.text, result.format.name, box))
        else:
            hits.append(_Hit(None, result.format.name, box, _error_kind(result)))
    return hits


def _error_kind(result: zxingcpp.Barcode) -> str:
    kind = result.error.type.name if result.error else "unknown"
    return {
        "Checksum": "checksum error (data damaged or covered)",
        "Format": "format error (format information unreadable)",
        "Unsupported": "unsupported variant",
    }.get(kind, kind.lower() or "unknown error")


def _zbar(gray: Image.Image) -> list[_Hit]:
    # Imported here: pyzbar needs the system libzbar, which Lambda lacks; only the zbar
    # strategies (benchmarks, local comparison) use it, never the default zxing one.
    from pyzbar import pyzbar

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
    return _Hit(hit.value, hit.symbology, box, hit.error)


def _undecoded_spots(hits: Sequence[_Hit]) -> list[Box]:
    return [hit.box for hit in _undecoded_hits(hits)]


def _undecoded_hits(hits: Sequence[_Hit]) -> list[_Hit]:
    decoded = [hit.box for hit in hits if hit.value is not None]
    spots: list[_Hit] = []
    for hit in hits:
        if hit.value is None and not any(
            _overlaps(hit.box, other) for other in decoded + [spot.box for spot in spots]
        ):
            spots.append(hit)
    return spots


def _finish(hits: Sequence[_Hit], escalated: bool, close_ups: int = 0) -> ScanResult:
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
        UndecodedSymbol(hit.box, hit.symbology, f"{hit.symbology} located, {hit.error}")
        for hit in _undecoded_hits(hits)
        if not any(_overlaps(hit.box, code.box) for code in codes)
    )
    return ScanResult(tuple(codes), undecodable, escalated, close_ups)


def _grown(box: Box, share: float) -> Box:
    x, y, w, h = box
    grow = int(max(w, h) * share)
    return (x - grow, y - grow, w + 2 * grow, h + 2 * grow)


def _contains(box: Box, point: tuple[int, int]) -> bool:
    return box[0] <= point[0] < box[0] + box[2] and box[1] <= point[1] < box[1] + box[3]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
