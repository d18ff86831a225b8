"""Use cases of name lists: import (and dry run), blank subjects and spares, listing, changes,
export, and what deleting a job does to its subjects and codes."""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.adapters.dynamo.access_codes_repository import AccessCodeRepository
from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.pages import Page
from chalicelib.adapters.dynamo.subjects_repository import ImportPlan, SubjectRepository
from chalicelib.adapters.storage import MediaStorage
from chalicelib.domain import validation as v
from chalicelib.domain.access_codes import code_key, new_access_code, suggest_modified_code
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.domain.roster import (
    RosterImport,
    RosterRow,
    RowError,
    RowWarning,
    blank_subjects,
    export_csv,
    export_xlsx,
    parse_roster,
    template_csv,
    template_xlsx,
)
from chalicelib.domain.roster_files import MAX_BYTES
from chalicelib.domain.subjects import (
    AccessCodeClaim,
    Subject,
    documents_prefix,
    in_card_order,
    next_spares,
    parse_subject_changes,
    same_details,
    shared_access,
    subject_from_row,
    taken_reason,
    updated_subject,
    with_row,
)
from chalicelib.errors import AccessCodeTaken, PayloadTooLarge, RosterRejected, ValidationFailed

MAX_BLANK_SUBJECTS = 5_000  # one request; more are added with further requests
# Rows of one import: written as about 100 DynamoDB transactions, well inside the API's 29 s.
MAX_IMPORT_ROWS = 5_000
FORMATS = ("csv", "xlsx")
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or (dry run) would do. ``errors`` means: nothing was stored."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()
    warnings: tuple[RowWarning, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [_issue(e) for e in self.errors],
            "warnings": [_issue(w) for w in self.warnings],
        }


@dataclass(frozen=True)
class SpreadsheetFile:
    filename: str
    content_type: str
    content: bytes


@dataclass
class _Plan:
    created: list[Subject] = field(default_factory=list)
    updated: list[tuple[Subject, Subject]] = field(default_factory=list)
    unchanged: int = 0
    generated: set[str] = field(default_factory=set)
    new_shared_code: str | None = None


class _Matcher:
    """Which of the job's subjects a row stands for (it is then updated, not created): the one
    its code belongs to; in a shared job, where everyone has the one code, a row carrying that
    code (an export) stands for the subject of the same name and class. Each subject matches
    at most one row."""

    def __init__(
        self,
        job_id: str,
        existing: Mapping[str, Subject],
        lookup: Callable[[str], AccessCodeClaim | None],
        shared_code: str | None,
    ) -> None:
        self._job_id = job_id
        self._existing = existing
        self._lookup = lookup
        self._shared_code = shared_code
        people = Counter(_person(s) for s in existing.values())
        self._by_person = {_person(s): s for s in existing.values() if people[_person(s)] == 1}
        self._matched: set[str] = set()

    def subject_of(self, row: RosterRow) -> Subject | None:
        if not row.access_code:
            return None
        found: Subject | None = None
        if self._shared_code is not None:
            if row.access_code == self._shared_code:
                found = self._by_person.get(_person(row))
        else:
            claim = self._lookup(row.access_code)
            if claim is not None and claim.job_id == self._job_id and claim.subject_id:
                found = self._existing.get(claim.subject_id)
        if found is None or found.subject_id in self._matched:
            return None
        self._matched.add(found.subject_id)
        return found


def _person(who: Subject | RosterRow) -> tuple[str, str, str]:
    return (who.first_name.casefold(), who.last_name.casefold(), who.class_name.casefold())


