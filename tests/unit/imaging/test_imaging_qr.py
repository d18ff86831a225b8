"""QR codes on generated card photos: several per photo, tilted, foreign, damaged, big frames."""

from __future__ import annotations

import pytest
from PIL import Image

from chalicelib.domain.tags import make_tag
from chalicelib.imaging.orientation import orient_box
from chalicelib.imaging.pipeline import ProcessedImage, process_image
from chalicelib.imaging.qr import STRATEGIES

from .factories import (
    a_scene,
    a_tag,
    camera_exif,
    card,
    damaged_card,
    foreign_qr,
    jpeg_bytes,
    tilted,
)


def box_near(box: tuple[int, int, int, int], inside: tuple[int, int, int, int]) -> bool:
    """The decoded symbol box lies within `inside` (x, y, w, h) of the pasted card."""
    x, y, w, h = box
    left, top, width, height = inside
    return (
        left - 3 <= x and top - 3 <= y and x + w <= left + width + 3 and y + h <= top + height + 3
    )


def process(image: Image.Image, **save: object) -> ProcessedImage:
    return process_image(jpeg_bytes(image, **save), watermark=None)  # type: ignore[arg-type]


def test_two_cards_and_a_foreign_code_in_one_photo() -> None:
    # Given siblings holding their cards and a poster QR code behind them
    first, second = a_tag(), a_tag()
    scene = a_scene((2400, 1600))
    first_card, second_card = card(first, 220), card(second, 300)
    poster = foreign_qr("https://example.org/school-fair")
    scene.paste(first_card, (150, 900))
    scene.paste(second_card, (1300, 800))
    scene.paste(poster, (1700, 100))
    # When
    result = process(scene)
    # Then all three are found, ours told apart from the foreign one, with their positions
    by_value = {code.value: code for code in result.codes}
    assert set(by_value) == {first, second, "https://example.org/school-fair"}
    assert by_value[first].ours and by_value[second].ours
    assert not by_value["https://example.org/school-fair"].ours
    assert all(code.symbology == "QRCode" for code in result.codes)
    assert box_near(by_value[first].box, (150, 900, *first_card.size))
    assert box_near(by_value[second].box, (1300, 800, *second_card.size))
    assert box_near(by_value["https://example.org/school-fair"].box, (1700, 100, *poster.size))
    assert result.undecodable_candidates == 0


@pytest.mark.parametrize(("turn", "roll"), [(35, 0), (30, 25), (-35, -30), (0, 90)])
def test_tilted_and_rotated_card(turn: float, roll: float) -> None:
    tag = a_tag()
    scene = a_scene((1800, 1200))
    scene.paste(tilted(card(tag, 240), turn, roll), (500, 300))
    assert [code.value for code in process(scene).codes] == [tag]


def test_tag_lookalike_with_wrong_check_is_not_ours() -> None:
    genuine = make_tag("ABCDEFGHJKMN", "0123456789AB")
    forged = genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB")
    scene = a_scene((1200, 900))
    scene.paste(foreign_qr(forged), (100, 100))
    [code] = process(scene).codes
    assert code.value == forged and not code.ours


def test_damaged_card_counts_as_undecodable_candidate() -> None:
    # Given a card whose symbol is partly covered (a thumb over the data area)
    damaged = damaged_card()
    scene = a_scene((1600, 1200))
    scene.paste(damaged, (300, 300))
    # Then no value is read, but the spot is reported
    result = process(scene)
    assert result.codes == []
    assert result.undecodable_candidates == 1


def test_plain_photo_has_no_codes_and_no_candidates() -> None:
    result = process(a_scene((2000, 1500)))
    assert (result.codes, result.undecodable_candidates) == ([], 0)


def test_small_card_in_camera_sized_frame_is_found_in_original_coordinates() -> None:
    # Given a 6000x4000 frame (decoded at half scale) with a small card: 150 px symbol
    tag = a_tag()
    frame = Image.new("RGB", (6000, 4000), (110, 120, 100))
    small = tilted(card(tag, 150), 20, 10)
    frame.paste(small, (4100, 2900))
    # When
    result = process(frame)
    # Then it is read, and its box is in full-resolution pixels
    [code] = result.codes
    assert code.value == tag and code.ours
    assert box_near(code.box, (4100, 2900, *small.size))
    assert result.timings_ms["decode"] > 0


def test_boxes_follow_exif_orientation() -> None:
    tag = a_tag()
    scene = a_scene((1600, 1200))
    face = card(tag, 260)
    scene.paste(face, (100, 150))
    upright = orient_box((100, 150, *face.size), (1600, 1200), 6)
    [code] = process(scene, exif=camera_exif(orientation=6)).codes
    assert box_near(code.box, upright)


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_every_strategy_reads_a_plain_card(strategy: str) -> None:
    tag = a_tag()
    scene = a_scene((3200, 2400))
    scene.paste(card(tag, 320), (900, 900))
    result = process_image(jpeg_bytes(scene), watermark=None, qr_strategy=STRATEGIES[strategy])
    assert [code.value for code in result.codes] == [tag]
