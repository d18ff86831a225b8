"""Name lists, access codes and QR cards over HTTP against the local AWS endpoint."""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests
import zxingcpp
from PIL import Image

from chalicelib import wiring
from chalicelib.domain.access_codes import format_code
from chalicelib.domain.roster import parse_roster
from chalicelib.domain.tags import parse_tag

pytestmark = pytest.mark.integration

YEAR = datetime.now().year
HEADER = "First name,Last name,Class,Email,Access code\n"
ROWS = [
    ("Zoë", "Müller", "3a", "mama.mueller@example.com", ""),
    ("José", "García", "3a", "", "GARCIA3A"),
    ("Łukasz", "Nowak", "4b", "", ""),
    ("Amélie", "Dupont", "4b", "papa@example.fr; mama@example.fr", ""),
]


def call(api_url: str, who: Any, method: str, path: str, body: Any = None, **params: Any):
    return requests.request(
        method, api_url + path, json=body, params=params or None, headers=who.headers, timeout=30
    )


def make_job(api_url: str, who: Any, **settings: Any) -> str:
    body = {
        "name": "St. Mary Primary School",
        "shooting_date": "2026-09-14",
        "job_type": "primary school",
        **settings,
    }
    answer = call(api_url, who, "POST", "/api/jobs", body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["job_id"])


