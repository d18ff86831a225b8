"""Subjects: the people of a job's name list, each with an access code and a card tag.

A subject is stored once per job; its access code is claimed globally (see ``AccessCodeClaim``)
so that one ``GetItem`` in the shop finds the job and subject a parent's code opens. The tag
printed on the card face (``tags.py``) identifies the subject in photos and opens nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.domain.roster import MAX_ID_LENGTH, MAX_NAME_LENGTH, SPARE_FIRST_NAME, RosterRow
from chalicelib.domain.roster_contacts import ContactError, normalize_email, normalize_phone
from chalicelib.domain.tags import make_tag
from chalicelib.errors import ValidationFailed
from chalicelib.resources import DERIVED_PREFIX

ACTIVE = "active"
RETIRED = "retired"
CODE_STATES = (ACTIVE, RETIRED)
# National numbers in a names list or a PATCH are read as German ones unless they start with
# + or 00 (the importer's default too).
DEFAULT_COUNTRY_CODE = "+49"
MAX_CONTACTS = 5
DOCUMENT_KINDS = ("cards", "contact-sheets")


@dataclass(frozen=True)
class Subject:
    """A person on a job's name list. ``access_code`` is the canonical key (see
    ``access_codes.code_key``); in a ``shared`` job every subject carries the job's one code."""

    job_id: str
    studio_id: str
    subject_id: str
    first_name: str
    last_name: str
    class_name: str
    access_code: str
    created_at: datetime
    updated_at: datetime
    external_id: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    spare: bool = False  # a placeholder ("Spare 3") whose name is written on the card by hand
    import_id: str | None = None  # the import that created it

    @property
    def tag(self) -> str:
        return make_tag(self.job_id, self.subject_id)

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class AccessCodeClaim:
    """Who owns a code, forever: claims are never deleted once a subject was given the code, and
    a retired claim (its job was deleted) can never be claimed again. ``subject_id`` is None for
    the one code of a ``shared`` job."""

    code: str
    studio_id: str
    job_id: str
    subject_id: str | None
    state: str
    claimed_at: datetime
    retired_at: datetime | None = None
    import_id: str | None = None

    @property
    def active(self) -> bool:
        return self.state == ACTIVE


def taken_reason(
    claim: AccessCodeClaim | None, job_id: str, own_subject_ids: Collection[str]
) -> str | None:
    """Why a code in a names list for `job_id` cannot be used (None: it can be).

    A code of one of this job's own subjects (`own_subject_ids`) is not taken: importing it
    again updates that subject. The reason never names the studio or job holding a code.
    """
    if claim is None:
        return None
    if not claim.active:
        return "retired (its job was deleted) and can never be used again"
    if claim.job_id == job_id and claim.subject_id in own_subject_ids:
        return None
    return "already used by another job"


def subject_from_row(
    row: RosterRow,
    *,
    job_id: str,
    studio_id: str,
    subject_id: str,
    access_code: str,
    now: datetime,
    import_id: str | None = None,
) -> Subject:
    return Subject(
        job_id=job_id,
        studio_id=studio_id,
        subject_id=subject_id,
        first_name=row.first_name,
        last_name=row.last_name,
        class_name=row.class_name,
        access_code=access_code,
        created_at=now,
        updated_at=now,
        external_id=row.external_id,
        emails=row.emails,
        phones=row.phones,
        spare=row.placeholder,
        import_id=import_id,
    )


def with_row(subject: Subject, row: RosterRow, now: datetime) -> Subject:
    """`subject` with the details of a re-imported row (its code stays). A named row fills a
    spare."""
    return replace(
        subject,
        first_name=row.first_name,
        last_name=row.last_name,
        class_name=row.class_name,
        external_id=row.external_id,
        emails=row.emails,
        phones=row.phones,
        spare=subject.spare and row.placeholder,
        updated_at=now,
    )


def same_details(subject: Subject, row: RosterRow) -> bool:
    return (
        subject.first_name,
        subject.last_name,
        subject.class_name,
        subject.external_id,
        subject.emails,
        subject.phones,
    ) == (row.first_name, row.last_name, row.class_name, row.external_id, row.emails, row.phones)


