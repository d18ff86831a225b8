"""`photojobs inspect`: one JSON line per photo, a summary line, exit code 1 on any failure."""

from __future__ import annotations

import io
import json
from pathlib import Path

from chalicelib.imaging.inspect import run_inspect

from .factories import a_scene, a_tag, camera_exif, card, damaged_card, foreign_qr, jpeg_bytes

PHOTO_KEYS = {"file", "capture_time", "camera", "codes", "unreadable", "state", "reason", "ms"}


def shoot(root: Path) -> str:
    """A job folder: class 3a with a card photo, a portrait and a group photo; class 3b with a
    broken upload, a foreign code and a damaged card. Returns the tag on the card."""
    tag = a_tag()
    class_a, class_b = root / "job" / "3a", root / "job" / "3b"
    (class_a / "group").mkdir(parents=True)
    class_b.mkdir(parents=True)
    with_card = a_scene((1200, 800))
    with_card.paste(card(tag, 240), (100, 100))
    (class_a / "IMG_0001.jpg").write_bytes(jpeg_bytes(with_card, exif=camera_exif()))
    (class_a / "IMG_0002.jpg").write_bytes(jpeg_bytes(a_scene((1200, 800))))
    (class_a / "group" / "IMG_0100.jpg").write_bytes(jpeg_bytes(a_scene((1200, 800))))
    (class_a / ".DS_Store").write_bytes(b"\x00junk")
    (class_b / "IMG_0003.jpg").write_bytes(b"this is not a photo\n")
    poster = a_scene((1200, 800))
    poster.paste(foreign_qr("https://example.org"), (600, 100))
    (class_b / "IMG_0004.jpg").write_bytes(jpeg_bytes(poster))
    damaged = a_scene((1200, 800))
    damaged.paste(damaged_card(), (200, 200))
    (class_b / "IMG_0005.jpg").write_bytes(jpeg_bytes(damaged))
    return tag


def test_inspect_prints_a_line_per_photo_and_a_summary(tmp_path: Path) -> None:
    # Given a shoot folder
    tag = shoot(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    # When
    status = run_inspect([str(tmp_path / "job")], out, err)
    # Then
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    photos, summary = lines[:-1], lines[-1]
    assert [Path(p["file"]).name for p in photos] == [
        "IMG_0001.jpg",
        "IMG_0002.jpg",
        "IMG_0100.jpg",
        "IMG_0003.jpg",
        "IMG_0004.jpg",
        "IMG_0005.jpg",
    ]
    assert all(set(photo) == PHOTO_KEYS for photo in photos)
    card_photo, broken, foreign, damaged = photos[0], photos[3], photos[4], photos[5]
    assert card_photo["codes"] == [{"value": tag, "format": "QRCode", "ours": True}]
    assert card_photo["unreadable"] == []
    # The damaged card is reported with where it is and what the decoder saw
    [unreadable] = damaged["unreadable"]
    assert damaged["codes"] == [] and unreadable["format"] == "QRCode"
    assert "checksum" in unreadable["seen"] and len(unreadable["box"]) == 4
    assert card_photo["capture_time"] == "2024-05-17T09:31:02.045+02:00"
    assert card_photo["camera"] == "Canon Canon EOS R6"
    assert (card_photo["state"], card_photo["reason"]) == ("ready", None)
    assert isinstance(card_photo["ms"], int)
    assert broken["state"] == "failed" and "not an image" in broken["reason"]
    assert foreign["codes"] == [{"value": "https://example.org", "format": "QRCode", "ours": False}]
    assert summary == {
        "summary": {
            "albums": 2,
            "photos": 6,
            "group_photos": 1,
            "cards": 1,
            "foreign_codes": 1,
            "failed": 1,
            "unreadable_cards": 1,
        }
    }
    assert status == 1
    assert "6 photos in 2 albums" in err.getvalue()


def test_inspect_exit_code_zero_when_all_ready(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_1.jpg"
    photo.write_bytes(jpeg_bytes(a_scene((400, 300))))
    out, err = io.StringIO(), io.StringIO()
    assert run_inspect([str(photo)], out, err) == 0
    first = json.loads(out.getvalue().splitlines()[0])
    assert (first["state"], first["codes"], first["camera"]) == ("ready", [], None)


def test_inspect_missing_path_fails(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_inspect([str(tmp_path / "nope")], out, err) == 1
    assert "no such file" in err.getvalue()