def csv_bytes(rows=ROWS, header=HEADER, encoding="utf-8-sig", delimiter=",") -> bytes:
    lines = [header.replace(",", delimiter)]
    lines += [delimiter.join(row) + "\n" for row in rows]
    return "".join(lines).replace("\n", "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_file(api_url, who, job_id, data: bytes, *, dry_run=False, filename="names.csv"):
    body = {
        "filename": filename,
        "content_base64": base64.b64encode(data).decode(),
        "dry_run": dry_run,
    }
    return call(api_url, who, "POST", f"/api/jobs/{job_id}/subjects/import", body)


def subjects_of(api_url, who, job_id) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = call(api_url, who, "GET", f"/api/jobs/{job_id}/subjects", **params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not page.json()["cursor"]:
            return items
        params["cursor"] = page.json()["cursor"]


def names(subjects) -> list[tuple[str, str, str]]:
    return [(s["class_name"], s["first_name"], s["last_name"]) for s in subjects]


def compact(code: str) -> str:
    return code.replace("-", "")


# -- import ------------------------------------------------------------------------------------


def test_utf8_csv_with_bom_imports_every_row_with_codes_and_tags(api_url, photographer):
    job_id = make_job(api_url, photographer)

    answer = import_file(api_url, photographer, job_id, csv_bytes())

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report == {
        "dry_run": False,
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    subjects = subjects_of(api_url, photographer, job_id)
    # listed by class, then last name with accents folded
    assert names(subjects) == [
        ("3a", "José", "García"),
        ("3a", "Zoë", "Müller"),
        ("4b", "Amélie", "Dupont"),
        ("4b", "Łukasz", "Nowak"),
    ]
    by_name = {s["last_name"]: s for s in subjects}
    assert by_name["García"]["access_code"] == "GARCIA3A"  # the school's own code is kept
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", by_name["Müller"]["access_code"])
    assert by_name["Dupont"]["emails"] == ["papa@example.fr", "mama@example.fr"]
    assert len({s["access_code"] for s in subjects}) == 4
    for s in subjects:
        tag = parse_tag(s["tag"])
        assert tag is not None and (tag.job_id, tag.subject_id) == (job_id, s["subject_id"])
        assert s["spare"] is False


def test_windows_1252_csv_with_accents_and_semicolons(api_url, photographer):
    job_id = make_job(api_url, photographer)
    rows = [("Zoë", "Müller", "3a", "", ""), ("François", "Dœuf", "3b", "", "")]
    data = csv_bytes(rows, encoding="cp1252", delimiter=";")

    answer = import_file(api_url, photographer, job_id, data)

    assert answer.status_code == 200, answer.text
    assert answer.json()["warnings"] == [
        {
            "line": 1,
            "column": "file",
            "message": "the file is not UTF-8; it was read as Windows-1252 (Western European)",
        }
    ]
    assert names(subjects_of(api_url, photographer, job_id)) == [
        ("3a", "Zoë", "Müller"),
        ("3b", "François", "Dœuf"),
    ]


def test_xlsx_imports_numbers_and_german_headers(api_url, photographer):
    job_id = make_job(api_url, photographer)
    data = xlsx_bytes(
        [
            ["Vorname", "Nachname", "Klasse", "Schüler-ID", "Telefon Mutter"],
            ["Mia", "Schröder", "3b", 1017, "0170 1234567"],
            ["Leo", "Schmidt", "4a", 1018, None],
        ]
    )

    answer = import_file(api_url, photographer, job_id, data, filename="klasse.xlsx")

    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 2
    subjects = subjects_of(api_url, photographer, job_id)
    assert names(subjects) == [("3b", "Mia", "Schröder"), ("4a", "Leo", "Schmidt")]
    assert subjects[0]["external_id"] == "1017"
    assert subjects[0]["phones"] == ["+491701234567"]


def test_dry_run_reports_the_same_and_writes_nothing(api_url, photographer):
    job_id = make_job(api_url, photographer)

    answer = import_file(api_url, photographer, job_id, csv_bytes(), dry_run=True)

    assert answer.status_code == 200, answer.text
    assert answer.json()["dry_run"] is True
    assert answer.json()["created"] == 4
    assert subjects_of(api_url, photographer, job_id) == []
    assert wiring.access_codes().find("GARCIA3A") is None


def test_bad_rows_are_422_with_line_numbers_and_nothing_is_written(api_url, photographer):
    job_id = make_job(api_url, photographer)
    rows = [
        ("Anna", "Adler", "3a", "", "ADLER3A"),  # line 2: fine, but must not be stored
        ("Ben", "Berg", "3a", "not-an-email", ""),  # line 3
        ("Carla", "Chen", "3a", "", ""),
        ("", "", "3a", "", ""),  # line 5: a row with a class but no name
        ("Dora", "Dahl", "3a", "", "ADLER3A"),  # line 6: same code as line 2
    ]

    answer = import_file(api_url, photographer, job_id, csv_bytes(rows))

    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "roster_rejected"
    assert "nothing was stored" in body["message"]
    assert [(e["line"], e["column"]) for e in body["errors"]] == [
        (3, "email"),
        (5, "first_name"),
        (6, "access_code"),
    ]
    assert "not a valid e-mail address" in body["errors"][0]["message"]
    assert "already used on line 2" in body["errors"][2]["message"]
    assert subjects_of(api_url, photographer, job_id) == []
    assert wiring.access_codes().find("ADLER3A") is None


def test_a_code_of_another_studio_is_a_row_error_with_a_suggestion(
    api_url, photographer, other_photographer
):
    # Given another studio's job holds the code SUNNY42
    theirs = make_job(api_url, other_photographer)
    taken = import_file(
        api_url, other_photographer, theirs, csv_bytes([("Kai", "Kurz", "1a", "", "sunny42")])
    )
    assert taken.status_code == 200, taken.text
    # When this studio imports a list using it
    job_id = make_job(api_url, photographer)
    rows = [("Anna", "Adler", "3a", "", "ANNA2026X"), ("Ben", "Berg", "3a", "", "Sunny-42")]
    answer = import_file(api_url, photographer, job_id, csv_bytes(rows))
    # Then the row is refused with a modified code to use, and nothing is stored
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert (error["line"], error["column"]) == (3, "access_code")
    assert error["message"] == (
        f"access code SUNNY42 is already used by another job; use e.g. SUNNY42{YEAR}"
    )
    assert other_photographer.studio_id not in answer.text and theirs not in answer.text
    assert subjects_of(api_url, photographer, job_id) == []
    assert wiring.access_codes().find("ANNA2026X") is None
    # and the suggestion works
    fixed = [("Anna", "Adler", "3a", "", "ANNA2026X"), ("Ben", "Berg", "3a", "", f"SUNNY42{YEAR}")]
    assert import_file(api_url, photographer, job_id, csv_bytes(fixed)).status_code == 200


def test_imported_codes_are_found_with_one_get_item(api_url, photographer, monkeypatch):
    from pynamodb.connection.base import Connection

    job_id = make_job(api_url, photographer)
    import_file(api_url, photographer, job_id, csv_bytes())
    garcia = next(
        s for s in subjects_of(api_url, photographer, job_id) if s["last_name"] == "García"
    )
    calls: list[str] = []
    dispatch = Connection.dispatch

    def counting(self, operation_name, operation_kwargs):
        calls.append(operation_name)
        return dispatch(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", counting)

    claim = wiring.access_codes().find("GARCIA3A")

    assert calls == ["GetItem"]
    assert claim is not None and claim.active
    assert (claim.studio_id, claim.job_id, claim.subject_id) == (
        photographer.studio_id,
        job_id,
        garcia["subject_id"],
    )
    assert wiring.access_codes().find("NOSUCHCODE") is None


def test_oversize_and_malformed_uploads(api_url, photographer, monkeypatch):
    job_id = make_job(api_url, photographer)
    path = f"/api/jobs/{job_id}/subjects/import"
    huge = base64.b64encode(b"x" * (10 * 1024 * 1024 + 10)).decode()
    too_big = call(api_url, photographer, "POST", path, {"content_base64": huge})
    assert too_big.status_code == 413, too_big.text
    assert "10 MB" in too_big.json()["message"]
    bad = call(api_url, photographer, "POST", path, {"content_base64": "%%%", "dry_run": "yes"})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"content_base64", "dry_run"}
    from chalicelib.services import subjects

    monkeypatch.setattr(subjects, "MAX_IMPORT_ROWS", 3)
    too_many = import_file(api_url, photographer, job_id, csv_bytes())
    assert too_many.status_code == 413
    assert "at most 3 at a time" in too_many.json()["message"]
    old_excel = import_file(api_url, photographer, job_id, b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    assert old_excel.status_code == 422
    assert old_excel.json()["errors"][0]["message"].startswith("old Excel files (.xls)")


# -- tenancy -----------------------------------------------------------------------------------


def test_another_studio_gets_404_for_everything(api_url, photographer, other_photographer):
    job_id = make_job(api_url, photographer)
    import_file(api_url, photographer, job_id, csv_bytes())
    subject_id = subjects_of(api_url, photographer, job_id)[0]["subject_id"]
    data = base64.b64encode(csv_bytes()).decode()
    base = f"/api/jobs/{job_id}"
    for method, path, body in [
        ("GET", f"{base}/subjects", None),
        ("POST", f"{base}/subjects/import", {"content_base64": data, "dry_run": True}),
        ("POST", f"{base}/subjects/blank", {"spares": 2}),
        ("PATCH", f"{base}/subjects/{subject_id}", {"first_name": "Eve"}),
        ("GET", f"{base}/subjects/export", None),
        ("POST", f"{base}/cards", {}),
        ("POST", f"{base}/contact-sheets", {}),
    ]:
        answer = call(api_url, other_photographer, method, path, body)
        assert answer.status_code == 404, (path, answer.text)
        assert "Müller" not in answer.text and "GARCIA" not in answer.text
    # and nothing changed for the owner
    subjects = subjects_of(api_url, photographer, job_id)
    assert len(subjects) == 4 and "Eve" not in {s["first_name"] for s in subjects}
    # a subject id of another job is not found either
    mine = make_job(api_url, other_photographer)
    stolen = call(
        api_url,
        other_photographer,
        "PATCH",
        f"/api/jobs/{mine}/subjects/{subject_id}",
        {"first_name": "Eve"},
    )
    assert stolen.status_code == 404


# -- export, template --------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_round_trips_through_import(api_url, photographer, file_format):
    job_id = make_job(api_url, photographer, internal_name="2026-stmary")
    import_file(api_url, photographer, job_id, csv_bytes())
    before = subjects_of(api_url, photographer, job_id)

    exported = call(
        api_url, photographer, "GET", f"/api/jobs/{job_id}/subjects/export", format=file_format
    )

    assert exported.status_code == 200, exported.text
    file = exported.json()
    assert file["filename"] == f"2026-stmary-names.{file_format}"
    data = base64.b64decode(file["content_base64"])
    parsed = parse_roster(data)
    assert parsed.ok and parsed.warnings == ()
    assert [(r.class_name, r.first_name, r.last_name) for r in parsed.rows] == names(before)
    assert [format_code(r.access_code or "") for r in parsed.rows] == [
        s["access_code"] for s in before
    ]
    # importing the export again changes nothing ...
    again = import_file(api_url, photographer, job_id, data, filename=file["filename"])
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 4)
    assert subjects_of(api_url, photographer, job_id) == before
    # ... and an edited export updates the subjects it names, keeping codes and tags
    if file_format == "csv":
        text = data.decode("utf-8-sig").replace("mama.mueller@example.com", "zoe@example.com")
        edited = import_file(api_url, photographer, job_id, text.encode("utf-8-sig"))
        assert (edited.json()["updated"], edited.json()["unchanged"]) == (1, 3)
        after = {s["subject_id"]: s for s in subjects_of(api_url, photographer, job_id)}
        zoe = next(s for s in before if s["first_name"] == "Zoë")
        assert after[zoe["subject_id"]]["emails"] == ["zoe@example.com"]
        assert after[zoe["subject_id"]]["access_code"] == zoe["access_code"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_template_reads_back_as_a_names_list(api_url, photographer, file_format):
    answer = call(api_url, photographer, "GET", "/api/subjects/template", format=file_format)
    assert answer.status_code == 200
    parsed = parse_roster(base64.b64decode(answer.json()["content_base64"]))
    assert parsed.ok and [r.first_name for r in parsed.rows] == ["Zoë"]
    bad = call(api_url, photographer, "GET", "/api/subjects/template", format="pdf")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "format"


# -- deleting a job retires its codes ----------------------------------------------------------


def test_deleting_a_job_retires_its_codes_for_good(api_url, photographer, other_photographer):
    # Given a job whose list has the school's code ABC123 and generated codes
    job_id = make_job(api_url, photographer, internal_name="first")
    rows = [("Anna", "Adler", "3a", "", "abc123"), ("Ben", "Berg", "3a", "", "")]
    import_file(api_url, photographer, job_id, csv_bytes(rows))
    generated = compact(subjects_of(api_url, photographer, job_id)[1]["access_code"])
    # When the job is deleted
    assert call(api_url, photographer, "DELETE", f"/api/jobs/{job_id}").status_code == 200
    # Then its subjects are gone and its codes are retired, not released
    assert call(api_url, photographer, "GET", f"/api/jobs/{job_id}/subjects").status_code == 404
    assert wiring.subjects().all_in_job(job_id) == []
    for code in ("ABC123", generated):
        claim = wiring.access_codes().find(code)
        assert claim is not None and claim.state == "retired" and claim.retired_at is not None
    # and no job, of this studio or another, can ever claim them again
    new_jobs = {}
    for who in (photographer, other_photographer):
        new_job = new_jobs[who.email] = make_job(api_url, who, internal_name="second")
        again = import_file(api_url, who, new_job, csv_bytes(rows[:1]))
        assert again.status_code == 422
        (error,) = again.json()["errors"]
        assert error["message"] == (
            "access code ABC123 is retired (its job was deleted) and can never be used again; "
            f"use e.g. ABC123{YEAR}"
        )
        assert subjects_of(api_url, who, new_job) == []
    # the seed-004 workaround: the modified code is accepted
    fixed = [("Anna", "Adler", "3a", "", f"ABC123{YEAR}")]
    mine = new_jobs[photographer.email]
    assert import_file(api_url, photographer, mine, csv_bytes(fixed)).status_code == 200


# -- shared access, blank subjects, spares -----------------------------------------------------


def test_shared_access_gives_everyone_one_code(api_url, photographer):
    job_id = make_job(api_url, photographer, access_type="shared", people_expected=3)
    assert import_file(api_url, photographer, job_id, csv_bytes()).status_code == 422  # GARCIA3A
    plain = [(first, last, cls, mail, "") for first, last, cls, mail, _ in ROWS]
    assert import_file(api_url, photographer, job_id, csv_bytes(plain)).status_code == 200
    blank = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/subjects/blank", {"spares": 2})
    assert blank.status_code == 201, blank.text

    subjects = subjects_of(api_url, photographer, job_id)

    assert len(subjects) == 6
    codes = {s["access_code"] for s in subjects}
    assert len(codes) == 1
    claim = wiring.access_codes().find(compact(codes.pop()))
    assert claim is not None and claim.job_id == job_id and claim.subject_id is None
    assert len({s["tag"] for s in subjects}) == 6  # tags still tell the people apart
    # the export imports back into the shared job unchanged
    exported = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/subjects/export").json()
    again = import_file(api_url, photographer, job_id, base64.b64decode(exported["content_base64"]))
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 6)


def test_blank_subjects_and_spares_and_filling_one_in(api_url, photographer):
    job_id = make_job(api_url, photographer, people_expected=3)
    path = f"/api/jobs/{job_id}/subjects/blank"
    first = call(api_url, photographer, "POST", path, {"spares": 2, "class_name": "3b"})
    assert first.status_code == 201, first.text
    assert first.json()["created"] == 5
    more = call(api_url, photographer, "POST", path, {"spares": 2, "class_name": "3b"})
    assert more.json()["created"] == 2  # the list exists: only spares are added
    subjects = subjects_of(api_url, photographer, job_id)
    assert [s["last_name"] for s in subjects] == [str(n) for n in range(1, 8)]
    assert all(s["first_name"] == "Spare" and s["spare"] for s in subjects)
    assert len({s["access_code"] for s in subjects}) == 7
    # When the photographer writes a name on spare 3
    spare = subjects[2]
    filled = call(
        api_url,
        photographer,
        "PATCH",
        f"/api/jobs/{job_id}/subjects/{spare['subject_id']}",
        {"first_name": "Mia", "last_name": "Weber", "emails": ["mia@example.com"]},
    )
    assert filled.status_code == 200, filled.text
    mia = filled.json()
    assert (mia["first_name"], mia["spare"], mia["emails"]) == ("Mia", False, ["mia@example.com"])
    assert (mia["access_code"], mia["tag"]) == (spare["access_code"], spare["tag"])
    listed = subjects_of(api_url, photographer, job_id)
    assert listed[0]["last_name"] == "Weber"  # named subjects before spares in their class
    # bad changes name the field
    bad = call(
        api_url,
        photographer,
        "PATCH",
        f"/api/jobs/{job_id}/subjects/{spare['subject_id']}",
        {"phones": ["12"], "access_code": "X"},
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"phones", "access_code"}
    nothing = call(api_url, photographer, "POST", path, {"spares": 0})
    assert nothing.status_code == 400
    missing = call(api_url, photographer, "PATCH", f"/api/jobs/{job_id}/subjects/NOPE", {})
    assert missing.status_code == 400  # nothing to change is checked first


# -- printable documents -----------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils not installed",
)
DPI = 200


def download(url: str) -> bytes:
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.content


def render_page_one(pdf: bytes, folder: Path) -> Image.Image:
    (folder / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "doc.pdf", "page"],
        cwd=folder,
        check=True,
    )
    (page,) = sorted(folder.glob("page-*.png"))
    return Image.open(page)


def words_with_boxes(folder: Path) -> list[tuple[str, float, float, float, float]]:
    """Words on page 1 with their boxes in points, origin top left (pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "doc.pdf", "-"],
        cwd=folder,
        check=True,
        capture_output=True,
    ).stdout.decode()
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [
        (text, float(a), float(b), float(c), float(d))
        for a, b, c, d, text in re.findall(pattern, html)
    ]


def card_regions(slot: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(face, stub) of a card slot as (left, top, right, bottom) in points from the top left."""
    from reportlab.lib.pagesizes import A4

    from chalicelib.documents.cards import CELL_HEIGHT, FACE_WIDTH, STUB_HEIGHT, _cell_origin

    x, y = _cell_origin(slot)
    height = A4[1]
    face = (x, height - (y + CELL_HEIGHT), x + FACE_WIDTH, height - (y + STUB_HEIGHT))
    stub = (x, height - (y + STUB_HEIGHT), x + FACE_WIDTH, height - y)
    return face, stub


def crop(page: Image.Image, region: tuple[float, ...]) -> Image.Image:
    return page.crop(tuple(round(v * DPI / 72) for v in region))


def inside(box: tuple[float, ...], region: tuple[float, ...]) -> bool:
    left, top, right, bottom = box
    return region[0] <= left and right <= region[2] and region[1] <= top and bottom <= region[3]


@needs_poppler
def test_cards_pdf_tags_decode_and_the_code_stays_off_the_face(api_url, photographer, tmp_path):
    # Given a names list of four and two spares
    job_id = make_job(api_url, photographer, people_expected=4)
    import_file(api_url, photographer, job_id, csv_bytes())
    call(api_url, photographer, "POST", f"/api/jobs/{job_id}/subjects/blank", {"spares": 2})
    subjects = subjects_of(api_url, photographer, job_id)  # class, then name: the card order
    # When the cards are rendered
    before = datetime.now().astimezone()
    answer = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/cards")
    # Then a short-lived link to one A4 page of six cards comes back
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert (document["pages"], document["cards"]) == (1, 6)
    expires = datetime.fromisoformat(document["expires_at"])
    assert before < expires <= before + timedelta(minutes=15, seconds=5)
    assert "/derived/" in document["url"] and "X-Amz-Expires=600" in document["url"]
    pdf = download(document["url"])
    assert pdf.startswith(b"%PDF")
    page = render_page_one(pdf, tmp_path)
    page.save(tmp_path / "cards-page-1.png")
    words = words_with_boxes(tmp_path)
    # each face holds exactly its subject's tag; each stub the shop link with the code
    shop = wiring.document_renderer()._shop_url  # the URL printed on the stubs
    for slot, subject in enumerate(subjects):
        face, stub = card_regions(slot)
        on_face = [r.text for r in zxingcpp.read_barcodes(crop(page, face))]
        on_stub = [r.text for r in zxingcpp.read_barcodes(crop(page, stub))]
        assert on_face == [subject["tag"]], (slot, on_face)
        assert on_stub == [f"{shop.rstrip('/')}/?code={subject['access_code']}"]
        # the secret is printed on the stub only, never on the photographed face
        code_words = [w for w in words if subject["access_code"] in w[0]]
        assert code_words, subject["access_code"]
        assert all(inside(w[1:], stub) and not inside(w[1:], face) for w in code_words)
        assert not any(subject["access_code"] in text for text in on_face)
    assert sorted(parse_tag(s["tag"]).subject_id for s in subjects) == sorted(
        s["subject_id"] for s in subjects
    )


@needs_poppler
def test_contact_sheets_without_galleries_list_every_name_and_code(api_url, photographer, tmp_path):
    job_id = make_job(api_url, photographer)
    import_file(api_url, photographer, job_id, csv_bytes())

    answer = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/contact-sheets")

    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert (document["pages"], document["subjects"]) == (2, 4)  # one page per class
    (tmp_path / "sheets.pdf").write_bytes(download(document["url"]))
    text = subprocess.run(
        ["pdftotext", "-layout", "sheets.pdf", "-"], cwd=tmp_path, check=True, capture_output=True
    ).stdout.decode()
    for subject in subjects_of(api_url, photographer, job_id):
        assert subject["access_code"] in text
        assert subject["last_name"] in text
    assert text.count("no photo") == 4  # galleries are not built yet: placeholders


def test_documents_of_one_class_and_of_an_empty_job(api_url, photographer):
    job_id = make_job(api_url, photographer)
    empty = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/cards")
    assert empty.status_code == 409
    assert "import a names list" in empty.json()["message"]
    import_file(api_url, photographer, job_id, csv_bytes())
    one_class = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/cards", {"class_name": "4b"}
    )
    assert one_class.status_code == 200, one_class.text
    assert one_class.json()["cards"] == 2
    unknown = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/cards", {"class_name": "9z"})
    assert unknown.status_code == 409


