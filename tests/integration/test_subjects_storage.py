"""The all-or-nothing import against DynamoDB (moto): imports larger than one transaction,
codes claimed meanwhile, generated-code collisions, concurrent changes and crashed writers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.models import (
    AccessCodeItem,
    SubjectImportItem,
    SubjectItem,
    TableItem,
)
from chalicelib.adapters.dynamo.subjects_repository import STALE_IMPORT, ImportPlan
from chalicelib.domain.access_codes import code_key, new_access_code
from chalicelib.domain.ids import new_id
from chalicelib.domain.principal import utc_now
from chalicelib.domain.subjects import Subject
from chalicelib.errors import AccessCodeTaken, ConcurrentUpdate

pytestmark = pytest.mark.integration

STUDIO = "STUDIO000001"


def subject(job_id: str, n: int, code: str | None = None) -> Subject:
    now = utc_now()
    return Subject(
        job_id=job_id,
        studio_id=STUDIO,
        subject_id=new_id(),
        first_name=f"Kid{n}",
        last_name="Test",
        class_name="1a",
        access_code=code or f"CODE{n:04d}X",
        created_at=now,
        updated_at=now,
    )


def plan(job_id: str, created: list[Subject], **extra: Any) -> ImportPlan:
    import_id = new_id()
    return ImportPlan(
        job_id=job_id,
        studio_id=STUDIO,
        import_id=import_id,
        created=[replace(s, import_id=import_id) for s in created],
        **extra,
    )


def journals(job_id: str) -> list[Any]:
    return list(TableItem.query(keys.job_pk(job_id), TableItem.sk.startswith(keys.IMPORT_PREFIX)))


def no_code() -> str:
    raise AssertionError("no code should be generated")


def test_a_late_chunk_failing_undoes_the_earlier_chunks(stage):
    # Given another job holds CODE0140X, and an import of 150 subjects (3 transactions) uses it
    subjects, codes = wiring.subjects(), wiring.access_codes()
    other = new_id()
    subjects.write_import(plan(other, [subject(other, 140)]), utc_now(), no_code)
    job_id = new_id()
    big = plan(job_id, [subject(job_id, n) for n in range(150)])
    # When it is written
    with pytest.raises(AccessCodeTaken) as taken:
        subjects.write_import(big, utc_now(), no_code)
    # Then the taken code is named and nothing of the import is left
    assert taken.value.details["codes"] == ["CODE0140X"]
    assert subjects.all_in_job(job_id) == []
    assert codes.find_many(f"CODE{n:04d}X" for n in range(150)).keys() == {"CODE0140X"}
    assert codes.find("CODE0140X").job_id == other  # the other job's claim is untouched
    assert journals(job_id) == []


def test_a_colliding_generated_code_is_replaced(stage):
    subjects = wiring.subjects()
    other = new_id()
    taken = code_key(new_access_code())
    subjects.write_import(plan(other, [subject(other, 1, taken)]), utc_now(), no_code)
    fresh = code_key(new_access_code())
    job_id = new_id()
    colliding = plan(job_id, [subject(job_id, 2, taken)], generated_codes=frozenset({taken}))

    created = subjects.write_import(colliding, utc_now(), lambda: fresh)

    assert [s.access_code for s in created] == [fresh]
    assert [s.access_code for s in subjects.all_in_job(job_id)] == [fresh]
    assert wiring.access_codes().find(fresh).subject_id == created[0].subject_id


def test_a_subject_changed_meanwhile_fails_the_import_and_undoes_it(stage):
    subjects = wiring.subjects()
    job_id = new_id()
    (kid,) = subjects.write_import(plan(job_id, [subject(job_id, 1)]), utc_now(), no_code)
    renamed = replace(kid, first_name="Someone", updated_at=utc_now() + timedelta(seconds=1))
    subjects.update(kid, renamed)  # someone else's change after the import read `kid`
    stale_update = (kid, replace(kid, first_name="Import", updated_at=utc_now()))
    mixed = plan(job_id, [subject(job_id, 2)], updated=[stale_update])

    with pytest.raises(ConcurrentUpdate):
        subjects.write_import(mixed, utc_now(), no_code)

    assert [s.first_name for s in subjects.all_in_job(job_id)] == ["Someone"]
    assert wiring.access_codes().find("CODE0002X") is None


def test_the_next_import_undoes_what_a_crashed_one_left(stage):
    # Given a writer that crashed after its first transaction: journal, subject, claim
    job_id = new_id()
    crashed = new_id()
    started = utc_now() - STALE_IMPORT - timedelta(minutes=1)
    SubjectImportItem(
        pk=keys.job_pk(job_id), sk=keys.import_sk(crashed), import_id=crashed, started_at=started
    ).save()
    left = replace(subject(job_id, 7), import_id=crashed)
    SubjectItem(
        pk=keys.job_pk(job_id),
        sk=keys.subject_sk(left.subject_id),
        job_id=job_id,
        studio_id=STUDIO,
        subject_id=left.subject_id,
        first_name=left.first_name,
        last_name=left.last_name,
        class_name=left.class_name,
        access_code=left.access_code,
        tag=left.tag,
        spare=False,
        import_id=crashed,
        created_at=started,
        updated_at=started,
    ).save()
    AccessCodeItem(
        pk=keys.code_pk(left.access_code),
        sk=keys.CODE_SK,
        code=left.access_code,
        studio_id=STUDIO,
        job_id=job_id,
        subject_id=left.subject_id,
        state="active",
        claimed_at=started,
        import_id=crashed,
    ).save()
    # When the next import of the job runs
    wiring.subjects().write_import(plan(job_id, [subject(job_id, 8)]), utc_now(), no_code)
    # Then only its own subject is there, and the crashed import's code is free again
    assert [s.first_name for s in wiring.subjects().all_in_job(job_id)] == ["Kid8"]
    assert wiring.access_codes().find(left.access_code) is None
    assert journals(job_id) == []


def test_a_code_claimed_between_check_and_write_is_a_row_error(
    api_url, photographer, other_photographer, monkeypatch
):
    from tests.integration.test_subjects_api import csv_bytes, import_file, make_job

    # Given the check before writing does not see the other studio's claim yet
    theirs = make_job(api_url, other_photographer)
    import_file(api_url, other_photographer, theirs, csv_bytes([("A", "B", "1a", "", "RACE2026")]))
    codes = wiring.subject_service()._codes
    monkeypatch.setattr(codes, "find_many", lambda wanted: {})
    monkeypatch.setattr(codes, "find", lambda code: None)
    job_id = make_job(api_url, photographer)
    rows = [(f"Kid{n}", "Adler", "3a", "", "") for n in range(60)]
    rows.append(("Ben", "Berg", "3a", "", "race2026"))  # line 62: in the second transaction
    # When the list is imported, the claim itself fails
    answer = import_file(api_url, photographer, job_id, csv_bytes(rows))
    # Then the row is named, and the first transaction's subjects are gone again
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert (error["line"], error["column"]) == (62, "access_code")
    assert error["message"].startswith("access code RACE2026 was just claimed by another job")
    assert wiring.subjects().all_in_job(job_id) == []
    assert journals(job_id) == []


def test_retiring_leaves_codes_of_other_jobs_alone(stage):
    subjects, codes = wiring.subjects(), wiring.access_codes()
    mine, other = new_id(), new_id()
    subjects.write_import(plan(mine, [subject(mine, n) for n in range(3)]), utc_now(), no_code)
    subjects.write_import(plan(other, [subject(other, 9)]), utc_now(), no_code)
    listed = [*subjects.codes_of_job(mine), "CODE0009X"]  # one that is not the job's

    assert codes.retire(mine, listed, utc_now()) == 3

    states = {code: claim.state for code, claim in codes.find_many(listed).items()}
    assert states == {
        "CODE0000X": "retired",
        "CODE0001X": "retired",
        "CODE0002X": "retired",
        "CODE0009X": "active",
    }
    assert codes.retire(mine, listed[:3], utc_now()) == 3  # idempotent
