import random
from dataclasses import replace

from gallery_fixtures import JOB, OTHER_JOB, SUBJECTS, A, B, C, D, shoot, tag

from chalicelib.domain.gallery_builder import (
    DecodedCode,
    FlagKind,
    ManualDecisions,
    build_galleries,
)


def build(photos, **kwargs):
    return build_galleries(JOB, photos, SUBJECTS, **kwargs)


def kinds(result):
    return [flag.kind for flag in result.flags]


def test_a_card_starts_its_subject_until_the_next_card():
    photos = shoot("3a", [tag(A), "p", "p", tag(B), "p"])

    result = build(photos)

    assert result.galleries[A] == ("3a-01", "3a-02")
    assert result.galleries[B] == ("3a-04",)
    assert result.card_photo_ids == ("3a-00", "3a-03")
    assert result.unassigned == ()
    assert result.flags == ()
    assert result.subjects_without_photos == (C, D)
    assert result.sequence == {"3a": tuple(p.photo_id for p in photos)}


def test_the_same_input_builds_the_same_output_whatever_the_order():
    photos = shoot("3a", [tag(A), "p", "?", "p", tag(B), "p", "p"]) + shoot(
        "4b", ["p", tag(D), "p"]
    )
    decisions = ManualDecisions(assignments={"3a-03": (C,)})

    first = build(photos, decisions=decisions)
    shuffled = list(photos)
    random.Random(7).shuffle(shuffled)

    assert build(shuffled, decisions=decisions) == first
    assert build(photos, decisions=decisions) == first


def test_a_card_with_several_tags_starts_all_siblings():
    photos = shoot("3a", [(tag(A), tag(B)), "p", "p", tag(C), "p"])

    result = build(photos)

    assert result.galleries[A] == result.galleries[B] == ("3a-01", "3a-02")
    assert result.galleries[C] == ("3a-04",)
    assert result.flags == ()


def test_two_cameras_are_merged_by_capture_time():
    # Camera 1 takes the card and every other photo; camera 2 fills the gaps five seconds later.
    cam1 = shoot("3a", [tag(A), "p", tag(B), "p"], step=20, camera="CAM1", prefix="x")
    cam2 = shoot("3a", ["p", "p", "p"], start=5, step=20, camera="CAM2", prefix="y")

    result = build(cam1 + cam2)

    assert result.sequence["3a"] == (
        "3a-x00",
        "3a-y00",
        "3a-x01",
        "3a-y01",
        "3a-x02",
        "3a-y02",
        "3a-x03",
    )
    assert result.galleries[A] == ("3a-y00", "3a-x01", "3a-y01")
    assert result.galleries[B] == ("3a-y02", "3a-x03")


def test_sub_seconds_and_offsets_decide_the_order():
    photos = shoot("3a", [tag(A), "p", "p", "p"])
    photos[1] = replace(photos[1], captured_at="2025-05-06T09:00:30.900")
    photos[2] = replace(photos[2], captured_at="2025-05-06T09:00:30.250")
    photos[3] = replace(photos[3], captured_at="2025-05-06T11:00:30.500+02:00")  # 09:00:30.5 UTC

    result = build(photos)

    assert result.galleries[A] == ("3a-02", "3a-03", "3a-01")


def test_exif_style_times_are_read():
    photos = shoot("3a", [tag(A), "p", "p"])
    photos[1] = replace(photos[1], captured_at="2025:05:06 09:00:59")
    photos[2] = replace(photos[2], captured_at="2025:05:06 09:00:58.5")

    assert build(photos).galleries[A] == ("3a-02", "3a-01")


def test_an_album_without_capture_times_is_in_file_name_order_and_flagged():
    photos = [
        replace(p, captured_at=None, file_name=name)
        for p, name in zip(
            shoot("3a", [tag(A), "p", "p", tag(B), "p"]),
            ["IMG_2.JPG", "IMG_10.JPG", "IMG_11.JPG", "IMG_20.JPG", "img_100.jpg"],
        )
    ]

    result = build(photos)

    assert result.galleries[A] == ("3a-01", "3a-02")
    assert result.galleries[B] == ("3a-04",)
    [flag] = result.flags
    assert flag.kind == FlagKind.NO_CAPTURE_TIME
    assert flag.photo_ids == tuple(p.photo_id for p in photos)
    assert "file-name order" in flag.message


def test_an_untimed_photo_follows_its_file_name_predecessor():
    photos = shoot("3a", [tag(A), "p", tag(B), "p", "p"])
    photos[1] = replace(photos[1], captured_at=None)  # IMG_0001: after IMG_0000, A's card
    photos[4] = replace(photos[4], captured_at="garbage")  # IMG_0004: after IMG_0003

    result = build(photos)

    assert result.sequence["3a"] == ("3a-00", "3a-01", "3a-02", "3a-03", "3a-04")
    assert result.galleries[A] == ("3a-01",)
    assert result.galleries[B] == ("3a-03", "3a-04")
    assert [(f.kind, f.photo_ids) for f in result.flags] == [
        (FlagKind.NO_CAPTURE_TIME, ("3a-01", "3a-04"))
    ]


