"""Which column of a name list holds what: tolerant header matching in English and German."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Column(StrEnum):
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FULL_NAME = "full_name"  # only used when there are no first/last name columns
    CLASS_NAME = "class_name"
    EXTERNAL_ID = "external_id"
    ACCESS_CODE = "access_code"
    EMAIL = "email"  # may repeat: Email 1, Email 2, Parent email...
    PHONE = "phone"  # may repeat


REPEATABLE = frozenset({Column.EMAIL, Column.PHONE})

# Canonical headers, as written by the template and the export.
CANONICAL_HEADERS = {
    Column.FIRST_NAME: "First name",
    Column.LAST_NAME: "Last name",
    Column.CLASS_NAME: "Class",
    Column.EXTERNAL_ID: "External ID",
    Column.ACCESS_CODE: "Access code",
    Column.EMAIL: "Email",
    Column.PHONE: "Phone",
}

# Keys are headers after _squash(): accents and everything but letters and digits removed.
_ALIASES: dict[str, Column] = {
    alias: column
    for column, aliases in {
        Column.FIRST_NAME: (
            "firstname first givenname forename vorname rufname prename prenom "
            "studentfirstname pupilfirstname childfirstname schulervorname kindvorname"
        ),
        Column.LAST_NAME: (
            "lastname last surname familyname nachname familienname nom "
            "studentlastname pupillastname childlastname schulernachname kindnachname"
        ),
        Column.FULL_NAME: (
            "name fullname studentname pupilname childname schulername kindname "
            "vollstandigername vorundnachname"
        ),
        Column.CLASS_NAME: (
            "class classname klasse klassenname album albumname group groupname gruppe form "
            "grade homeroom tutorgroup yeargroup stufe klassenstufe jahrgang kurs course section"
        ),
        Column.EXTERNAL_ID: (
            "id externalid externeid studentid pupilid childid subjectid personid idnumber "
            "studentnumber pupilnumber schulerid schulernummer schulernr"
        ),
        Column.ACCESS_CODE: (
            "accesscode code password passwort kennwort zugangscode zugangskennwort accesskey "
            "pin onlinecode gallerycode galleryaccesscode"
        ),
    }.items()
    for alias in aliases.split()
}
# Contact columns are recognised by a word of the header ("Parent email 2", "Telefon Mutter").
_PHONE_WORDS = frozenset("tel telnr fon sms cell handy mobil mobile".split())
_PHONE_PARTS = ("phone", "telefon", "handy", "mobil")


@dataclass(frozen=True)
class ColumnMap:
    """Column index -> field, plus what could not be used (as warnings for line 1)."""

    fields: dict[int, Column]
    unknown: tuple[str, ...]
    duplicates: tuple[str, ...]

    def indexes(self, column: Column) -> list[int]:
        return [index for index, field in self.fields.items() if field == column]

    def has(self, column: Column) -> bool:
        return column in self.fields.values()


def match_header(header: str) -> Column | None:
    """The field a header names, or None when it is not one we know."""
    squashed = _squash(header)
    if not squashed:
        return None
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    without_number = squashed.rstrip("0123456789")
    if without_number in _ALIASES and _ALIASES[without_number] in REPEATABLE:
        return _ALIASES[without_number]
    words = _words(header)
    if any("mail" in word for word in words):
        return Column.EMAIL
    if any(word in _PHONE_WORDS or word.startswith(_PHONE_PARTS) for word in words):
        return Column.PHONE
    if any(word.endswith(_PHONE_PARTS) for word in words):  # "ParentPhone", "Elterntelefon"
        return Column.PHONE
    return None


def map_columns(headers: list[str]) -> ColumnMap:
    """Match every header; a second column for a single-valued field is reported, not used."""
    fields: dict[int, Column] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        column = match_header(header)
        if column is None:
            unknown.append(header.strip())
        elif column not in REPEATABLE and column in fields.values():
            duplicates.append(header.strip())
        else:
            fields[index] = column
    # A "Name" column next to first/last name columns is something else (e.g. a display name).
    if Column.FIRST_NAME in fields.values() or Column.LAST_NAME in fields.values():
        for index, column in list(fields.items()):
            if column == Column.FULL_NAME:
                del fields[index]
                unknown.append(headers[index].strip())
    return ColumnMap(fields, tuple(unknown), tuple(duplicates))


def _squash(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _ascii_fold(header))


def _words(header: str) -> list[str]:
    return re.findall(r"[a-z]+", _ascii_fold(header))


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
