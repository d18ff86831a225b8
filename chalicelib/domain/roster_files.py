"""Spreadsheet bytes <-> rows of text cells, for CSV and XLSX name lists.

Reading keeps the spreadsheet's row numbers (header = line 1, blank rows counted) so that every
error can point at the line a person sees in Excel. Writing guards against formula injection.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_DELIMITERS = (",", ";", "\t")
# A cell starting with one of these is a formula to Excel; written cells get a "'" in front
# (the usual defence), and read cells lose it again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RosterFileError(ValueError):
    """The file cannot be read as a name list at all."""


@dataclass(frozen=True)
class Sheet:
    rows: list[tuple[int, list[str]]]  # (line number, cells), blank lines left out
    notes: list[str]  # things worth a warning, e.g. the encoding we fell back to


def read_sheet(data: bytes) -> Sheet:
    """The text cells of the first worksheet of an XLSX file, or of a CSV file."""
    if len(data) > MAX_BYTES:
        raise RosterFileError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(_XLS_MAGIC):
        raise RosterFileError("old Excel files (.xls) are not supported; save as .xlsx or CSV")
    return _read_csv(data)


def write_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 with a byte order mark (so that Excel shows accents right), comma-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_escape_formula(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(rows: Sequence[Sequence[str]], title: str = "Names") -> bytes:
    """One worksheet; every cell is text, never a formula, whatever it starts with."""
    from openpyxl import Workbook  # heavy import, only when a sheet is written

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    for row_index, row in enumerate(rows, start=1):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index, value=value)
            cell.data_type = "s"
    for column_cells in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column_cells)
        letter = column_cells[0].column_letter
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 40)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read_csv(data: bytes) -> Sheet:
    text, notes = _decode(data)
    delimiter = _sniff_delimiter(text)
    rows: list[tuple[int, list[str]]] = []
    try:
        for line, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1
        ):
            if line > MAX_ROWS + 1:
                raise RosterFileError(f"the file has more than {MAX_ROWS} rows")
            cleaned = [_unescape_formula(cell) for cell in cells]
            if any(cell.strip() for cell in cleaned):
                rows.append((line, cleaned))
    except csv.Error as exc:
        raise RosterFileError(f"the CSV file cannot be read: {exc}") from exc
    return Sheet(rows, notes)


def _decode(data: bytes) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: Latin-1 reads anything.
        text = data.decode("latin-1")
    return text, ["the file is not UTF-8; it was read as Windows-1252 (Western European)"]


def _sniff_delimiter(text: str) -> str:
    # The delimiter that splits the header row into the most fields; ties go to the comma.
    # csv.Sniffer guesses wrong on short files, and a header never needs quoting.
    header = next((line for line in text.splitlines() if line.strip()), "")
    best, best_count = ",", 1
    for delimiter in _DELIMITERS:
        fields = next(csv.reader([header], delimiter=delimiter), [])
        if len(fields) > best_count:
            best, best_count = delimiter, len(fields)
    return best


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterFileError("the Excel file cannot be read (is it an .xlsx file?)") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > MAX_ROWS + 1:
                raise RosterFileError(f"the file has more than {MAX_ROWS} rows")
            cells = [_unescape_formula(_cell_text(value)) for value in values]
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
    finally:
        workbook.close()
    return Sheet(rows, [])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ids and phone numbers stored as numbers
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _escape_formula(cell: str) -> str:
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell


def _unescape_formula(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell
