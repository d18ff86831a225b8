"""Small in-memory images for the imaging tests: photos, cards, EXIF blocks."""

from __future__ import annotations

import io
import math

import segno
from PIL import Image, ImageDraw

from chalicelib.documents.card_face import render_card_face
from chalicelib.domain.ids import new_id
from chalicelib.domain.tags import make_tag

EXIF_IFD = 0x8769
GPS_IFD = 0x8825


def a_tag() -> str:
    return make_tag(new_id(), new_id())


def a_scene(size: tuple[int, int] = (1200, 800)) -> Image.Image:
    """A colourful, structured frame (gradients and shapes), so resizes and marks are visible."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    scene = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient))
    draw = ImageDraw.Draw(scene)
    draw.rectangle((width // 10, height // 10, width // 3, height // 3), fill=(200, 40, 40))
    draw.ellipse((width // 2, height // 2, width * 9 // 10, height * 9 // 10), fill=(40, 160, 60))
    return scene


def camera_exif(
    *,
    when: str | None = "2024:05:17 09:31:02",
    subsec: str | None = "045",
    offset: str | None = "+02:00",
    serial: str | None = "012345678901",
    orientation: int | None = None,
    gps: bool = True,
) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS R6"
    if orientation is not None:
        exif[0x0112] = orientation
    sub = exif.get_ifd(EXIF_IFD)
    for tag, value in ((0x9003, when), (0x9291, subsec), (0x9011, offset), (0xA431, serial)):
        if value is not None:
            sub[tag] = value
    if gps:
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "N"
        gps_ifd[2] = (52.0, 31.0, 12.0)
    return exif


def jpeg_bytes(image: Image.Image, *, exif: Image.Exif | None = None, **options: object) -> bytes:
    buffer = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, "JPEG", quality=92, **options)
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def card(tag: str, qr_side: int) -> Image.Image:
    """A card face scaled so its QR symbol is about `qr_side` pixels."""
    face = render_card_face(tag, "Mia Schulz", "Class 3a", "Picture Day")
    # The rendered symbol is 25 modules + quiet zone on a 650 px tall 300 dpi card: ~425 px.
    scale = qr_side / 425
    return face.resize(
        (round(face.width * scale), round(face.height * scale)), Image.Resampling.LANCZOS
    )


def tilted(image: Image.Image, turn_deg: float, roll_deg: float) -> Image.Image:
    """Foreshortened as if turned `turn_deg` about the vertical axis, then rolled in plane."""
    narrow = image.resize(
        (max(1, round(image.width * math.cos(math.radians(turn_deg)))), image.height),
        Image.Resampling.LANCZOS,
    )
    return narrow.rotate(
        roll_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(128, 120, 110)
    )


def foreign_qr(value: str, module_px: int = 6) -> Image.Image:
    buffer = io.BytesIO()
    segno.make_qr(value, error="m").save(buffer, kind="png", scale=module_px, border=4)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


# A fixed tag: whether a given cover-up stays within the error correction depends on the data.
DAMAGED_TAG = make_tag("DAMAGED00000", "0000000000CD")


def damaged_card(qr_side: int = 300) -> Image.Image:
    """A card whose symbol is partly covered (a thumb on it): detectable, not readable."""
    face = card(DAMAGED_TAG, qr_side)
    left, top = int(face.width * 0.13), int(face.height * 0.45)
    ImageDraw.Draw(face).rectangle(
        (left, top, left + face.width * 0.16, top + face.height * 0.16), fill=(40, 40, 40)
    )
    return face
