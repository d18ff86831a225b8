"""Capture time to the sub-second with offset, camera body and serial, orientation."""

from __future__ import annotations

import io

from PIL import Image

from chalicelib.imaging.exif import CameraFacts, format_capture_time, read_camera_facts
from chalicelib.imaging.pipeline import process_image

from .factories import a_scene, camera_exif, jpeg_bytes


def facts_of(data: bytes) -> CameraFacts:
    return read_camera_facts(Image.open(io.BytesIO(data)))


def test_capture_time_with_subseconds_and_offset() -> None:
    data = jpeg_bytes(a_scene((64, 48)), exif=camera_exif())
    assert facts_of(data).capture_time == "2024-05-17T09:31:02.045+02:00"


def test_capture_time_without_subseconds_or_offset() -> None:
    data = jpeg_bytes(a_scene((64, 48)), exif=camera_exif(subsec=None, offset=None))
    assert facts_of(data).capture_time == "2024-05-17T09:31:02"


def test_camera_make_model_and_body_serial() -> None:
    facts = facts_of(jpeg_bytes(a_scene((64, 48)), exif=camera_exif(orientation=6)))
    assert (facts.camera_make, facts.camera_model) == ("Canon", "Canon EOS R6")
    assert facts.camera_serial == "012345678901"
    assert facts.orientation == 6


def test_missing_exif_gives_none_values() -> None:
    facts = facts_of(jpeg_bytes(a_scene((64, 48))))
    assert facts.capture_time is None
    assert facts.camera_make is None
    assert facts.camera_serial is None
    assert facts.orientation is None


def test_zeroed_or_malformed_stamps_are_none() -> None:
    assert format_capture_time("0000:00:00 00:00:00") is None
    assert format_capture_time("    :  :     :  :  ") is None
    assert format_capture_time(b"2023:12:31 23:59:59\x00", "7", "bogus") == "2023-12-31T23:59:59.7"


def test_pipeline_reports_exif_facts() -> None:
    data = jpeg_bytes(a_scene((640, 480)), exif=camera_exif(orientation=1))
    result = process_image(data, watermark=None)
    assert result.capture_time == "2024-05-17T09:31:02.045+02:00"
    assert result.camera_serial == "012345678901"
    assert result.orientation == 1
