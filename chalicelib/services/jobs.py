"""Use cases for jobs and contractees: parse, apply domain rules, persist through repositories."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.pages import Page
from chalicelib.adapters.dynamo.pricing_repository import PriceProfileRepository
from chalicelib.adapters.dynamo.studios_repository import ContracteeRepository, StudioRepository
from chalicelib.domain import status as status_rules
from chalicelib.domain import validation as v
from chalicelib.domain.contractees import (
    Contractee,
    new_contractee,
    parse_contractee,
    updated_contractee,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import (
    STATUSES,
    Defaults,
    Job,
    derived_internal_name,
    job_type_defaults,
    new_job,
    parse_job_settings,
    updated_job,
)
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.errors import InternalNameTaken, NotFound, ValidationFailed

# Run before a job's record is removed (later: retire access codes, delete photos).
DeletionStep = Callable[[Job], None]
# Run after a job was stored: (before or None when created, after). Keeps what follows from a
# job's settings in line with them, e.g. its message schedules (dates, status, profile).
JobObserver = Callable[[Job | None, Job], None]


class CommunicationProfileLookup(Protocol):
    def resolve(self, studio_id: str, profile_id: str) -> object: ...


class JobService:
    def __init__(
        self,
        jobs: JobRepository,
        contractees: ContracteeRepository,
        studios: StudioRepository,
        *,
        clock: Clock = utc_now,
        deletion_steps: Sequence[DeletionStep] = (),
        price_profiles: PriceProfileRepository | None = None,  # None: ids are not checked
        communication_profiles: CommunicationProfileLookup | None = None,  # likewise
        observers: Sequence[JobObserver] = (),
    ) -> None:
        self._jobs = jobs
        self._price_profiles = price_profiles
        self._contractees = contractees
        self._studios = studios
        self._clock = clock
        self._deletion_steps = tuple(deletion_steps)
        self._communication_profiles = communication_profiles
        self._observers = tuple(observers)

    # jobs ---------------------------------------------------------------------------------
    def create_job(self, who: Principal, body: Any) -> tuple[Job, Defaults]:
        """Create a job; unset settings come from the studio's latest job of the same type."""
        body = dict(v.require_object(body))
        inline_contractee = body.pop("contractee", None)
        requested = parse_job_settings(body, creating=True)
        contractee = self._inline_contractee(who, inline_contractee, requested)
        previous = self._jobs.latest_of_type(who.studio_id, requested["job_type"])
        settings, defaults = job_type_defaults(requested, previous)
        if settings.get("contractee_id") and contractee is None:
            self._require_contractee(who, settings["contractee_id"])
        if settings.get("price_profile_id"):
            self._require_price_profile(who, settings["price_profile_id"])
        if settings.get("communication_profile_id"):
            self._require_communication_profile(who, settings["communication_profile_id"])
        derived_name = "internal_name" not in settings
        if derived_name:
            settings["internal_name"] = derived_internal_name(
                settings["name"], settings["shooting_date"]
            )
        job = new_job(
            job_id=new_id(),
            studio_id=who.studio_id,
            settings=settings,
            now=self._clock(),
            default_timezone=self._studios.get(who.studio_id).timezone,
        )
        try:
            created = self._jobs.create(job, contractee)
        except InternalNameTaken:
            if not derived_name:
                raise
            suffixed = Job(**{**job.__dict__, "internal_name": f"{job.internal_name}-{new_id(4)}"})
            created = self._jobs.create(suffixed, contractee)
        self._notify(None, created)
        return created, defaults

    def get_job(self, who: Principal, job_id: str) -> Job:
        return self._jobs.get(who.studio_id, job_id)

    def list_jobs(
        self, who: Principal, *, status: str | None, limit: int, cursor: str | None
    ) -> Page[Job]:
        if status is not None and status not in STATUSES:
            raise ValidationFailed(
                [{"field": "status", "reason": "must be one of " + ", ".join(STATUSES)}]
            )
        return self._jobs.list(who.studio_id, status=status, limit=limit, cursor=cursor)

    def update_job(self, who: Principal, job_id: str, body: Any) -> Job:
        changes = parse_job_settings(body, creating=False)
        if "status" in changes:  # pragma: no cover - parse_job_settings rejects it
            raise ValidationFailed([{"field": "status", "reason": "use the status route"}])
        job = self._jobs.get(who.studio_id, job_id)
        if changes.get("contractee_id"):
            self._require_contractee(who, changes["contractee_id"])
        if changes.get("price_profile_id"):
            self._require_price_profile(who, changes["price_profile_id"])
        if changes.get("communication_profile_id"):
            self._require_communication_profile(who, changes["communication_profile_id"])
        updated = self._jobs.update(job, updated_job(job, changes, self._clock()))
        self._notify(job, updated)
        return updated

    def change_status(self, who: Principal, job_id: str, body: Any) -> Job:
        parsed = v.collect(
            v.require_object(body),
            {"status": lambda x: v.choice(x, STATUSES), "force": v.boolean},
            required=("status",),
        )
        job = self._jobs.get(who.studio_id, job_id)
        if parsed["status"] == job.status:
            return job
        changed = status_rules.change_status(
            job,
            parsed["status"],
            actor=who.email or who.user_id,
            now=self._clock(),
            force=parsed.get("force", False),
        )
        updated = self._jobs.update(job, changed)
        self._notify(job, updated)
        return updated

    def delete_job(self, who: Principal, job_id: str) -> Job:
        job = self._jobs.get(who.studio_id, job_id)
        for step in self._deletion_steps:
            step(job)
        self._jobs.delete(job)
        return job

    # contractees --------------------------------------------------------------------------
    def create_contractee(self, who: Principal, body: Any) -> Contractee:
        fields = parse_contractee(body, creating=True)
        contractee = new_contractee(
            contractee_id=new_id(), studio_id=who.studio_id, fields=fields, now=self._clock()
        )
        return self._contractees.save(contractee)

    def get_contractee(self, who: Principal, contractee_id: str) -> Contractee:
        return self._contractees.get(who.studio_id, contractee_id)

    def list_contractees(self, who: Principal, *, limit: int, cursor: str | None) -> Page:
        return self._contractees.list(who.studio_id, limit=limit, cursor=cursor)

    def update_contractee(self, who: Principal, contractee_id: str, body: Any) -> Contractee:
        changes = parse_contractee(body, creating=False)
        current = self._contractees.get(who.studio_id, contractee_id)
        return self._contractees.save(updated_contractee(current, changes))

    # helpers ------------------------------------------------------------------------------
    def _inline_contractee(
        self, who: Principal, body: Any, requested: dict[str, Any]
    ) -> Contractee | None:
        if body is None:
            return None
        if "contractee_id" in requested:
            raise ValidationFailed(
                [{"field": "contractee", "reason": "give either contractee or contractee_id"}]
            )
        fields = parse_contractee(body, creating=True, prefix="contractee.")
        contractee = new_contractee(
            contractee_id=new_id(), studio_id=who.studio_id, fields=fields, now=self._clock()
        )
        requested["contractee_id"] = contractee.contractee_id
        return contractee

    def _require_contractee(self, who: Principal, contractee_id: str) -> None:
        try:
            self._contractees.get(who.studio_id, contractee_id)
        except NotFound as exc:
            raise ValidationFailed(
                [{"field": "contractee_id", "reason": "no such contractee in this studio"}]
            ) from exc

    def _notify(self, before: Job | None, after: Job) -> None:
        for observer in self._observers:
            observer(before, after)

    def _require_communication_profile(self, who: Principal, profile_id: str) -> None:
        if self._communication_profiles is None:
            return
        try:
            self._communication_profiles.resolve(who.studio_id, profile_id)
        except NotFound as exc:
            raise ValidationFailed(
                [
                    {
                        "field": "communication_profile_id",
                        "reason": "no such communication profile in this studio",
                    }
                ]
            ) from exc

    def _require_price_profile(self, who: Principal, profile_id: str) -> None:
        if self._price_profiles is None:
            return
        try:
            self._price_profiles.get(who.studio_id, profile_id)
        except NotFound as exc:
            raise ValidationFailed(
                [{"field": "price_profile_id", "reason": "no such price profile in this studio"}]
            ) from exc
