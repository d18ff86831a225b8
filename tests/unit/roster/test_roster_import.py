import io
import unicodedata

import openpyxl
import pytest

from chalicelib.domain.access_codes import new_access_code, normalize_code
from chalicelib.domain.roster import RowError, blank_subjects, parse_roster

NAMES = [("Zoë", "Müller"), ("José", "García"), ("Łukasz", "Nowak")]


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def names(result) -> list[tuple[str, str]]:
    return [(row.first_name, row.last_name) for row in result.rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_csv_keeps_accents(encoding):
    text = "First name,Last name,Class\n" + "".join(f"{first},{last},3a\n" for first, last in NAMES)

    result = parse_roster(csv_bytes(text, encoding))

    assert result.ok, result.errors
    assert names(result) == NAMES
    assert result.warnings == ()


def test_windows_1252_csv_is_detected_and_read():
    text = "Vorname;Nachname;Klasse\nZoë;Müller;3a\nJosé;García;3b\nFrançois;Dœuf;3b\n"

    result = parse_roster(csv_bytes(text, "cp1252"))

    assert result.ok
    assert names(result) == [("Zoë", "Müller"), ("José", "García"), ("François", "Dœuf")]
    assert [w.message for w in result.warnings] == [
        "the file is not UTF-8; it was read as Windows-1252 (Western European)"
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed(delimiter):
    rows = [["First name", "Last name", "Class", "Email"], ["Anna", "Schmidt", "4b", "a@x.de"]]
    text = "\n".join(delimiter.join(row) for row in rows)

    result = parse_roster(csv_bytes(text))

    assert result.rows[0].class_name == "4b"
    assert result.rows[0].emails == ("a@x.de",)


def test_decomposed_accents_from_a_mac_are_composed():
    decomposed = unicodedata.normalize("NFD", "Zoë")

    result = parse_roster(csv_bytes(f"First name,Last name\n{decomposed},Muller\n"))

    assert result.rows[0].first_name == "Zoë"


def test_a_full_roster_row_is_parsed():
    text = (
        "Vorname,Nachname,Klasse,Schüler-ID,E-Mail 1,E-Mail 2,Telefon,Passwort,Hobby\n"
        '  Anna  Maria ,Schmidt,4b,17,"a@x.de; b@y.de",A@X.de,'
        '"0170 1234567, +43 664 1234567",abc-123,Chess\n'
    )

    result = parse_roster(csv_bytes(text), default_country_code="+49")

    assert result.ok
    row = result.rows[0]
    assert (row.line, row.first_name, row.last_name, row.class_name) == (
        2,
        "Anna Maria",
        "Schmidt",
        "4b",
    )
    assert row.external_id == "17"
    assert row.emails == ("a@x.de", "b@y.de")  # the repeated address is kept once
    assert row.phones == ("+491701234567", "+436641234567")
    assert row.access_code == "ABC123"
    assert [w.message for w in result.warnings] == ["column 'Hobby' is not used"]


def test_a_full_name_column_is_split():
    text = 'Name,Class\n"Müller, Anna",3a\nJosé María García,3a\nCher,3a\n'

    result = parse_roster(csv_bytes(text))

    assert names(result) == [("Anna", "Müller"), ("José María", "García"), ("", "Cher")]


def test_errors_carry_the_spreadsheet_line_number():
    text = (
        "First name,Last name,Email,Phone,Student ID,Access code\n"  # line 1
        "Anna,Schmidt,anna@x.de,0170 1234567,1,abcd2026\n"  # 2
        "\n"  # 3: blank, skipped but counted
        ",,x@y.de,,,\n"  # 4: no name
        "Ben,Braun,ben@,,2,\n"  # 5: bad email
        "Carl,Cohn,,12,3,\n"  # 6: bad phone
        "Dora,Dorn,,,1,\n"  # 7: duplicate id
        "Emil,Ernst,,,5,ABCD-2026\n"  # 8: duplicate code
        "Fritz,Frei,,,6,ab!\n"  # 9: invalid code
    )

    result = parse_roster(csv_bytes(text))

    assert not result.ok
    assert [(e.line, e.field) for e in result.errors] == [
        (4, "first_name"),
        (5, "email"),
        (6, "phone"),
        (7, "external_id"),
        (8, "access_code"),
        (9, "access_code"),
    ]
    assert "already used on line 2" in result.errors[3].message
    assert "ABCD2026 is already used on line 2" in result.errors[4].message
    assert [row.line for row in result.rows] == [2]  # shown in a preview, stored only when ok


def test_a_used_code_is_reported_with_a_suggested_replacement():
    used = {"ABC123": "retired", "ABC1232026": "taken by another job"}

    result = parse_roster(
        csv_bytes("First name,Last name,Code\nAnna,Schmidt,abc123\nBen,Braun,xyz789\n"),
        code_taken=used.get,
        year=2026,
    )

    assert result.errors == (
        RowError(2, "access_code", "access code ABC123 is retired; use e.g. ABC1232026A"),
    )


def test_generated_codes_in_the_file_are_kept():
    code = new_access_code()

    result = parse_roster(
        csv_bytes(f"First name,Last name,Access code\nAnna,Schmidt,{code.lower()}\n")
    )

    assert result.rows[0].access_code == normalize_code(code)


def test_a_file_without_name_columns_is_rejected_at_line_1():
    result = parse_roster(csv_bytes("Hobby,Shoe size\nChess,38\n"))

    assert [(e.line, e.field) for e in result.errors] == [(1, "header")]
    assert result.rows == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (b"\xd0\xcf\x11\xe0rest", "old Excel files (.xls) are not supported; save as .xlsx or CSV"),
        (b"PK\x03\x04garbage", "the Excel file cannot be read (is it an .xlsx file?)"),
    ],
)
def test_unreadable_files_are_one_error(data, message):
    result = parse_roster(data)

    assert result.errors == (RowError(1, "file", message),)


def test_same_name_in_the_same_class_is_a_warning():
    result = parse_roster(
        csv_bytes("First name,Last name,Class\nAnna,Schmidt,3a\nanna,schmidt,3a\n")
    )

    assert result.ok
    assert [(w.line, w.message) for w in result.warnings] == [(3, "same name and class as line 2")]


def test_xlsx_rows_keep_line_numbers_and_numbers_read_as_text():
    rows = [
        ["Vorname", "Nachname", "Klasse", "ID", "Handy"],
        ["Zoë", "Müller", 5, 1001, 1701234567],
        [None, None, None, None, None],
        ["Łukasz", "Nowak", "5", 1002.0, "bad phone"],
    ]

    result = parse_roster(xlsx_bytes(rows))

    assert result.rows[0].class_name == "5"
    assert result.rows[0].external_id == "1001"
    assert result.rows[0].phones == ("+491701234567",)
    assert [(e.line, e.field) for e in result.errors] == [(4, "phone")]


def test_blank_subjects_are_numbered_placeholders():
    spares = blank_subjects(3, spares=2, class_name="3a")

    assert [row.display_name for row in spares] == [f"Spare {n}" for n in range(1, 6)]
    assert all(row.placeholder and row.class_name == "3a" for row in spares)
    assert blank_subjects(0) == []
    with pytest.raises(ValueError):
        blank_subjects(-1)
