"""Use cases of communication profiles: the studio's library (its own profiles plus the shipped
default, which is read-only and copyable), with jobs re-planned when a profile they use changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from chalicelib.adapters.dynamo.communication_profiles_repository import (
    CommunicationProfileRepository,
)
from chalicelib.adapters.dynamo.pages import Page
from chalicelib.domain.communication.library import (
    BUILTIN_PROFILE_ID,
    BuiltinProfileReadOnly,
    CommunicationProfileInUse,
    StudioProfile,
    builtin_profile,
    copied_profile,
    parse_copy_body,
    parse_profile_body,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.errors import NotFound

MAX_JOBS_NAMED = 50  # in a "profile in use" answer; the count is always complete

# Called with each job whose profile changed (re-plans its schedules).
ProfileChanged = Callable[[Job], object]


class ProfileResolver(Protocol):
    def resolve(self, studio_id: str, profile_id: str) -> StudioProfile: ...


def job_profile(profiles: ProfileResolver, job: Job) -> StudioProfile | None:
    """The profile ``job`` sends its messages with; None when it has none (or it is gone)."""
    if not job.communication_profile_id:
        return None
    try:
        return profiles.resolve(job.studio_id, job.communication_profile_id)
    except NotFound:
        return None


class JobsUsingProfiles(Protocol):
    def using_communication_profile(self, studio_id: str, profile_id: str) -> tuple[Job, ...]: ...


class CommunicationProfiles:
    def __init__(
        self,
        profiles: CommunicationProfileRepository,
        jobs: JobsUsingProfiles,
        *,
        clock: Clock = utc_now,
        on_change: ProfileChanged | None = None,
    ) -> None:
        self._profiles = profiles
        self._jobs = jobs
        self._clock = clock
        self._on_change = on_change

    def resolve(self, studio_id: str, profile_id: str) -> StudioProfile:
        """A profile of ``studio_id`` by id; ``default`` is the shipped default profile."""
        if profile_id == BUILTIN_PROFILE_ID:
            return builtin_profile(studio_id)
        return self._profiles.get(studio_id, profile_id)

    def get(self, who: Principal, profile_id: str) -> StudioProfile:
        return self.resolve(who.studio_id, profile_id)

    def list(self, who: Principal, *, limit: int, cursor: str | None) -> Page[StudioProfile]:
        """The studio's profiles; the first page starts with the shipped default."""
        page = self._profiles.list(who.studio_id, limit=limit, cursor=cursor)
        if cursor is None:
            return Page([builtin_profile(who.studio_id), *page.items], page.cursor)
        return page

    def create(self, who: Principal, body: object) -> StudioProfile:
        profile = parse_profile_body(
            body, studio_id=who.studio_id, profile_id=new_id(), now=self._clock()
        )
        return self._profiles.save(profile)

    def update(self, who: Principal, profile_id: str, body: object) -> StudioProfile:
        current = self._own(who, profile_id)
        changed = parse_profile_body(
            body,
            studio_id=who.studio_id,
            profile_id=profile_id,
            now=self._clock(),
            current=current,
        )
        saved = self._profiles.save(changed)
        self._replan_users(who.studio_id, profile_id)
        return saved

    def copy(self, who: Principal, profile_id: str, body: object) -> StudioProfile:
        name = parse_copy_body(body)
        source = self.resolve(who.studio_id, profile_id)
        copy = copied_profile(
            source, studio_id=who.studio_id, profile_id=new_id(), name=name, now=self._clock()
        )
        return self._profiles.save(copy)

    def delete(self, who: Principal, profile_id: str) -> StudioProfile:
        """Delete a profile no job uses; otherwise ``CommunicationProfileInUse`` names them."""
        current = self._own(who, profile_id)
        users = self._jobs.using_communication_profile(who.studio_id, profile_id)
        if users:
            raise CommunicationProfileInUse(
                f"communication profile {profile_id} is used by {len(users)} job(s); give them "
                "another communication profile first",
                job_count=len(users),
                jobs=[
                    {"job_id": j.job_id, "name": j.name, "internal_name": j.internal_name}
                    for j in users[:MAX_JOBS_NAMED]
                ],
            )
        self._profiles.delete(current)
        return current

    def _own(self, who: Principal, profile_id: str) -> StudioProfile:
        if profile_id == BUILTIN_PROFILE_ID:
            raise BuiltinProfileReadOnly(
                "the default communication profile cannot be changed; copy it and change the copy",
                profile_id=profile_id,
            )
        return self._profiles.get(who.studio_id, profile_id)

    def _replan_users(self, studio_id: str, profile_id: str) -> None:
        if self._on_change is None:
            return
        for job in self._jobs.using_communication_profile(studio_id, profile_id):
            self._on_change(job)
