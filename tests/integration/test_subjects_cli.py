"""``photojobs subjects ...``, ``photojobs cards`` and ``photojobs contact-sheets`` against the
local stack (the real API over HTTP, PDFs downloaded from the signed S3 links)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.cli.main import main
from chalicelib.domain.roster import parse_roster
from tests.integration.test_subjects_api import ROWS, csv_bytes, make_job, subjects_of

pytestmark = pytest.mark.integration


@pytest.fixture()
def cli(api_url, photographer, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOJOBS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PHOTOJOBS_PASSWORD", photographer.password)
    assert main(["--api", api_url, "login", "--email", photographer.email]) == 0

    def run(*argv: str) -> int:
        return main(["--api", api_url, *argv])

    return run


def test_import_dry_run_prints_errors_by_line_and_exits_1(
    cli, api_url, photographer, tmp_path, capsys
):
    job_id = make_job(api_url, photographer)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes([*ROWS[:1], ("Ben", "Berg", "3a", "nope", ""), ("", "", "3a", "", "")])
    )
    capsys.readouterr()

    assert cli("subjects", "import", job_id, str(bad), "--dry-run") == 1

    err = capsys.readouterr().err
    assert "bad.csv: the names list has 2 problems; nothing was stored" in err
    assert "line 3, email: column 'Email': 'nope' is not a valid e-mail address" in err
    assert "line 4, first_name: first name and last name are both empty" in err


def test_import_dry_run_then_import(cli, api_url, photographer, tmp_path, capsys):
    job_id = make_job(api_url, photographer)
    good = tmp_path / "names.csv"
    good.write_bytes(csv_bytes())
    capsys.readouterr()

    assert cli("subjects", "import", job_id, str(good), "--dry-run") == 0
    assert "4 rows would be imported (dry run, nothing stored): 4 new" in capsys.readouterr().out
    assert subjects_of(api_url, photographer, job_id) == []

    assert cli("subjects", "import", job_id, str(good)) == 0
    assert "4 rows imported: 4 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert len(subjects_of(api_url, photographer, job_id)) == 4


def test_cards_contact_sheets_export_and_template_files(cli, api_url, photographer, tmp_path):
    job_id = make_job(api_url, photographer, internal_name="2026-stmary")
    names = tmp_path / "names.csv"
    names.write_bytes(csv_bytes())
    assert cli("subjects", "import", job_id, str(names)) == 0
    assert cli("subjects", "blank", job_id, "--spares", "2") == 0

    cards = tmp_path / "cards.pdf"
    assert cli("cards", job_id, "-o", str(cards)) == 0
    assert cards.read_bytes().startswith(b"%PDF")
    sheets = tmp_path / "sheets.pdf"
    assert cli("contact-sheets", job_id, "-o", str(sheets), "--class", "3a") == 0
    assert sheets.read_bytes().startswith(b"%PDF")

    exported = tmp_path / "export.xlsx"
    assert cli("subjects", "export", job_id, "--format", "xlsx", "-o", str(exported)) == 0
    rows = parse_roster(exported.read_bytes()).rows
    assert len(rows) == 6 and all(row.access_code for row in rows)

    template = tmp_path / "template.csv"
    assert cli("subjects", "template", "-o", str(template)) == 0
    assert parse_roster(template.read_bytes()).ok


def test_cards_of_an_unknown_job_fail_cleanly(cli, tmp_path, capsys):
    assert cli("cards", "NOSUCHJOB000", "-o", str(tmp_path / "x.pdf")) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert not Path(tmp_path / "x.pdf").exists()