def test_too_many_subjects_for_one_document(api_url, photographer, monkeypatch):
    from chalicelib.services import documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_SUBJECTS", 3)
    job_id = make_job(api_url, photographer)
    import_file(api_url, photographer, job_id, csv_bytes())
    answer = call(api_url, photographer, "POST", f"/api/jobs/{job_id}/cards")
    assert answer.status_code == 413
    assert "class_name" in answer.json()["message"]


def test_export_is_csv_with_bom_for_excel(api_url, photographer):
    job_id = make_job(api_url, photographer)
    import_file(api_url, photographer, job_id, csv_bytes())
    file = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/subjects/export").json()
    data = base64.b64decode(file["content_base64"])
    assert data.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:5] == ["First name", "Last name", "Class", "External ID", "Access code"]


# -- demo data ---------------------------------------------------------------------------------


def test_demo_job_has_a_names_list_in_two_classes(stage):
    from chalicelib.local.seed import demo_subject_tags, demo_subjects, seed_demo

    demo = seed_demo(stage.environment["COGNITO_USER_POOL_ID"])

    subjects = demo_subjects(demo.job_id)
    assert len(subjects) == 12
    assert {s.class_name for s in subjects} == {"3b", "4a"}
    assert [s.class_name for s in subjects] == sorted(s.class_name for s in subjects)
    tags = demo_subject_tags(demo.job_id)
    assert [parse_tag(tag).subject_id for tag in tags] == [s.subject_id for s in subjects]
    claim = wiring.access_codes().find("DEMO3B01")
    assert claim is not None and claim.job_id == demo.job_id
