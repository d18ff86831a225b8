import csv
import io
from dataclasses import replace

import openpyxl
import pytest

from chalicelib.domain.access_codes import new_access_code, normalize_code
from chalicelib.domain.roster import (
    RosterRow,
    export_csv,
    export_xlsx,
    parse_roster,
    template_csv,
    template_xlsx,
)

SUBJECTS = [
    RosterRow(
        0,
        "Zoë",
        "Müller",
        "3a",
        "17",
        ("a@x.de", "b@y.de", "c@z.de"),
        ("+491701234567",),
        normalize_code(new_access_code()),
    ),
    RosterRow(
        0, "Łukasz", "Nowak", "3a", None, (), ("+12025550123", "+436641234567"), "ABC1232026"
    ),
    RosterRow(0, '=HYPERLINK("x")', "-Minus", "@b", "+1", (), (), None),
]


def without_lines(rows):
    return [replace(row, line=0) for row in rows]


@pytest.mark.parametrize("export", [export_csv, export_xlsx])
def test_export_round_trips_through_the_parser(export):
    result = parse_roster(export(SUBJECTS), default_country_code="+49")

    assert result.ok, result.errors
    assert result.warnings == ()
    assert without_lines(result.rows) == SUBJECTS
    assert [row.line for row in result.rows] == [2, 3, 4]


def test_csv_export_has_canonical_headers_and_display_codes():
    text = export_csv(SUBJECTS).decode("utf-8-sig")
    header, first, *_ = list(csv.reader(io.StringIO(text)))

    assert header == [
        "First name",
        "Last name",
        "Class",
        "External ID",
        "Access code",
        "Email 1",
        "Email 2",
        "Email 3",
        "Phone 1",
        "Phone 2",
    ]
    code = SUBJECTS[0].access_code
    assert first[4] == f"{code[:4]}-{code[4:8]}-{code[8:]}"


def test_csv_export_defuses_formulas():
    rows = list(csv.reader(io.StringIO(export_csv(SUBJECTS).decode("utf-8-sig"))))

    assert rows[3][:4] == ['\'=HYPERLINK("x")', "'-Minus", "'@b", "'+1"]
    assert rows[1][8] == "'+491701234567"


def test_xlsx_export_writes_text_cells_never_formulas():
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(SUBJECTS))).active

    assert sheet["A4"].value == '=HYPERLINK("x")'
    assert sheet["A4"].data_type == "s"


@pytest.mark.parametrize("template", [template_csv, template_xlsx])
def test_templates_parse_to_one_example_row(template):
    result = parse_roster(template())

    assert result.ok and result.warnings == ()
    assert [(r.first_name, r.last_name, r.class_name) for r in result.rows] == [
        ("Zoë", "Müller", "3a")
    ]
    assert result.rows[0].access_code is None
