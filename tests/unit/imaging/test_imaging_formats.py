"""Bad input is always an ImageRejected with a stable code, and limits are ours, not global."""

from __future__ import annotations

import io
import random
import struct
import warnings
import zlib

import pytest
from PIL import Image

from chalicelib.imaging.formats import (
    DEFAULT_LIMITS,
    MAX_PIXELS,
    PNG,
    ImageRejected,
    Limits,
    open_header,
    sniff_format,
)
from chalicelib.imaging.pipeline import process_image

from .factories import a_scene, jpeg_bytes, png_bytes


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def declared_png(width: int, height: int, rows: int = 0) -> bytes:
    """A grayscale PNG that declares `width`x`height`; `rows` real zero rows are compressed in."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def rejection(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        process_image(data, watermark=None, limits=limits)
    return caught.value


def test_zero_bytes_is_empty_file() -> None:
    assert rejection(b"").code == "empty_file"


def test_text_file_named_jpg_is_not_an_image() -> None:
    error = rejection(b"Hello, this is my shopping list\n")
    assert error.code == "not_an_image"
    assert "not an image" in error.message


def test_truncated_jpeg_is_truncated() -> None:
    # Given a real photo cut off halfway, as an interrupted upload leaves it
    data = jpeg_bytes(a_scene())
    # Then
    assert rejection(data[: len(data) // 2]).code == "truncated"


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"II*\x00" + b"\x00" * 64, "TIFF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 64, "HEIC"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64, "WebP"),
    ],
)
def test_known_other_formats_are_unsupported(head: bytes, name: str) -> None:
    error = rejection(head)
    assert error.code == "unsupported_format"
    assert name in error.message


def test_png_is_processed() -> None:
    result = process_image(png_bytes(a_scene((640, 480))), watermark=None)
    assert (result.format, result.width, result.height) == ("PNG", 640, 480)
    assert Image.open(io.BytesIO(result.preview_jpeg)).format == "JPEG"


def test_decompression_bomb_is_rejected_before_decoding() -> None:
    # Given a 30000 x 30000 PNG (900 MP) that is small on disk
    bomb = declared_png(30_000, 30_000, rows=200)
    assert len(bomb) < 100_000
    # Then it is refused from its header, with no warning escaping
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rejection(bomb).code == "too_many_pixels"


def test_pixel_limit_is_ours_not_pillows_global() -> None:
    # Given a 100 MP declaration: above Pillow's global bomb threshold, within our MAX_PIXELS
    hundred_mp = declared_png(10_000, 10_000)
    assert 10_000 * 10_000 > Image.MAX_IMAGE_PIXELS
    assert 10_000 * 10_000 <= MAX_PIXELS
    # Then the header passes our limit (no warning, no rejection) ...
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert open_header(hundred_mp, PNG, DEFAULT_LIMITS).size == (10_000, 10_000)
    # ... and a stricter limit rejects it
    with pytest.raises(ImageRejected) as caught:
        open_header(hundred_mp, PNG, Limits(max_pixels=50_000_000))
    assert caught.value.code == "too_many_pixels"


def test_processing_leaves_global_pillow_and_warning_state_alone() -> None:
    before = (Image.MAX_IMAGE_PIXELS, list(warnings.filters))
    with pytest.raises(ImageRejected):
        process_image(declared_png(30_000, 30_000, rows=10), watermark=None)
    process_image(jpeg_bytes(a_scene((300, 200))), watermark=None)
    assert (Image.MAX_IMAGE_PIXELS, list(warnings.filters)) == before


def test_small_pixel_limit_rejects_real_image() -> None:
    data = jpeg_bytes(a_scene((1200, 800)))
    error = rejection(data, Limits(max_pixels=500_000))
    assert error.code == "too_many_pixels"
    assert "1200x800" in error.message


def test_upload_size_limit() -> None:
    data = jpeg_bytes(a_scene((400, 300)))
    assert rejection(data, Limits(max_upload_bytes=len(data) - 1)).code == "too_large"


def test_sniffing_ignores_the_file_name_and_reads_magic_bytes() -> None:
    assert sniff_format(jpeg_bytes(a_scene((50, 40)))) == "JPEG"
    assert sniff_format(png_bytes(a_scene((50, 40)))) == "PNG"


@pytest.mark.parametrize("seed", range(12))
def test_damaged_files_raise_only_image_rejected(seed: int) -> None:
    # Given real JPEG and PNG files with random bytes overwritten or cut
    rng = random.Random(seed)
    original = bytearray(
        jpeg_bytes(a_scene((320, 240))) if seed % 2 else png_bytes(a_scene((320, 240)))
    )
    for _ in range(rng.randint(1, 40)):
        original[rng.randrange(8, len(original))] = rng.randrange(256)
    damaged = bytes(original[: rng.randint(len(original) // 3, len(original))])
    # When processed, the result is either a success or an ImageRejected, never another error
    try:
        result = process_image(damaged, watermark=None)
    except ImageRejected as rejected:
        assert rejected.code in {"truncated", "corrupt", "too_many_pixels", "not_an_image"}
    else:
        assert result.preview_jpeg.startswith(b"\xff\xd8")
