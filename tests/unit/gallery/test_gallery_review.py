"""Flags for review, and the decisions that answer them."""

from dataclasses import replace

import pytest
from gallery_fixtures import JOB, OTHER_JOB, SUBJECTS, A, B, C, shoot, tag

from chalicelib.domain.gallery_builder import (
    DecodedCode,
    FlagKind,
    GapPolicy,
    ManualDecisions,
    build_galleries,
)


def build(photos, **kwargs):
    return build_galleries(JOB, photos, SUBJECTS, **kwargs)


def only_flag(result, kind):
    matching = [flag for flag in result.flags if flag.kind == kind]
    assert len(matching) == 1, result.flags
    return matching[0]


def test_photos_after_an_unreadable_card_are_held_not_given_to_the_previous_subject():
    photos = shoot("3a", [tag(A), "p", "?", "p", "p", tag(B), "p"])

    result = build(photos)

    assert result.galleries[A] == ("3a-01",)
    assert result.galleries[B] == ("3a-06",)
    assert result.unassigned == ("3a-02", "3a-03", "3a-04")
    flag = only_flag(result, FlagKind.UNREADABLE_CARD)
    assert flag.photo_ids == ("3a-02",)
    assert flag.held_photo_ids == ("3a-03", "3a-04")
    assert "IMG_0002.JPG looks like a card" in flag.message
    assert "1 unreadable symbol(s)" in flag.message


def test_a_damaged_tag_is_an_unreadable_card_and_says_what_was_read():
    damaged = DecodedCode("PJ1:J0B000000001:SBJBBBBBBBBB:XXXX", ours=True)
    photos = shoot("3a", [tag(A), "p", damaged, "p"])

    result = build(photos)

    flag = only_flag(result, FlagKind.UNREADABLE_CARD)
    assert flag.held_photo_ids == ("3a-03",)
    assert "PJ1:J0B000000001:SBJBBBBBBBBB:XXXX" in flag.message


def test_marking_the_unreadable_card_resolves_it():
    photos = shoot("3a", [tag(A), "p", "?", "p", "p"])

    result = build(photos, decisions=ManualDecisions(card_marks={"3a-02": (C,)}))

    assert result.galleries[C] == ("3a-03", "3a-04")
    assert "3a-02" in result.card_photo_ids
    assert result.flags == () and result.unassigned == ()


def test_a_card_of_another_job_holds_its_photos():
    photos = shoot("3a", [tag(A), "p", tag(B, OTHER_JOB), "p", "p"])

    result = build(photos)

    assert result.galleries[A] == ("3a-01",)
    assert result.galleries[B] == ()
    assert result.card_photo_ids == ("3a-00", "3a-02")
    flag = only_flag(result, FlagKind.OTHER_JOB_TAG)
    assert flag.held_photo_ids == ("3a-03", "3a-04")
    assert OTHER_JOB in flag.message


def test_a_card_of_an_unknown_subject_holds_its_photos():
    photos = shoot("3a", [tag(A), "p", tag("SBJZZZZZZZZZ"), "p"])

    result = build(photos)

    flag = only_flag(result, FlagKind.UNKNOWN_SUBJECT)
    assert flag.held_photo_ids == ("3a-03",)
    assert "SBJZZZZZZZZZ" in flag.message
    assert result.unassigned == ("3a-03",)


def test_a_foreign_qr_code_is_flagged_and_the_photo_stays_in_its_run():
    photos = shoot("3a", [tag(A), "p", DecodedCode("WIFI:S:school;;", ours=False), "p"])

    result = build(photos)

    assert result.galleries[A] == ("3a-01", "3a-02", "3a-03")
    flag = only_flag(result, FlagKind.FOREIGN_CODE)
    assert flag.photo_ids == ("3a-02",)
    assert "WIFI:S:school;;" in flag.message


def test_a_subject_started_twice_keeps_both_runs_and_is_flagged():
    photos = shoot("3a", [tag(A), "p", tag(B), "p"]) + shoot("3b", [tag(A), "p"])

    result = build(photos)

    assert result.galleries[A] == ("3a-01", "3b-01")
    flag = only_flag(result, FlagKind.SUBJECT_STARTED_TWICE)
    assert flag.photo_ids == ("3a-00", "3b-00")
    assert flag.subject_ids == (A,)
    assert "Anna Adler" in flag.message


def test_a_card_without_photos_is_flagged_wherever_it_is():
    photos = shoot("3a", [tag(A), tag(B), "p", tag(C)])

    result = build(photos)

    empty = [flag for flag in result.flags if flag.kind == FlagKind.NO_PHOTOS_AFTER_CARD]
    assert [(f.photo_ids, f.subject_ids) for f in empty] == [(("3a-00",), (A,)), (("3a-03",), (C,))]
    assert result.galleries[B] == ("3a-02",)


def test_photos_before_the_first_card_are_held():
    photos = shoot("3a", ["p", "p", tag(A), "p"])

    result = build(photos)

    flag = only_flag(result, FlagKind.BEFORE_FIRST_CARD)
    assert flag.held_photo_ids == ("3a-00", "3a-01")
    assert result.unassigned == ("3a-00", "3a-01")
    assert result.galleries[A] == ("3a-03",)


