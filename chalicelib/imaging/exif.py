"""Camera facts from EXIF: when (to the sub-second, with offset), which body, which way up.

Only the header is read; no pixels are decoded. Missing or unreadable EXIF gives None values,
never an error: scans, screenshots and exports without metadata are legitimate uploads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from PIL import ExifTags, Image

logger = logging.getLogger(__name__)

_EXIF_DATETIME = "%Y:%m:%d %H:%M:%S"
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_ORIENTATION = 0x0112
_TAG_DNG_CAMERA_SERIAL = 0xC62F
_TAG_BODY_SERIAL = 0xA431
# (date/time, sub-seconds, UTC offset): the moment of capture first, then of digitising.
_CAPTURE_TAGS = (
    (0x9003, 0x9291, 0x9011),  # DateTimeOriginal, SubSecTimeOriginal, OffsetTimeOriginal
    (0x9004, 0x9292, 0x9012),  # DateTimeDigitized, SubSecTimeDigitized, OffsetTimeDigitized
)
VALID_ORIENTATIONS = range(1, 9)


@dataclass(frozen=True)
class CameraFacts:
    capture_time: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    camera_serial: str | None = None
    orientation: int | None = None


def read_camera_facts(image: Image.Image) -> CameraFacts:
    """The EXIF facts of an opened (not necessarily loaded) image."""
    try:
        exif = image.getexif()
        sub_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # a broken EXIF block must not reject the photo
        logger.info("unreadable EXIF block ignored", exc_info=True)
        return CameraFacts()
    return CameraFacts(
        capture_time=_capture_time(sub_ifd),
        camera_make=_text(exif.get(_TAG_MAKE)),
        camera_model=_text(exif.get(_TAG_MODEL)),
        camera_serial=_text(sub_ifd.get(_TAG_BODY_SERIAL))
        or _text(exif.get(_TAG_DNG_CAMERA_SERIAL)),
        orientation=_orientation(exif.get(_TAG_ORIENTATION)),
    )


def format_capture_time(stamp: object, subsec: object = None, offset: object = None) -> str | None:
    """ISO 8601 from EXIF's ``YYYY:MM:DD HH:MM:SS`` plus optional sub-seconds and offset.

    ``("2024:05:17 09:31:02", "045", "+02:00")`` gives ``"2024-05-17T09:31:02.045+02:00"``.
    Blank or zeroed stamps (``0000:00:00 00:00:00``) give None.
    """
    text = _text(stamp)
    if not text:
        return None
    try:
        moment = datetime.strptime(text[:19], _EXIF_DATETIME)
    except ValueError:
        return None
    iso = moment.isoformat()
    digits = "".join(ch for ch in (_text(subsec) or "") if ch.isdigit())
    if digits:
        iso += "." + digits
    zone = _offset(_text(offset))
    return iso + zone if zone else iso


def _capture_time(sub_ifd: dict[int, object]) -> str | None:
    for stamp_tag, subsec_tag, offset_tag in _CAPTURE_TAGS:
        value = format_capture_time(
            sub_ifd.get(stamp_tag), sub_ifd.get(subsec_tag), sub_ifd.get(offset_tag)
        )
        if value:
            return value
    return None


def _offset(text: str | None) -> str | None:
    # EXIF 2.31 offsets look like "+02:00" or "-05:30"; anything else is ignored.
    if not text or len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    if not (text[1:3].isdigit() and text[4:6].isdigit()):
        return None
    return text


def _orientation(value: object) -> int | None:
    if isinstance(value, int) and value in VALID_ORIENTATIONS:
        return value
    return None


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    cleaned = value.replace("\x00", "").strip()
    return cleaned or None
