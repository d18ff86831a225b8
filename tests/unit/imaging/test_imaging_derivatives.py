"""Previews and thumbnails: size, upright, watermarked across the frame, no metadata left."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageStat

from chalicelib.imaging.derivatives import PREVIEW_LONG_EDGE, THUMBNAIL_LONG_EDGE
from chalicelib.imaging.pipeline import ProcessedImage, WatermarkSpec, process_image

from .factories import a_scene, camera_exif, jpeg_bytes, png_bytes

TEXT_MARK = WatermarkSpec(text="PROOF Studio", opacity=0.5)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def processed(
    image: Image.Image, watermark: WatermarkSpec | None = None, **save: object
) -> ProcessedImage:
    return process_image(jpeg_bytes(image, **save), watermark=watermark)  # type: ignore[arg-type]


def test_preview_and_thumbnail_sizes_and_progressive_jpeg() -> None:
    result = processed(a_scene((3000, 2000)), TEXT_MARK)
    preview, thumbnail = opened(result.preview_jpeg), opened(result.thumbnail_jpeg)
    assert preview.size == (PREVIEW_LONG_EDGE, round(2000 * PREVIEW_LONG_EDGE / 3000))
    assert max(thumbnail.size) == THUMBNAIL_LONG_EDGE
    assert preview.format == thumbnail.format == "JPEG"
    assert preview.info.get("progressive") and thumbnail.info.get("progressive")


def test_small_originals_are_not_enlarged() -> None:
    result = processed(a_scene((800, 600)))
    assert opened(result.preview_jpeg).size == (800, 600)


def test_orientation_is_applied_to_preview_and_reported_size() -> None:
    # Given a landscape-stored frame with a red block top-left, shot with the camera turned (6)
    scene = Image.new("RGB", (1200, 800), "white")
    scene.paste((255, 0, 0), (0, 0, 300, 200))
    result = processed(scene, exif=camera_exif(orientation=6))
    preview = opened(result.preview_jpeg).convert("RGB")
    # Then it is portrait, and the stored top-left is now the top-right corner
    assert (result.width, result.height) == (800, 1200)
    assert preview.width < preview.height
    top_right = preview.getpixel((preview.width - 10, 10))
    top_left = preview.getpixel((10, 10))
    assert isinstance(top_right, tuple) and isinstance(top_left, tuple)
    assert top_right[0] > 200 and top_right[1] < 60
    assert top_left[1] > 200


def test_watermark_covers_the_whole_frame() -> None:
    # Given the same photo with and without a text watermark
    scene = a_scene((2400, 1600))
    plain = opened(processed(scene).preview_jpeg).convert("L")
    marked = opened(processed(scene, TEXT_MARK).preview_jpeg).convert("L")
    # Then every cell of a 4x4 grid differs: the mark cannot be cropped away
    difference = ImageChops.difference(plain, marked)
    for row in range(4):
        for col in range(4):
            cell = difference.crop(
                (
                    col * plain.width // 4,
                    row * plain.height // 4,
                    (col + 1) * plain.width // 4,
                    (row + 1) * plain.height // 4,
                )
            )
            assert ImageStat.Stat(cell).mean[0] > 2, (row, col)
    # ... while the thumbnail stays clean
    assert processed(scene).thumbnail_jpeg == processed(scene, TEXT_MARK).thumbnail_jpeg


def test_image_watermark_is_applied() -> None:
    logo = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    logo.paste((255, 255, 255, 255), (10, 10, 190, 70))
    spec = WatermarkSpec(image_png=png_bytes(logo), opacity=0.6)
    scene = Image.new("RGB", (1600, 1000), (20, 20, 20))
    preview = opened(processed(scene, spec).preview_jpeg).convert("L")
    # A dark frame gets bright marks all over it.
    assert ImageStat.Stat(preview).extrema[0][1] > 120
    assert ImageStat.Stat(preview.crop((0, 0, 400, 400))).mean[0] > 25


def test_watermark_spec_needs_content_and_sane_opacity() -> None:
    with pytest.raises(ValueError):
        WatermarkSpec()
    with pytest.raises(ValueError):
        WatermarkSpec(text="x", opacity=1.5)


def test_metadata_is_stripped_from_outputs() -> None:
    # Given a photo with EXIF (GPS, serial, make) and an embedded ICC profile
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = camera_exif(orientation=1)
    result = processed(a_scene((1000, 700)), TEXT_MARK, exif=exif, icc_profile=icc)
    for data in (result.preview_jpeg, result.thumbnail_jpeg):
        image = opened(data)
        # Then neither output carries EXIF, ICC, XMP or comments
        assert "exif" not in image.info
        assert "icc_profile" not in image.info
        assert "xmp" not in image.info and "comment" not in image.info
        assert len(image.getexif()) == 0
        assert b"Exif" not in data and b"012345678901" not in data and b"Canon" not in data
        assert b"ICC_PROFILE" not in data


ADOBE_RGB = Path("/usr/share/color/icc/ghostscript/a98.icc")


@pytest.mark.skipif(not ADOBE_RGB.exists(), reason="needs an Adobe RGB profile (ghostscript)")
def test_embedded_adobe_rgb_profile_is_converted_to_srgb() -> None:
    # Given a frame of Adobe RGB green (60, 160, 60), tagged with the Adobe RGB profile
    scene = Image.new("RGB", (400, 300), (60, 160, 60))
    result = processed(scene, icc_profile=ADOBE_RGB.read_bytes())
    pixel = opened(result.preview_jpeg).convert("RGB").getpixel((200, 150))
    # Then the preview holds the sRGB equivalent (more saturated numbers), not the raw values
    assert isinstance(pixel, tuple)
    red, green, blue = pixel
    assert red < 45 and green > 155 and blue < 60


def test_broken_profile_is_ignored() -> None:
    scene = Image.new("RGB", (400, 300), (120, 130, 140))
    result = processed(scene, icc_profile=b"not an icc profile at all")
    pixel = opened(result.preview_jpeg).convert("RGB").getpixel((200, 150))
    assert isinstance(pixel, tuple)
    assert all(abs(a - b) <= 3 for a, b in zip(pixel, (120, 130, 140), strict=True))


def test_png_with_transparency_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    result = process_image(png_bytes(image), watermark=None)
    pixel = opened(result.preview_jpeg).convert("RGB").getpixel((150, 100))
    assert pixel == (255, 255, 255)
