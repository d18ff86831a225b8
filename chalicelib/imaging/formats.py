"""What an upload really is, and the limits it must stay within, before any pixel is decoded.

The file type comes from magic bytes, never from the name: a text file called ``IMG_0001.jpg``
is ``not_an_image``. Every refusal is an :class:`ImageRejected` with a short machine code and a
message a photographer can act on.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from PIL import Image, JpegImagePlugin, PngImagePlugin

JPEG: Final = "JPEG"
PNG: Final = "PNG"
SUPPORTED_FORMATS: Final = (JPEG, PNG)

MAX_UPLOAD_BYTES: Final = 200 * 1024 * 1024
# 120 MP admits 100 MP medium-format frames; a 45 MP body is the usual school camera.
MAX_PIXELS: Final = 120_000_000


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_pixels: int = MAX_PIXELS


DEFAULT_LIMITS: Final = Limits()


class ImageRejected(Exception):
    """An upload that is not a photo we can process; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Formats we recognise so we can say "unsupported" rather than "not an image".
_UNSUPPORTED_SIGNATURES: Final = (
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"%PDF", "PDF"),
)
_ISO_BMFF_BRANDS: Final = {
    b"heic": "HEIC",
    b"heix": "HEIC",
    b"heim": "HEIC",
    b"heis": "HEIC",
    b"hevc": "HEIC",
    b"mif1": "HEIF",
    b"msf1": "HEIF",
    b"avif": "AVIF",
    b"crx ": "Canon CR3 raw",
}


def sniff_format(data: bytes) -> str:
    """JPEG or PNG from the leading bytes; ImageRejected for anything else."""
    if not data:
        raise ImageRejected("empty_file", "The file is empty (0 bytes).")
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    other = _recognised_other_format(data)
    if other:
        raise ImageRejected(
            "unsupported_format",
            f"{other} files are not supported; please upload JPEG (or PNG).",
        )
    raise ImageRejected("not_an_image", "The file is not an image (not JPEG or PNG).")


def _recognised_other_format(data: bytes) -> str | None:
    for signature, name in _UNSUPPORTED_SIGNATURES:
        if data.startswith(signature):
            return name
    if data[4:8] == b"ftyp":
        return _ISO_BMFF_BRANDS.get(data[8:12], "ISO media (HEIF/MP4)")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return None


def check_size(data: bytes, limits: Limits) -> None:
    if not data:
        raise ImageRejected("empty_file", "The file is empty (0 bytes).")
    if len(data) > limits.max_upload_bytes:
        raise ImageRejected(
            "too_large",
            f"The file is {len(data) / 1e6:.0f} MB; the limit is "
            f"{limits.max_upload_bytes / 1e6:.0f} MB.",
        )


def open_header(data: bytes, image_format: str, limits: Limits) -> Image.Image:
    """Parse the header only (no pixels) and enforce the pixel limit before any decoding.

    The plugin class is used directly instead of ``Image.open`` so that Pillow's process-wide
    decompression-bomb threshold (a global we must not change) does not override ours.
    """
    plugin = JpegImagePlugin.JpegImageFile if image_format == JPEG else PngImagePlugin.PngImageFile
    try:
        with bomb_warnings_as_errors():
            image = plugin(io.BytesIO(data))
    except ImageRejected:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        if is_truncated(data, image_format):
            raise ImageRejected("truncated", "The file is cut off (incomplete upload?).") from exc
        raise ImageRejected("corrupt", f"The {image_format} header cannot be read.") from exc
    check_pixels(image.width, image.height, limits)
    return image


def check_pixels(width: int, height: int, limits: Limits) -> None:
    if width <= 0 or height <= 0:
        raise ImageRejected("corrupt", f"The image declares an empty size {width}x{height}.")
    if width * height > limits.max_pixels:
        raise ImageRejected(
            "too_many_pixels",
            f"The image is {width}x{height} ({width * height / 1e6:.0f} MP); the limit is "
            f"{limits.max_pixels / 1e6:.0f} MP.",
        )


@contextmanager
def bomb_warnings_as_errors() -> Iterator[None]:
    """Within this block Pillow's DecompressionBombWarning is an ImageRejected, not a warning.

    The filter is local to the block (``warnings.catch_warnings``), so other code keeps its own
    warning settings.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageRejected("too_many_pixels", f"Decompression bomb refused: {exc}") from exc


def is_truncated(data: bytes, image_format: str) -> bool:
    """True when the file lacks its end marker: the usual sign of an interrupted upload."""
    if image_format == JPEG:
        # Cameras and editors may pad after EOI, so look near the end rather than at it.
        return b"\xff\xd9" not in data[-4096:]
    return b"IEND" not in data[-64:]
