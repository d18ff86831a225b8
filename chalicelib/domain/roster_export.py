"""The names-list template and export: canonical headers that ``parse_roster`` reads back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from chalicelib.domain.access_codes import format_code
from chalicelib.domain.roster_files import write_csv, write_xlsx

_FIXED_HEADERS = ["First name", "Last name", "Class", "External ID", "Access code"]
_EXAMPLE = {
    "First name": "Zoë",
    "Last name": "Müller",
    "Class": "3a",
    "External ID": "2024-0017",
    "Access code": "",  # empty: a code is generated
    "Email 1": "parent@example.com",
    "Phone 1": "0049 170 1234567",  # "+" would start a formula in Excel
}


class SubjectLike(Protocol):
    """What the export needs of a subject; ``RosterRow`` and the stored subject both fit."""

    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def class_name(self) -> str: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def emails(self) -> Sequence[str]: ...
    @property
    def phones(self) -> Sequence[str]: ...
    @property
    def access_code(self) -> str | None: ...


def template_csv() -> bytes:
    """A CSV template: the canonical headers and one example row."""
    return write_csv(_template_rows())


def template_xlsx() -> bytes:
    """An XLSX template: the canonical headers and one example row."""
    return write_xlsx(_template_rows())


def export_csv(subjects: Iterable[SubjectLike]) -> bytes:
    """The job's names list with access codes, as CSV (UTF-8 with BOM)."""
    return write_csv(_export_rows(list(subjects)))


def export_xlsx(subjects: Iterable[SubjectLike]) -> bytes:
    """The job's names list with access codes, as XLSX."""
    return write_xlsx(_export_rows(list(subjects)))


def _headers(emails: int, phones: int) -> list[str]:
    return [
        *_FIXED_HEADERS,
        *(f"Email {n}" for n in range(1, emails + 1)),
        *(f"Phone {n}" for n in range(1, phones + 1)),
    ]


def _template_rows() -> list[list[str]]:
    headers = _headers(2, 2)
    return [headers, [_EXAMPLE.get(header, "") for header in headers]]


def _export_rows(subjects: list[SubjectLike]) -> list[list[str]]:
    emails = max([2, *(len(s.emails) for s in subjects)])
    phones = max([2, *(len(s.phones) for s in subjects)])
    rows = [_headers(emails, phones)]
    for s in subjects:
        rows.append(
            [
                s.first_name,
                s.last_name,
                s.class_name,
                s.external_id or "",
                format_code(s.access_code) if s.access_code else "",
                *_padded(s.emails, emails),
                *_padded(s.phones, phones),
            ]
        )
    return rows


def _padded(values: Sequence[str], width: int) -> list[str]:
    return [*values, *([""] * (width - len(values)))]
