"""Review actions as a photographer sends them, and the decisions the gallery builder gets."""

from __future__ import annotations

import pytest

from chalicelib.domain.gallery_albums import group_photo_classes
from chalicelib.domain.gallery_builder import build_galleries
from chalicelib.domain.gallery_model import GallerySubject, ManualDecisions, PhotoRecord
from chalicelib.domain.review import (
    ActionKind,
    PhotoDecision,
    ReviewAction,
    Role,
    manual_decisions,
    merged,
    parse_review_action,
)
from chalicelib.errors import ValidationFailed


def test_actions_parse_into_what_they_decide():
    assert parse_review_action(
        {"action": "move_photo", "photo_ids": ["P1", "P2", "P1"], "subject_ids": []}
    ) == ReviewAction(ActionKind.MOVE_PHOTO, ("P1", "P2"), subject_ids=())
    assert parse_review_action(
        {"action": "assign_subject", "photo_id": "P1", "subject_id": "S1", "card": True}
    ) == ReviewAction(ActionKind.ASSIGN_SUBJECT, ("P1",), subject_ids=("S1",), card=True)
    assert parse_review_action({"action": "mark_group", "photo_id": "P1"}) == ReviewAction(
        ActionKind.MARK_GROUP, ("P1",)
    )
    assert parse_review_action({"action": "clear", "flag": "long_gap:3b:P1"}) == ReviewAction(
        ActionKind.CLEAR, flag_key="long_gap:3b:P1"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "nap"}, "action"),
        ({"action": "move_photo", "photo_id": "P1"}, "subject_ids"),
        (
            {"action": "move_photo", "photo_id": "P1", "subject_id": "S", "album": "3b"},
            "subject_ids",
        ),
        ({"action": "assign_subject", "photo_id": "P1", "subject_ids": []}, "subject_ids"),
        ({"action": "assign_subject", "subject_id": "S1"}, "photo_id"),
        ({"action": "exclude_photo", "photo_ids": ["P/1"]}, "photo_ids"),
        ({"action": "exclude_photo", "photo_ids": ["P"] * 101}, "photo_ids"),
        ({"action": "accept_flag"}, "flag"),
        ({"action": "accept_flag", "flag": "k", "photo_id": "P1"}, "photo_id"),
    ],
)
def test_bad_actions_name_the_field(body, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_review_action(body)
    assert field in {error["field"] for error in refused.value.errors}


def test_stored_decisions_become_manual_decisions():
    decisions = manual_decisions(
        [
            PhotoDecision("P1", role=Role.GROUP, group_class="3b", assigned=()),
            PhotoDecision("P2", role=Role.FIRST, role_subjects=("S1",), album="4a"),
            PhotoDecision("P3", role=Role.CARD, role_subjects=("S2", "S3")),
            PhotoDecision("P4", role=Role.EXCLUDED),
        ],
        ["long_gap:3b:P9"],
    )
    assert decisions == ManualDecisions(
        assignments={"P1": ()},
        group_photos={"P1": "3b"},
        moved={"P2": "4a"},
        excluded=frozenset({"P4"}),
        card_marks={"P3": ("S2", "S3")},
        first_photos={"P2": ("S1",)},
        accepted_flags=frozenset({"long_gap:3b:P9"}),
    )


def photo(photo_id: str, album: str, file_name: str) -> PhotoRecord:
    return PhotoRecord(photo_id, album, file_name, "2026-09-14T09:00:00")


def test_group_photos_named_after_their_class_go_to_that_class():
    photos = [
        photo("G1", "group", "3b.jpg"),
        photo("G2", "Group Photos", "Class 4A final.JPG"),
        photo("G3", "group", "IMG_0001.jpg"),  # names no class: sorted (and flagged) as usual
        photo("G4", "3b", "3b.jpg"),  # not a group folder
    ]
    assert group_photo_classes(photos, ["3b", "4a"]) == {"G1": "3b", "G2": "4a"}


def test_a_persons_decision_about_a_group_photo_wins_over_the_convention():
    base = ManualDecisions(excluded=frozenset({"G1"}), group_photos={"G2": "4a"})
    decisions = merged(base, group_photos={"G1": "3b", "G2": "3b", "G3": "3b"})
    assert decisions.group_photos == {"G2": "4a", "G3": "3b"}
    assert decisions.excluded == {"G1"}


def test_manual_tagging_builds_galleries_without_cards():
    subjects = [GallerySubject("S1", "Anna", "3b"), GallerySubject("S2", "Ben", "3b")]
    photos = [
        PhotoRecord(f"P{n}", "3b", f"IMG_{n}.jpg", f"2026-09-14T09:00:{n:02d}") for n in range(5)
    ]
    marks = manual_decisions(
        [
            PhotoDecision("P0", role=Role.FIRST, role_subjects=("S1",)),
            PhotoDecision("P3", role=Role.FIRST, role_subjects=("S2",)),
        ],
        [],
    )
    result = build_galleries("J0B000000001", photos, subjects, decisions=marks)
    assert result.galleries == {"S1": ("P0", "P1", "P2"), "S2": ("P3", "P4")}
    assert result.flags == ()
