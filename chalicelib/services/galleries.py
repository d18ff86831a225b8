"""Gallery builds: requested by the API, run by ``functions/build_galleries``.

``request`` records a queued run and puts a message on the work queue; ``run`` (the function's
domain step) loads the job's photos in capture order, its subjects and the review decisions,
calls the pure ``build_galleries`` and stores the result under the run, hides card photos and
then publishes the run in one conditional write. See ``domain/build_runs.py`` for how runs
follow each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from chalicelib.adapters.dynamo.gallery_builds_repository import (
    BuildSuperseded,
    GalleryBuildRepository,
)
from chalicelib.adapters.dynamo.gallery_results_repository import GalleryResultRepository
from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
from chalicelib.adapters.dynamo.review_repository import ReviewDecisionRepository
from chalicelib.adapters.dynamo.subjects_repository import SubjectRepository
from chalicelib.adapters.queue import WorkQueue
from chalicelib.domain.build_runs import (
    BuildMessage,
    BuildProgress,
    BuildRun,
    Phase,
    RequestOutcome,
    next_run,
    on_request,
)
from chalicelib.domain.gallery_albums import group_photo_classes
from chalicelib.domain.gallery_builder import build_galleries
from chalicelib.domain.gallery_model import GallerySubject
from chalicelib.domain.gallery_results import (
    build_summary,
    gallery_entries,
    hidden_changes,
    photo_record,
    stored_flags,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.photos import Photo
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.domain.review import merged
from chalicelib.domain.subjects import in_card_order
from chalicelib.errors import ConcurrentUpdate, NotFound
from chalicelib.resources import WORK_QUEUE_MAX_RECEIVES

logger = logging.getLogger(__name__)
REQUEST_ATTEMPTS = 3
PHOTOS_PER_REPORT = 1000


class SubjectDirectory(Protocol):
    """The subjects of a job, as gallery building sees them (in name-list order)."""

    def gallery_subjects(self, job_id: str) -> list[GallerySubject]: ...


class GalleryBuilds:
    def __init__(
        self,
        jobs: JobRepository,
        photos: PhotoRepository,
        subjects: SubjectDirectory,
        decisions: ReviewDecisionRepository,
        runs: GalleryBuildRepository,
        results: GalleryResultRepository,
        queue: WorkQueue,
        *,
        clock: Clock = utc_now,
        new_run_id: Callable[[], str] = new_id,
    ) -> None:
        self._jobs = jobs
        self._photos = photos
        self._subjects = subjects
        self._decisions = decisions
        self._runs = runs
        self._results = results
        self._queue = queue
        self._clock = clock
        self._new_run_id = new_run_id

    # API side -----------------------------------------------------------------------------
    def request(self, who: Principal, job_id: str) -> BuildRun:
        """Ask for a build of the job's galleries; answers at once with the run that will
        apply everything decided so far (a new one, or the queued one it joins)."""
        job = self._jobs.get(who.studio_id, job_id)
        return self.request_for(job.job_id, job.studio_id, who.email or who.user_id)

    def request_for(self, job_id: str, studio_id: str, requested_by: str) -> BuildRun:
        for _ in range(REQUEST_ATTEMPTS):
            current = self._runs.current(job_id)
            now = self._clock()
            outcome = on_request(current, now)
            if outcome is RequestOutcome.JOIN and current is not None:
                return current
            if outcome is RequestOutcome.RERUN and current is not None:
                if self._runs.request_rerun(current):
                    return replace(current, rerun=True)
                continue  # it finished meanwhile
            run = next_run(
                current,
                job_id=job_id,
                studio_id=studio_id,
                run_id=self._new_run_id(),
                requested_by=requested_by,
                now=now,
            )
            if not self._runs.create(run, replacing=current):
                continue  # someone else requested a build at the same moment
            try:
                self._queue.send(BuildMessage(job_id, studio_id, run.run_id).body())
            except Exception:
                self._runs.fail(run, "the build could not be queued; request it again", now)
                raise
            return run
        raise ConcurrentUpdate("gallery builds of this job are being requested; try again")

    def status(self, who: Principal, job_id: str) -> BuildRun:
        job = self._jobs.get(who.studio_id, job_id)
        run = self._runs.current(job.job_id)
        if run is None:
            raise NotFound(f"no gallery build has been requested for job {job_id} yet")
        return run

    # function side ------------------------------------------------------------------------
    def run(self, message: BuildMessage, *, receive_count: int = 1) -> str:
        """Run the build a message asks for. Returns the outcome: done, skipped (finished,
        replaced or running elsewhere: a redelivery changes nothing), superseded or failed."""
        run = self._runs.start(message.job_id, message.run_id, self._clock())
        if run is None:
            return "skipped"
        try:
            finished = self._build(run)
        except BuildSuperseded:
            return "superseded"
        except Exception:
            if receive_count >= WORK_QUEUE_MAX_RECEIVES:
                logger.exception("gallery build %s of job %s failed", run.run_id, run.job_id)
                self._runs.fail(run, "the build failed; request it again", self._clock())
                return "failed"
            self._runs.release(
                run, "the build hit an error and will be retried; or request it again"
            )
            raise
        self._discard(finished)
        if finished.rerun:  # requested while this run was reading: apply what changed since
            self.request_for(run.job_id, run.studio_id, run.requested_by)
        return "done"

    def _build(self, run: BuildRun) -> BuildRun:
        job_id = run.job_id
        photos = self._load_photos(run)
        subjects = self._subjects.gallery_subjects(job_id)
        records = [photo_record(photo) for photo in photos]
        conventions = group_photo_classes(records, {s.class_name for s in subjects})
        decisions = merged(self._decisions.load(job_id), group_photos=conventions)
        progress = BuildProgress(
            Phase.SORTING, len(photos), len(photos), subjects_total=len(subjects)
        )
        self._runs.report(run, progress)
        build = build_galleries(job_id, records, subjects, decisions=decisions)

        progress = replace(progress, phase=Phase.WRITING)
        self._runs.report(run, progress)
        self._results.delete_run(job_id, run.run_id)  # what an earlier attempt left
        self._results.write(
            job_id,
            run.run_id,
            gallery_entries(build, subjects),
            build.group_photos,
            stored_flags(build.flags),
            progress=lambda written: self._runs.report(
                run, replace(progress, subjects_written=written)
            ),
        )
        published = replace(progress, phase=Phase.PUBLISHING, subjects_written=len(subjects))
        self._runs.report(run, published)
        self._photos.set_hidden(job_id, hidden_changes(photos, build.card_photo_ids))
        return self._runs.publish(run, build_summary(build), self._clock())

    def _load_photos(self, run: BuildRun) -> list[Photo]:
        photos: list[Photo] = []
        # Any order: the builder puts each album in capture order itself (several cameras).
        for chunk in self._photos.chunks_in_job(run.job_id, PHOTOS_PER_REPORT):
            photos.extend(chunk)
            self._runs.report(run, BuildProgress(Phase.LOADING, len(photos)))
        return photos

    def _discard(self, run: BuildRun) -> None:
        """Delete the results no record points to any more (the previously shown run's)."""
        gone = [run_id for run_id in run.discarded_run_ids if run_id != run.published_run_id]
        for run_id in gone:
            self._results.delete_run(run.job_id, run_id)
        self._runs.forget_discarded(run.job_id, gone)

    # job deletion -------------------------------------------------------------------------
    def delete_job_galleries(self, job: Job) -> None:
        """A deletion step of jobs: the build record, every run's results, the decisions."""
        job_id = job.job_id
        run = self._runs.current(job_id)
        if run is not None:
            for run_id in {run.run_id, *run.discarded_run_ids, run.published_run_id}:
                if run_id:
                    self._results.delete_run(job_id, run_id)
            self._runs.delete(job_id)
        self._decisions.delete_all(job_id)


class NameListSubjects:
    """The subjects repository seen as a ``SubjectDirectory``: name-list order, display names."""

    def __init__(self, subjects: SubjectRepository) -> None:
        self._subjects = subjects

    def gallery_subjects(self, job_id: str) -> list[GallerySubject]:
        return [
            GallerySubject(s.subject_id, s.display_name, s.class_name)
            for s in in_card_order(self._subjects.all_in_job(job_id))
        ]