class SubjectService:
    def __init__(
        self,
        jobs: JobRepository,
        subjects: SubjectRepository,
        codes: AccessCodeRepository,
        *,
        clock: Clock = utc_now,
        new_code: Callable[[], str] = lambda: code_key(new_access_code()),
    ) -> None:
        self._jobs = jobs
        self._subjects = subjects
        self._codes = codes
        self._clock = clock
        self._new_code = new_code

    # import ------------------------------------------------------------------------------
    def import_roster(self, who: Principal, job_id: str, body: Any) -> ImportReport:
        """Import a names list all or nothing; ``dry_run`` reports the same without writing.

        Rows whose code belongs to a subject of this job update that subject (so an export can
        be edited and imported again); other rows become new subjects with their own code or a
        generated one. Raises ``RosterRejected`` (with line numbers) when any row is bad.
        """
        job = self._jobs.get(who.studio_id, job_id)
        content, dry_run = _parse_import_request(body)
        existing = {s.subject_id: s for s in self._subjects.all_in_job(job.job_id)}
        shared = shared_access(job.access_type)
        shared_code = self._subjects.shared_code(job.job_id) if shared else None
        lookup = self._code_lookup(content, shared)
        year = self._clock().year

        def code_taken(code: str) -> str | None:
            return taken_reason(lookup(code), job.job_id, existing)

        result = parse_roster(
            content,
            code_taken=code_taken,
            year=year,
            shared_access=shared,
            shared_code=shared_code,
        )
        if not result.ok:
            raise _rejected(
                ImportReport(
                    dry_run, len(result.rows), errors=result.errors, warnings=result.warnings
                )
            )
        if len(result.rows) > MAX_IMPORT_ROWS:
            raise PayloadTooLarge(
                f"the names list has {len(result.rows)} rows; import at most {MAX_IMPORT_ROWS} "
                "at a time (split the file, e.g. by class)"
            )
        plan = self._plan(job, result.rows, existing, lookup, shared_code)
        report = ImportReport(
            dry_run,
            rows=len(result.rows),
            created=len(plan.created),
            updated=len(plan.updated),
            unchanged=plan.unchanged,
            warnings=result.warnings,
        )
        if dry_run:
            return report
        try:
            self._write(job, plan)
        except AccessCodeTaken as exc:
            errors = _claimed_meanwhile(result, exc.details.get("codes", []), year, code_taken)
            raise _rejected(
                ImportReport(dry_run, len(result.rows), errors=errors, warnings=result.warnings)
            ) from exc
        return report

    def _code_lookup(self, content: bytes, shared: bool) -> Callable[[str], AccessCodeClaim | None]:
        """Claims of the file's codes, fetched in batches up front; others one by one."""
        known: dict[str, AccessCodeClaim | None] = {}
        if not shared:
            first_pass = parse_roster(content)  # only to learn which codes the file holds
            codes = {row.access_code for row in first_pass.rows if row.access_code}
            found = self._codes.find_many(codes)
            known.update({code: found.get(code) for code in codes})

        def lookup(code: str) -> AccessCodeClaim | None:
            if code not in known:
                known[code] = self._codes.find(code)
            return known[code]

        return lookup

    def _plan(
        self,
        job: Job,
        rows: tuple[RosterRow, ...] | list[RosterRow],
        existing: Mapping[str, Subject],
        lookup: Callable[[str], AccessCodeClaim | None],
        shared_code: str | None,
    ) -> _Plan:
        plan = _Plan()
        now = self._clock()
        matcher = _Matcher(job.job_id, existing, lookup, shared_code)
        if shared_access(job.access_type) and shared_code is None:
            shared_code = plan.new_shared_code = self._new_code()
            plan.generated.add(shared_code)
        for row in rows:
            own = matcher.subject_of(row)
            if own is not None:
                if same_details(own, row):
                    plan.unchanged += 1
                else:
                    plan.updated.append((own, with_row(own, row, now)))
                continue
            code = shared_code or row.access_code
            if code is None:
                code = self._new_code()
                plan.generated.add(code)
            plan.created.append(
                subject_from_row(
                    row,
                    job_id=job.job_id,
                    studio_id=job.studio_id,
                    subject_id=new_id(),
                    access_code=code,
                    now=now,
                )
            )
        return plan

    def _write(self, job: Job, plan: _Plan) -> list[Subject]:
        import_id = new_id()
        created = [_tagged(s, import_id) for s in plan.created]
        return self._subjects.write_import(
            ImportPlan(
                job_id=job.job_id,
                studio_id=job.studio_id,
                import_id=import_id,
                created=created,
                updated=plan.updated,
                new_shared_code=plan.new_shared_code,
                shared=shared_access(job.access_type),
                generated_codes=frozenset(plan.generated),
            ),
            self._clock(),
            self._new_code,
        )

    # blank subjects ----------------------------------------------------------------------
    def create_blank(self, who: Principal, job_id: str, body: Any) -> list[Subject]:
        """Placeholders for a job without a names list: "Spare 1".."Spare N" for the people
        expected plus `spares`; for a job that has subjects already, just `spares` more."""
        parsed = v.collect(
            v.require_object(body),
            {
                "spares": lambda x: v.integer(x, minimum=0, maximum=MAX_BLANK_SUBJECTS),
                "class_name": lambda x: v.text(x, max_length=100, allow_empty=True),
            },
        )
        job = self._jobs.get(who.studio_id, job_id)
        spares, class_name = parsed.get("spares", 0), parsed.get("class_name", "")
        existing = self._subjects.all_in_job(job.job_id)
        if existing:
            rows = next_spares(existing, spares, class_name)
        else:
            rows = blank_subjects(job.people_expected, spares, class_name)
        if not rows:
            raise ValidationFailed(
                [{"field": "spares", "reason": "nothing to create: give a number of spares"}]
            )
        if len(rows) > MAX_BLANK_SUBJECTS:
            raise PayloadTooLarge(
                f"at most {MAX_BLANK_SUBJECTS} blank subjects at a time; "
                "lower people_expected or add spares in several requests"
            )
        shared_code = None
        if shared_access(job.access_type):
            shared_code = self._subjects.shared_code(job.job_id)
        plan = self._plan(job, rows, {}, lambda code: None, shared_code)
        return self._write(job, plan)

    # reading and changing ----------------------------------------------------------------
    def list_subjects(
        self, who: Principal, job_id: str, *, limit: int, cursor: str | None
    ) -> Page[Subject]:
        job = self._jobs.get(who.studio_id, job_id)
        return self._subjects.page(job.job_id, limit=limit, cursor=cursor)

    def update_subject(self, who: Principal, job_id: str, subject_id: str, body: Any) -> Subject:
        """Change names, class or contacts (e.g. write a spare's name in). Codes never change."""
        changes = parse_subject_changes(body)
        job = self._jobs.get(who.studio_id, job_id)
        subject = self._subjects.get(job.job_id, subject_id)
        return self._subjects.update(subject, updated_subject(subject, changes, self._clock()))

    def export(self, who: Principal, job_id: str, file_format: str) -> SpreadsheetFile:
        """The names list with codes, in the template's columns: it imports back unchanged."""
        file_format = _format(file_format)
        job = self._jobs.get(who.studio_id, job_id)
        subjects = in_card_order(self._subjects.all_in_job(job.job_id))
        data = export_csv(subjects) if file_format == "csv" else export_xlsx(subjects)
        name = f"{job.internal_name}-names.{file_format}"
        return SpreadsheetFile(name, _CONTENT_TYPES[file_format], data)

    @staticmethod
    def template(file_format: str) -> SpreadsheetFile:
        file_format = _format(file_format)
        data = template_csv() if file_format == "csv" else template_xlsx()
        return SpreadsheetFile(f"names-template.{file_format}", _CONTENT_TYPES[file_format], data)


