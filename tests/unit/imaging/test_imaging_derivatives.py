"""Previews and thumbnails: size, upright, watermarked across the frame, no metadata left."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageStat

from chalicelib.imaging.derivatives import (
    PREVIEW_LONG_EDGE,
    THUMBNAIL_LONG_EDGE,
    fit,
    make_derivatives,
)
from chalicelib.imaging.pipeline import ProcessedImage, WatermarkSpec, process_image
from chalicelib.imaging.watermark import apply_watermark

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


# --- the camera path: reduced YCbCr decode straight to the encoder ---------------------------


def test_camera_frame_preview_is_watermarked_everywhere_and_thumbnail_stays_clean() -> None:
    # Given a 24 MP frame: decoded at half scale in YCbCr, which is kept all the way through
    scene = a_scene((6000, 4000))
    plain = processed(scene)
    marked = processed(scene, TEXT_MARK)
    preview = opened(marked.preview_jpeg)
    # Then the outputs have the usual sizes and form
    assert preview.size == (PREVIEW_LONG_EDGE, round(4000 * PREVIEW_LONG_EDGE / 6000))
    assert opened(marked.thumbnail_jpeg).size == (THUMBNAIL_LONG_EDGE, 267)
    assert preview.info.get("progressive") and opened(marked.thumbnail_jpeg).info.get("progressive")
    assert b"Exif" not in marked.preview_jpeg and b"ICC_PROFILE" not in marked.preview_jpeg
    # ... the mark covers every cell of a 4x4 grid, and the thumbnail carries none of it
    difference = ImageChops.difference(
        opened(plain.preview_jpeg).convert("L"), preview.convert("L")
    )
    for row in range(4):
        for col in range(4):
            box = (col * 400, row * 267, (col + 1) * 400, (row + 1) * 267)
            assert ImageStat.Stat(difference.crop(box)).mean[0] > 2, (row, col)
    assert plain.thumbnail_jpeg == marked.thumbnail_jpeg


def test_ycbcr_pixels_give_the_same_preview_as_rgb_pixels() -> None:
    # Given the same frame once as RGB and once as YCbCr (what the reduced JPEG decode gives)
    scene = a_scene((3000, 2000))
    from_rgb = make_derivatives(scene, orientation=6, icc_profile=None, watermark=TEXT_MARK)
    from_ycbcr = make_derivatives(
        scene.convert("YCbCr"), orientation=6, icc_profile=None, watermark=TEXT_MARK
    )
    # Then the previews agree to within JPEG rounding, colours and watermark included
    rgb, ycbcr = opened(from_rgb.preview_jpeg), opened(from_ycbcr.preview_jpeg)
    assert rgb.size == ycbcr.size == (1067, 1600)
    assert max(ImageStat.Stat(ImageChops.difference(rgb, ycbcr)).mean) < 1.5
    thumbs = opened(from_rgb.thumbnail_jpeg), opened(from_ycbcr.thumbnail_jpeg)
    assert max(ImageStat.Stat(ImageChops.difference(*thumbs)).mean) < 1.5


def test_make_derivatives_leaves_its_input_alone() -> None:
    # Given an image already smaller than the preview (so the preview starts as the input)
    scene = a_scene((800, 600))
    before = scene.tobytes()
    make_derivatives(scene, orientation=None, icc_profile=None, watermark=TEXT_MARK)
    assert scene.tobytes() == before


@pytest.mark.parametrize(
    ("size", "long_edge", "expected"),
    [
        ((3000, 2000), 1600, (1600, 1067)),  # 2x box reduction, then a 7% filtered enlargement
        ((1600, 1067), 400, (400, 267)),  # an exact 4x box reduction
        ((4096, 2731), 1600, (1600, 1067)),  # 2x reduction, then a filtered shrink
        ((2400, 1600), 1600, (1600, 1067)),  # too little to reduce: filter only
        ((1000, 800), 1600, (1000, 800)),  # never enlarged
    ],
)
@pytest.mark.parametrize("mode", ["RGB", "YCbCr"])
def test_fit_sizes(
    size: tuple[int, int], long_edge: int, expected: tuple[int, int], mode: str
) -> None:
    fitted = fit(a_scene(size).convert(mode), long_edge)
    assert (fitted.size, fitted.mode) == (expected, mode)


def test_watermark_blends_the_same_in_ycbcr_as_in_rgb() -> None:
    # Given a frame that survives the YCbCr round trip (so only the blending can differ)
    pixels = a_scene((1600, 1067)).convert("YCbCr")
    scene = pixels.convert("RGB")
    # Then marking its YCbCr pixels looks like marking its RGB pixels
    rgb = apply_watermark(scene, TEXT_MARK)
    ycbcr = apply_watermark(pixels, TEXT_MARK).convert("RGB")
    assert max(ImageStat.Stat(ImageChops.difference(rgb, ycbcr)).mean) < 0.5
    assert ImageStat.Stat(ImageChops.difference(rgb, scene)).mean[0] > 2  # it did mark
