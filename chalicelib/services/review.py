"""The photographer's view of built galleries and the review of what the build flagged.

Everything shown comes from the job's published build run. Review actions are validated against
the job (its photos, subjects, albums and the flags of the published run), stored as decisions
and followed by a rebuild request, so a decision shows in the galleries once that build is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.adapters.dynamo.gallery_builds_repository import GalleryBuildRepository
from chalicelib.adapters.dynamo.gallery_results_repository import GalleryResultRepository
from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
from chalicelib.adapters.dynamo.review_repository import ReviewDecisionRepository
from chalicelib.adapters.storage import MediaStorage
from chalicelib.domain.build_runs import BuildRun
from chalicelib.domain.gallery_model import class_key
from chalicelib.domain.gallery_results import GalleryEntry, StoredFlag, shown_held
from chalicelib.domain.jobs import Job
from chalicelib.domain.photos import Photo
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.domain.review import ActionKind, ReviewAction, parse_review_action
from chalicelib.errors import NotFound
from chalicelib.services.galleries import GalleryBuilds, SubjectDirectory


@dataclass(frozen=True)
class Galleries:
    run: BuildRun | None  # None: never built
    entries: list[GalleryEntry]


@dataclass(frozen=True)
class GalleryPhotos:
    entry: GalleryEntry
    photos: list[Photo]  # in gallery order
    group_photo_ids: frozenset[str]


@dataclass(frozen=True)
class Review:
    run: BuildRun | None
    flags: list[StoredFlag]
    photos: dict[str, Photo]  # the photos the flags show


class ReviewService:
    def __init__(
        self,
        jobs: JobRepository,
        photos: PhotoRepository,
        subjects: SubjectDirectory,
        decisions: ReviewDecisionRepository,
        runs: GalleryBuildRepository,
        results: GalleryResultRepository,
        storage: MediaStorage,
        builds: GalleryBuilds,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._jobs = jobs
        self._photos = photos
        self._subjects = subjects
        self._decisions = decisions
        self._runs = runs
        self._results = results
        self._storage = storage
        self._builds = builds
        self._clock = clock

    def galleries(self, who: Principal, job_id: str, class_name: str | None) -> Galleries:
        """Every subject's gallery of the published build, by class and name."""
        job = self._jobs.get(who.studio_id, job_id)
        run = self._runs.current(job.job_id)
        if run is None or run.published_run_id is None:
            return Galleries(run, [])
        entries = self._results.galleries(job.job_id, run.published_run_id)
        if class_name is not None:
            wanted = class_key(class_name)
            entries = [e for e in entries if class_key(e.class_name) == wanted]
        entries.sort(key=lambda e: e.position)
        return Galleries(run, entries)

    def first_photo_thumbnails(self, job_id: str) -> dict[str, str]:
        """Thumbnail key of each subject's first own photo in the published build (contact
        sheets); subjects without photos, or a job without a build, are simply absent."""
        run = self._runs.current(job_id)
        if run is None or run.published_run_id is None:
            return {}
        entries = self._results.galleries(job_id, run.published_run_id)
        firsts = {e.subject_id: e.photo_ids[0] for e in entries if e.own_photos > 0}
        photos = self._photos.get_many(job_id, list(firsts.values()))
        thumbnails: dict[str, str] = {}
        for subject_id, photo_id in firsts.items():
            key = photos[photo_id].thumbnail_key if photo_id in photos else None
            if key:
                thumbnails[subject_id] = key
        return thumbnails

    def gallery(self, who: Principal, job_id: str, subject_id: str) -> GalleryPhotos:
        job = self._jobs.get(who.studio_id, job_id)
        run = self._runs.current(job.job_id)
        entry = None
        if run is not None and run.published_run_id is not None:
            entry = self._results.gallery(job.job_id, run.published_run_id, subject_id)
        if entry is None:
            raise NotFound(f"no gallery of subject {subject_id} in job {job_id}")
        found = self._photos.get_many(job.job_id, entry.photo_ids)
        photos = [found[p] for p in entry.photo_ids if p in found]
        return GalleryPhotos(entry, photos, frozenset(entry.photo_ids[entry.own_photos :]))

    def review(self, who: Principal, job_id: str) -> Review:
        """The flags of the published build, with the photos they show."""
        job = self._jobs.get(who.studio_id, job_id)
        run = self._runs.current(job.job_id)
        if run is None or run.published_run_id is None:
            return Review(run, [], {})
        flags = self._results.flags(job.job_id, run.published_run_id)
        shown = [p for f in flags for p in (*f.flag.photo_ids, *shown_held(f))]
        return Review(run, flags, self._photos.get_many(job.job_id, shown))

    def act(self, who: Principal, job_id: str, body: object) -> tuple[ReviewAction, BuildRun]:
        """Store a review decision and request the rebuild that applies it."""
        action = parse_review_action(body)
        job = self._jobs.get(who.studio_id, job_id)
        self._check(job, action)
        actor = who.email or who.user_id
        self._decisions.record(job.job_id, action, actor, self._clock())
        return action, self._builds.request_for(job.job_id, job.studio_id, actor)

    def thumbnail_url(self, photo: Photo) -> str | None:
        return self._storage.signed_url(photo.thumbnail_key) if photo.thumbnail_key else None

    def _check(self, job: Job, action: ReviewAction) -> None:
        if action.photo_ids:
            found = self._photos.get_many(job.job_id, action.photo_ids)
            _require_all(action.photo_ids, found, "photo_ids", f"photos of job {job.job_id}")
        if action.subject_ids or action.class_name:
            subjects = self._subjects.gallery_subjects(job.job_id)
            known = {s.subject_id for s in subjects}
            _require_all(
                action.subject_ids or (), known, "subject_ids", f"subjects of {job.job_id}"
            )
            classes = {class_key(s.class_name) for s in subjects}
            if action.class_name and class_key(action.class_name) not in classes:
                raise NotFound(
                    f"no subject of job {job.job_id} is in class {action.class_name!r}",
                    field="class_name",
                )
        if action.album is not None and not self._photos.album_exists(job.job_id, action.album):
            raise NotFound(f"job {job.job_id} has no album {action.album!r}", field="album")
        if action.kind is ActionKind.ACCEPT_FLAG:
            run = self._runs.current(job.job_id)
            keys = set()
            if run is not None and run.published_run_id is not None:
                keys = {f.key for f in self._results.flags(job.job_id, run.published_run_id)}
            if action.flag_key not in keys:
                raise NotFound(
                    f"the latest gallery build has no flag {action.flag_key!r}", field="flag"
                )


def _require_all(ids: Iterable[str], known: Iterable[str], field: str, what: str) -> None:
    present = set(known)
    missing = [i for i in ids if i not in present]
    if missing:
        raise NotFound(f"not among the {what}: {', '.join(missing)}", field=field, missing=missing)
