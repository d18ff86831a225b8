from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chalicelib.domain.roster import RosterRow, parse_roster
from chalicelib.domain.subjects import (
    AccessCodeClaim,
    Subject,
    document_key,
    in_card_order,
    next_spares,
    parse_subject_changes,
    same_details,
    subject_from_row,
    taken_reason,
    updated_subject,
    with_row,
)
from chalicelib.domain.tags import parse_tag
from chalicelib.errors import ValidationFailed

NOW = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)
JOB = "J0B000000001"


def subject(first, last, class_name="3a", *, spare=False, subject_id=None) -> Subject:
    return Subject(
        job_id=JOB,
        studio_id="STUDIO000001",
        subject_id=subject_id or f"S{abs(hash((first, last, class_name))) % 10**11:011d}",
        first_name=first,
        last_name=last,
        class_name=class_name,
        access_code="ABCD1234",
        created_at=NOW,
        updated_at=NOW,
        spare=spare,
    )


def test_card_order_is_class_then_named_then_spares_with_folded_accents_and_natural_numbers():
    subjects = [
        subject("Spare", "10", spare=True),
        subject("Zoë", "Müller"),
        subject("Spare", "2", spare=True),
        subject("Ida", "Łukasik"),
        subject("Anna", "Zimmermann"),
        subject("Otto", "Adler", "3a b"),
        subject("Kai", "Mueller", "10a"),
        subject("Lea", "Mai", "2a"),
    ]

    ordered = [(s.class_name, s.last_name) for s in in_card_order(subjects)]

    assert ordered == [
        ("2a", "Mai"),
        ("3a", "Łukasik"),
        ("3a", "Müller"),
        ("3a", "Zimmermann"),
        ("3a", "2"),
        ("3a", "10"),
        ("3a b", "Adler"),  # "3a" before "3a b"
        ("10a", "Mueller"),  # classes in natural order too
    ]


def test_a_code_is_taken_unless_free_or_one_of_this_jobs_subjects():
    def claim(job_id, subject_id="S1", state="active"):
        return AccessCodeClaim("ABC123", "STUDIO", job_id, subject_id, state, NOW)

    assert taken_reason(None, JOB, set()) is None
    assert taken_reason(claim(JOB), JOB, {"S1"}) is None  # re-import updates that subject
    assert taken_reason(claim("OTHER"), JOB, {"S1"}) == "already used by another job"
    assert taken_reason(claim(JOB, None), JOB, {"S1"}) == "already used by another job"
    retired = taken_reason(claim(JOB, state="retired"), JOB, {"S1"})
    assert retired == "retired (its job was deleted) and can never be used again"


def test_a_subject_from_a_row_carries_its_tag_and_a_reimport_updates_details():
    row = RosterRow(2, "Zoë", "Müller", "3a", "17", ("a@x.de",), (), "ABC123")
    created = subject_from_row(
        row, job_id=JOB, studio_id="S", subject_id="SBJ000000001", access_code="ABC123", now=NOW
    )
    assert parse_tag(created.tag).subject_id == "SBJ000000001"
    assert same_details(created, row)
    moved = replace(row, class_name="4a")
    assert not same_details(created, moved)
    assert with_row(created, moved, NOW).class_name == "4a"


def test_patch_changes_are_validated_and_normalised():
    changes = parse_subject_changes(
        {
            "first_name": " Mia ",
            "emails": ["A@Example.COM", "a@example.com"],
            "phones": ["0170 1234567"],
        }
    )
    assert changes == {
        "first_name": "Mia",
        "emails": ("A@example.com",),
        "phones": ("+491701234567",),
    }
    with pytest.raises(ValidationFailed) as bad:
        parse_subject_changes({"emails": "a@x.de", "tag": "PJ1:...", "last_name": "x" * 101})
    assert {e["field"] for e in bad.value.errors} == {"emails", "tag", "last_name"}
    with pytest.raises(ValidationFailed):
        parse_subject_changes({})


def test_naming_a_spare_makes_it_a_named_subject_and_names_cannot_both_be_empty():
    spare = subject("Spare", "3", spare=True)
    assert updated_subject(spare, {"first_name": "Mia", "last_name": "Weber"}, NOW).spare is False
    assert updated_subject(spare, {"class_name": "4a"}, NOW).spare is True
    with pytest.raises(ValidationFailed):
        updated_subject(spare, {"first_name": "", "last_name": ""}, NOW)


def test_more_spares_are_numbered_after_the_highest():
    existing = [subject("Spare", "4", spare=True), subject("Spare", "12", spare=True)]
    rows = next_spares([*existing, subject("Mia", "7")], 2, "3b")
    assert [(r.first_name, r.last_name, r.class_name, r.placeholder) for r in rows] == [
        ("Spare", "13", "3b", True),
        ("Spare", "14", "3b", True),
    ]


def test_document_keys_live_under_derived():
    assert document_key("S", "J", "cards", "D1") == "derived/S/J/documents/cards-D1.pdf"
    with pytest.raises(ValueError):
        document_key("S", "J", "../x", "D1")


def test_a_shared_job_accepts_only_its_one_code_repeated():
    text = "First name,Last name,Code\nA,B,abcd-1234\nC,D,ABCD1234\nE,F,\nG,H,WXYZ9876\n"

    result = parse_roster(text.encode(), shared_access=True, shared_code="ABCD1234")

    assert [row.access_code for row in result.rows] == ["ABCD1234", "ABCD1234", None]
    (error,) = result.errors
    assert (error.line, error.field) == (5, "access_code")
    assert "one access code for everyone (ABCD1234)" in error.message
    fresh = parse_roster(text.encode(), shared_access=True)  # no code yet: none may be given
    assert [e.line for e in fresh.errors] == [2, 3, 5]