def test_a_long_pause_inside_a_run_is_flagged_but_kept():
    photos = shoot("3a", [tag(A), "p", "p", tag(B), "p"])
    for index, moment in ((2, "09:15:00"), (3, "09:15:10"), (4, "09:15:20")):
        photos[index] = replace(photos[index], captured_at=f"2025-05-06T{moment}")

    result = build(photos)

    assert result.galleries[A] == ("3a-01", "3a-02")
    flag = only_flag(result, FlagKind.LONG_GAP)
    assert flag.photo_ids == ("3a-02",)
    assert flag.subject_ids == (A,)
    assert "14.8 min pause" in flag.message


@pytest.mark.parametrize(
    ("pause", "policy", "flagged"),
    [
        (180, GapPolicy(), True),  # > 3 x the 10 s median and > the 10 s floor
        (25, GapPolicy(), False),  # under 3 x the median
        (100, GapPolicy(min_relative_seconds=120), False),  # > 3 x median, under the floor
        (100, GapPolicy(min_relative_seconds=60), True),
        (180, GapPolicy(median_factor=50), False),
        (700, GapPolicy(median_factor=1000), True),  # the absolute limit always applies
    ],
)
def test_long_gaps_are_relative_to_the_album_median(pause, policy, flagged):
    before = shoot("3a", [tag(A), "p", "p", "p", "p"], step=10)
    after = shoot("3a", ["p", "p", "p"], start=40 + pause, step=10, prefix="z")

    result = build(before + after, gap_policy=policy)

    assert (FlagKind.LONG_GAP in [f.kind for f in result.flags]) is flagged
    assert len(result.galleries[A]) == 7


def test_manual_assignments_win_and_survive_a_rebuild():
    photos = shoot("3a", ["p", tag(A), "p", "p", "?", "p", tag(B), "p"])
    decisions = ManualDecisions(
        assignments={"3a-00": (A,), "3a-03": (B,), "3a-04": (), "3a-05": (A, C)},
        accepted_flags=frozenset(),
    )

    first = build(photos, decisions=decisions)
    again = build(photos, decisions=decisions)

    assert first == again
    assert first.galleries[A] == ("3a-00", "3a-02", "3a-05")
    assert first.galleries[B] == ("3a-03", "3a-07")
    assert first.galleries[C] == ("3a-05",)
    # Every photo the flags were about is placed: nothing is left to review.
    assert first.unassigned == ()
    assert first.flags == ()


def test_an_accepted_flag_stays_accepted_on_rebuild():
    photos = shoot("3a", [tag(A), "p", tag(B), tag(A), "p"])
    flags = build(photos).flags
    assert {f.kind for f in flags} == {
        FlagKind.NO_PHOTOS_AFTER_CARD,
        FlagKind.SUBJECT_STARTED_TWICE,
    }

    result = build(
        photos, decisions=ManualDecisions(accepted_flags=frozenset(f.key for f in flags))
    )

    assert result.flags == ()


def test_a_moved_photo_is_sorted_into_its_new_album_by_time():
    photos = shoot("3a", [tag(A), "p", "p"], step=20) + shoot("3b", ["p"], start=30)

    result = build(photos, decisions=ManualDecisions(moved={"3b-00": "3a"}))

    assert result.galleries[A] == ("3a-01", "3b-00", "3a-02")
    assert "3b" not in result.sequence
    assert result.flags == ()


def test_an_excluded_photo_is_nowhere_and_does_not_break_the_run():
    photos = shoot("3a", [tag(A), "p", "?", "p"])

    result = build(photos, decisions=ManualDecisions(excluded=frozenset({"3a-02"})))

    assert result.galleries[A] == ("3a-01", "3a-03")
    assert "3a-02" not in result.sequence["3a"]
    assert result.flags == ()


def test_decisions_about_unknown_subjects_are_flagged():
    photos = shoot("3a", [tag(A), "p", "p"])
    decisions = ManualDecisions(
        assignments={"3a-02": ("SBJZZZZZZZZZ",)}, first_photos={"3a-01": ("SBJYYYYYYYYY", B)}
    )

    result = build(photos, decisions=decisions)

    assert [f.kind for f in result.flags] == [
        FlagKind.NO_PHOTOS_AFTER_CARD,  # Anna's card is now followed by Ben's first photo
        FlagKind.DECISION_UNKNOWN_SUBJECT,
        FlagKind.DECISION_UNKNOWN_SUBJECT,
    ]
    assert result.galleries[B] == ("3a-01",)
    assert result.galleries[A] == ()


def test_decisions_about_photos_that_are_gone_are_ignored():
    photos = shoot("3a", [tag(A), "p"])

    result = build(
        photos, decisions=ManualDecisions(assignments={"gone": (A,)}, group_photos={"gone2": None})
    )

    assert result.galleries[A] == ("3a-01",)


def test_duplicate_ids_are_rejected():
    photos = shoot("3a", [tag(A), "p"])

    with pytest.raises(ValueError):
        build(photos + photos[:1])
    with pytest.raises(ValueError):
        build_galleries(JOB, photos, SUBJECTS + SUBJECTS[:1])


def test_flag_keys_are_stable_and_messages_human():
    photos = shoot("3a", ["p", tag(A), "p", "?", "p"])

    keys = [f.key for f in build(photos).flags]

    assert keys == ["before_first_card:3a:3a-00", "unreadable_card:3a:3a-03"]
    assert keys == [f.key for f in build(list(reversed(photos))).flags]