def test_an_untimed_photo_before_every_timed_one_opens_the_album():
    photos = shoot("3a", ["p", tag(A), "p"])
    photos[0] = replace(photos[0], captured_at=None, file_name="AAA.JPG")
    photos[1] = replace(photos[1], captured_at="2025-05-06T08:00:00")

    result = build(photos)

    assert result.sequence["3a"] == ("3a-00", "3a-01", "3a-02")
    assert FlagKind.BEFORE_FIRST_CARD in kinds(result)


def test_the_order_of_photos_taken_at_the_same_moment_is_fixed():
    photos = shoot("3a", [tag(A), "p", "p", "p"], step=0)

    assert build(photos).galleries[A] == ("3a-01", "3a-02", "3a-03")


def test_group_photos_go_to_every_subject_of_the_class():
    photos = shoot("3a", [tag(A), "p", "p", tag(B), "p"]) + shoot("4b", [tag(D), "p"])
    decisions = ManualDecisions(group_photos={"3a-02": None, "4b-01": "3a"})

    result = build(photos, decisions=decisions)

    assert result.group_photos == {"3a": ("3a-02", "4b-01")}
    assert result.galleries[A] == ("3a-01", "3a-02", "4b-01")
    assert result.galleries[B] == ("3a-04", "3a-02", "4b-01")
    assert result.galleries[C] == ("3a-02", "4b-01")
    assert result.galleries[D] == ()
    assert FlagKind.NO_PHOTOS_AFTER_CARD in kinds(result)  # Dora's only photo was a group photo


def test_a_group_photo_does_not_interrupt_a_run():
    photos = shoot("3a", [tag(A), "p", "p", "p"])

    result = build(photos, decisions=ManualDecisions(group_photos={"3a-02": "3a"}))

    assert result.galleries[A] == ("3a-01", "3a-03", "3a-02")


def test_photos_before_the_first_card_of_a_group_album_are_the_class_photos():
    photos = shoot("Klasse 3a", ["p", "p", tag(A), "p"])

    result = build(photos, group_albums={"Klasse 3a": "3a"})

    assert result.group_photos == {"3a": ("Klasse 3a-00", "Klasse 3a-01")}
    assert result.galleries[A] == ("Klasse 3a-03", "Klasse 3a-00", "Klasse 3a-01")
    assert result.galleries[B] == ("Klasse 3a-00", "Klasse 3a-01")
    assert result.flags == ()


def test_a_group_album_named_after_its_class_needs_no_class():
    result = build(shoot("4b", ["p", "p"]), group_albums={"4b": None})

    assert result.galleries[D] == ("4b-00", "4b-01")


def test_manual_tagging_uses_marked_first_photos_as_visible_starts():
    photos = shoot("3a", ["p", "p", "p", "p", "p"])
    decisions = ManualDecisions(first_photos={"3a-00": (A,), "3a-03": (B, C)})

    result = build(photos, decisions=decisions)

    assert result.galleries[A] == ("3a-00", "3a-01", "3a-02")
    assert result.galleries[B] == result.galleries[C] == ("3a-03", "3a-04")
    assert result.card_photo_ids == ()
    assert result.flags == ()


def test_manual_marks_win_over_decoded_tags():
    photos = shoot("3a", [tag(A), "p", tag(B), "p"])

    result = build(photos, decisions=ManualDecisions(card_marks={"3a-02": (C,)}))

    assert result.galleries[B] == ()
    assert result.galleries[C] == ("3a-03",)
    assert result.card_photo_ids == ("3a-00", "3a-02")


def test_photos_that_are_not_ready_are_left_out_and_flagged():
    photos = shoot("3a", [tag(A), "p", {"state": "processing"}, "p", {"state": "failed"}])

    result = build(photos)

    assert result.galleries[A] == ("3a-01", "3a-03")
    [flag] = result.flags
    assert (flag.kind, flag.photo_ids) == (FlagKind.NOT_READY, ("3a-02", "3a-04"))


def test_foreign_codes_in_a_card_photo_do_not_hide_its_tag():
    shop_link = DecodedCode("https://shop.example.com/?code=K7M4", ours=False)
    photos = shoot("3a", [(tag(A), shop_link), "p"])

    result = build(photos)

    assert result.galleries[A] == ("3a-01",)
    assert kinds(result) == [FlagKind.FOREIGN_CODE]


def test_other_codes_next_to_a_good_tag_are_reported_without_holding_the_run():
    photos = shoot("3a", [(tag(A), tag("SBJZZZZZZZZZ"), tag(B, OTHER_JOB)), "p"])

    result = build(photos)

    assert result.galleries[A] == ("3a-01",)
    assert kinds(result) == [FlagKind.OTHER_JOB_TAG, FlagKind.UNKNOWN_SUBJECT]
    assert result.unassigned == ()
