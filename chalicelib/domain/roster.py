"""Name lists: import a school's roster (CSV or XLSX) into subjects, all or nothing.

``parse_roster`` is the whole import: it reads, maps columns, normalises and validates every row
and returns a ``RosterImport``. It writes nothing, so a *dry run* is the same call with the result
shown instead of stored; a real import stores ``result.rows`` only when ``result.ok``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.access_codes import (
    InvalidAccessCode,
    format_code,
    normalize_imported_code,
    suggest_modified_code,
)
from chalicelib.domain.roster_columns import Column, ColumnMap, map_columns
from chalicelib.domain.roster_contacts import (
    ContactError,
    normalize_email,
    normalize_phone,
    split_contacts,
)
from chalicelib.domain.roster_export import (
    SubjectLike,
    export_csv,
    export_xlsx,
    template_csv,
    template_xlsx,
)
from chalicelib.domain.roster_files import RosterFileError, read_sheet

__all__ = [
    "RosterImport",
    "RosterRow",
    "RowError",
    "RowWarning",
    "SubjectLike",
    "blank_subjects",
    "export_csv",
    "export_xlsx",
    "parse_roster",
    "template_csv",
    "template_xlsx",
]

MAX_NAME_LENGTH = 100
MAX_ID_LENGTH = 64
SPARE_FIRST_NAME = "Spare"

# Returns why a canonical code cannot be used ("retired", "taken by another job"), or None.
CodeTaken = Callable[[str], str | None]


@dataclass(frozen=True)
class RosterRow:
    """One person of a name list. ``line`` is the spreadsheet row (0 for generated rows)."""

    line: int
    first_name: str
    last_name: str
    class_name: str = ""
    external_id: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    access_code: str | None = None  # canonical key; None: one is generated when stored
    placeholder: bool = False  # a spare: the name is filled in later

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class RowError:
    """Why the import cannot go ahead. ``field`` is a column field name ("email")."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class RowWarning:
    """Worth showing, not blocking: unknown columns, the encoding we guessed, likely duplicates."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class RosterImport:
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...]
    warnings: tuple[RowWarning, ...]

    @property
    def ok(self) -> bool:
        """True when the rows may be stored. Any error means: store none of them."""
        return not self.errors


def parse_roster(
    data: bytes,
    *,
    default_country_code: str = "+49",
    code_taken: CodeTaken | None = None,
    year: int | None = None,
    shared_access: bool = False,
    shared_code: str | None = None,
) -> RosterImport:
    """Read and validate a name list (CSV in UTF-8/Windows-1252 with `,` `;` or tab, or XLSX).

    Every problem is reported with the spreadsheet line it is on (header = line 1). Access codes
    in the file are checked for format, for duplicates within the file and, through
    `code_taken(canonical_code)`, against codes already used anywhere; a used code's error
    suggests a modified one (the code with `year` appended). In a job with `shared_access` (one
    code for everyone) a row may only repeat the job's `shared_code` or leave the column empty.
    This function has no side effects: call it for a dry run and show the result, or store
    ``rows`` when ``ok``.
    """
    try:
        sheet = read_sheet(data)
    except RosterFileError as exc:
        return RosterImport((), (RowError(1, "file", str(exc)),), ())
    if not sheet.rows:
        return RosterImport((), (RowError(1, "file", "the file is empty"),), ())
    header_line, headers = sheet.rows[0]
    columns = map_columns(headers)
    state = _ImportState(
        default_country_code,
        code_taken,
        year if year is not None else date.today().year,
        shared_access,
        shared_code,
    )
    state.warnings.extend(RowWarning(header_line, "file", note) for note in sheet.notes)
    _check_header(header_line, headers, columns, state)
    if not state.errors:
        for line, cells in sheet.rows[1:]:
            row = _parse_row(line, cells, headers, columns, state)
            if row is not None:
                state.rows.append(row)
    return RosterImport(tuple(state.rows), tuple(state.errors), tuple(state.warnings))


def blank_subjects(people_expected: int, spares: int = 0, class_name: str = "") -> list[RosterRow]:
    """Placeholders "Spare 1", "Spare 2", ... for a job without a name list (seed 004, option 1).

    One per expected person plus `spares` extra; their names are filled in later (by hand on the
    card, then in the names list).
    """
    if people_expected < 0 or spares < 0:
        raise ValueError("counts must not be negative")
    return [
        RosterRow(0, SPARE_FIRST_NAME, str(number), class_name=class_name, placeholder=True)
        for number in range(1, people_expected + spares + 1)
    ]


@dataclass
class _ImportState:
    default_country_code: str
    code_taken: CodeTaken | None
    year: int
    shared_access: bool = False
    shared_code: str | None = None
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    code_lines: dict[str, int] = field(default_factory=dict)
    id_lines: dict[str, int] = field(default_factory=dict)
    person_lines: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def error(self, line: int, column: Column | str, message: str) -> None:
        self.errors.append(RowError(line, str(column), message))


def _check_header(line: int, headers: list[str], columns: ColumnMap, state: _ImportState) -> None:
    if not any(columns.has(c) for c in (Column.FIRST_NAME, Column.LAST_NAME, Column.FULL_NAME)):
        state.error(
            line,
            "header",
            "no name column found; the first line must name the columns, e.g. "
            "'First name', 'Last name', 'Class' (or Vorname, Nachname, Klasse)",
        )
        return
    for header in columns.unknown:
        state.warnings.append(RowWarning(line, "header", f"column '{header}' is not used"))
    for header in columns.duplicates:
        state.warnings.append(
            RowWarning(line, "header", f"column '{header}' repeats another column and is not used")
        )


def _parse_row(
    line: int, cells: list[str], headers: list[str], columns: ColumnMap, state: _ImportState
) -> RosterRow | None:
    def value(column: Column) -> str:
        indexes = columns.indexes(column)
        return _clean(cells[indexes[0]]) if indexes and indexes[0] < len(cells) else ""

    errors_before = len(state.errors)
    first, last = value(Column.FIRST_NAME), value(Column.LAST_NAME)
    if not (first or last) and columns.has(Column.FULL_NAME):
        first, last = _split_full_name(value(Column.FULL_NAME))
    if not (first or last):
        state.error(line, Column.FIRST_NAME, "first name and last name are both empty")
    for column, text in ((Column.FIRST_NAME, first), (Column.LAST_NAME, last)):
        if len(text) > MAX_NAME_LENGTH:
            state.error(line, column, f"longer than {MAX_NAME_LENGTH} characters")
    class_name = value(Column.CLASS_NAME)
    external_id = _external_id(line, value(Column.EXTERNAL_ID), state)
    emails = _contacts(line, cells, headers, columns, Column.EMAIL, state)
    phones = _contacts(line, cells, headers, columns, Column.PHONE, state)
    code = _access_code(line, value(Column.ACCESS_CODE), state)
    if len(state.errors) > errors_before:
        return None
    person = (first.casefold(), last.casefold(), class_name.casefold())
    if person in state.person_lines:
        state.warnings.append(
            RowWarning(line, "name", f"same name and class as line {state.person_lines[person]}")
        )
    state.person_lines.setdefault(person, line)
    return RosterRow(line, first, last, class_name, external_id, emails, phones, code)


def _external_id(line: int, text: str, state: _ImportState) -> str | None:
    if not text:
        return None
    if len(text) > MAX_ID_LENGTH:
        state.error(line, Column.EXTERNAL_ID, f"longer than {MAX_ID_LENGTH} characters")
    elif text in state.id_lines:
        state.error(
            line, Column.EXTERNAL_ID, f"id '{text}' is already used on line {state.id_lines[text]}"
        )
    else:
        state.id_lines[text] = line
    return text


def _contacts(
    line: int,
    cells: list[str],
    headers: list[str],
    columns: ColumnMap,
    column: Column,
    state: _ImportState,
) -> tuple[str, ...]:
    found: list[str] = []
    for index in columns.indexes(column):
        cell = cells[index] if index < len(cells) else ""
        for part in split_contacts(cell):
            try:
                if column == Column.EMAIL:
                    contact = normalize_email(part)
                else:
                    contact = normalize_phone(part, state.default_country_code)
            except ContactError as exc:
                state.error(line, column, f"column '{headers[index].strip()}': {exc}")
                continue
            if contact.casefold() not in (known.casefold() for known in found):
                found.append(contact)
    return tuple(found)


def _access_code(line: int, text: str, state: _ImportState) -> str | None:
    if not text:
        return None
    try:
        code = normalize_imported_code(text)
    except InvalidAccessCode as exc:
        state.error(line, Column.ACCESS_CODE, exc.message)
        return None
    if state.shared_access:
        return _shared_code(line, code, state)
    if code in state.code_lines:
        state.error(
            line,
            Column.ACCESS_CODE,
            f"access code {code} is already used on line {state.code_lines[code]}",
        )
        return code
    state.code_lines[code] = line
    reason = state.code_taken(code) if state.code_taken else None
    if reason:
        suggestion = suggest_modified_code(code, state.year, taken=lambda c: _unusable(c, state))
        state.error(
            line, Column.ACCESS_CODE, f"access code {code} is {reason}; use e.g. {suggestion}"
        )
    return code


def _shared_code(line: int, code: str, state: _ImportState) -> str | None:
    if code == state.shared_code:
        return code
    if state.shared_code is None:
        message = "this job has one access code for everyone; leave the column empty"
    else:
        message = (
            f"this job has one access code for everyone ({format_code(state.shared_code)}); "
            "leave the column empty or use that code"
        )
    state.error(line, Column.ACCESS_CODE, message)
    return None


def _unusable(code: str, state: _ImportState) -> bool:
    if code in state.code_lines:
        return True
    return bool(state.code_taken and state.code_taken(code))


def _clean(text: str) -> str:
    # NFC: names exported on a Mac arrive decomposed ("Zoe" + combining diaeresis).
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _split_full_name(text: str) -> tuple[str, str]:
    if "," in text:  # "Müller, Anna"
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.rpartition(" ")
    return (first.strip(), last.strip()) if first else ("", last.strip())