def next_spares(existing: Iterable[Subject], count: int, class_name: str = "") -> list[RosterRow]:
    """`count` more placeholders, numbered after the job's highest "Spare N"."""
    numbers = [
        int(s.last_name)
        for s in existing
        if s.spare and s.first_name == SPARE_FIRST_NAME and s.last_name.isdigit()
    ]
    start = max(numbers, default=0)
    return [
        RosterRow(0, SPARE_FIRST_NAME, str(n), class_name=class_name, placeholder=True)
        for n in range(start + 1, start + count + 1)
    ]


def parse_subject_changes(body: Any) -> dict[str, Any]:
    """The fields a PATCH may change, validated. Codes and tags never change."""
    names = {
        "first_name": lambda x: v.text(x, max_length=MAX_NAME_LENGTH, allow_empty=True),
        "last_name": lambda x: v.text(x, max_length=MAX_NAME_LENGTH, allow_empty=True),
        "class_name": lambda x: v.text(x, max_length=MAX_NAME_LENGTH, allow_empty=True),
        "external_id": lambda x: v.optional_text(x, max_length=MAX_ID_LENGTH),
        "emails": lambda x: _contacts(x, normalize_email),
        "phones": lambda x: _contacts(x, lambda p: normalize_phone(p, DEFAULT_COUNTRY_CODE)),
    }
    changes = v.collect(v.require_object(body), names)
    if not changes:
        raise ValidationFailed([{"field": "body", "reason": "names no field to change"}])
    return changes


def updated_subject(subject: Subject, changes: Mapping[str, Any], now: datetime) -> Subject:
    """`subject` with `changes` applied. Giving a spare a name makes it a named subject."""
    changed = replace(subject, **changes, updated_at=now)
    if not (changed.first_name or changed.last_name):
        raise ValidationFailed(
            [{"field": "first_name", "reason": "first name and last name must not both be empty"}]
        )
    named = "first_name" in changes or "last_name" in changes
    return replace(changed, spare=subject.spare and not named)


def subject_sort_key(subject: Subject) -> str:
    """Class, then named subjects before spares, then last and first name (accents folded,
    numbers in natural order: Spare 2 before Spare 10), then id. A space separates the parts:
    it sorts before every character a folded name keeps, so "3a" comes before "3a b"."""
    return " ".join(
        (
            _sortable(subject.class_name),
            "1" if subject.spare else "0",
            _sortable(subject.last_name),
            _sortable(subject.first_name),
            subject.subject_id,
        )
    )


def in_card_order(subjects: Iterable[Subject]) -> list[Subject]:
    return sorted(subjects, key=subject_sort_key)


def documents_prefix(studio_id: str, job_id: str) -> str:
    """Where a job's rendered PDFs go: under derived/, which triggers no processing."""
    return f"{DERIVED_PREFIX}{studio_id}/{job_id}/documents/"


def document_key(studio_id: str, job_id: str, kind: str, document_id: str) -> str:
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    return f"{documents_prefix(studio_id, job_id)}{kind}-{document_id}.pdf"


def _contacts(value: Any, normalize: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise v.FieldError("must be a list of strings")
    if len(value) > MAX_CONTACTS:
        raise v.FieldError(f"must have at most {MAX_CONTACTS} entries")
    found: list[str] = []
    for item in value:
        if not item.strip():
            continue
        try:
            contact = str(normalize(item))
        except ContactError as exc:
            raise v.FieldError(str(exc)) from exc
        if contact.casefold() not in (known.casefold() for known in found):
            found.append(contact)
    return tuple(found)


_NOT_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")
# Letters NFKD does not decompose, spelled as their base letters (Łukasik sorts with Lukas).
_BASE_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe"})


def _sortable(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = _NOT_WORD.sub("!", folded.translate(_BASE_LETTERS)).strip("!")
    return _DIGITS.sub(lambda m: m.group().lstrip("0").rjust(10, "0"), folded)


def shared_access(access_type: str) -> bool:
    return access_type == "shared"