class SubjectCleanup:
    """Deletion step of a job: retire its access codes for good, then delete its subjects and
    rendered documents. Retiring first means a failure half-way never leaves a live code
    without its subject; running the step again finishes the work."""

    def __init__(
        self,
        subjects: SubjectRepository,
        codes: AccessCodeRepository,
        storage: MediaStorage,
        clock: Clock = utc_now,
    ) -> None:
        self._subjects = subjects
        self._codes = codes
        self._storage = storage
        self._clock = clock

    def __call__(self, job: Job) -> None:
        self._codes.retire(job.job_id, self._subjects.codes_of_job(job.job_id), self._clock())
        self._subjects.delete_job_subjects(job.job_id)
        self._storage.delete_prefix(documents_prefix(job.studio_id, job.job_id))


def _parse_import_request(body: Any) -> tuple[bytes, bool]:
    body = v.require_object(body)
    encoded = body.get("content_base64")
    if isinstance(encoded, str) and len(encoded) * 3 // 4 > MAX_BYTES + 3:
        raise PayloadTooLarge(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into several"
        )
    parsed = v.collect(
        body,
        {
            "filename": lambda x: v.text(x, max_length=255),
            "content_base64": lambda x: _base64(x),
            "dry_run": v.boolean,
        },
        required=("content_base64",),
    )
    content: bytes = parsed["content_base64"]
    if len(content) > MAX_BYTES:
        raise PayloadTooLarge(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into several"
        )
    if not content:
        raise ValidationFailed([{"field": "content_base64", "reason": "the file is empty"}])
    return content, parsed.get("dry_run", False)


def _base64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise v.FieldError("must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise v.FieldError("is not valid base64") from exc


def _format(value: str) -> str:
    if value not in FORMATS:
        raise ValidationFailed([{"field": "format", "reason": "must be one of csv, xlsx"}])
    return value


def _tagged(subject: Subject, import_id: str) -> Subject:
    return replace(subject, import_id=import_id)


def _claimed_meanwhile(
    result: RosterImport,
    codes: list[str],
    year: int,
    code_taken: Callable[[str], str | None],
) -> tuple[RowError, ...]:
    lines = {row.access_code: row.line for row in result.rows if row.access_code}
    errors = []
    for code in codes:
        suggestion = suggest_modified_code(code, year, taken=lambda c: bool(code_taken(c)))
        errors.append(
            RowError(
                lines.get(code, 0),
                "access_code",
                f"access code {code} was just claimed by another job; use e.g. {suggestion}",
            )
        )
    if not errors:  # a generated code kept colliding: nothing the file can fix
        errors.append(RowError(0, "access_code", "could not claim access codes; try again"))
    return tuple(sorted(errors, key=lambda e: e.line))


def _rejected(report: ImportReport) -> RosterRejected:
    count = len(report.errors)
    noun = "problem" if count == 1 else "problems"
    return RosterRejected(
        f"the names list has {count} {noun}; nothing was stored", **report.as_dict()
    )


def _issue(issue: RowError | RowWarning) -> dict[str, Any]:
    return {"line": issue.line, "column": issue.field, "message": issue.message}
