"""Gallery builds in DynamoDB: a job's one build record, which says which run is current and
which run's results are shown (``gallery_results_repository``). Publishing a run is one
conditional update of this record, so its results appear all at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import condition_failed
from chalicelib.adapters.dynamo.models import BuildSummaryMap, GalleryBuildItem, TableItem
from chalicelib.domain.build_runs import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    STALE_RUNNING,
    BuildProgress,
    BuildRun,
    BuildSummary,
    Phase,
)


class BuildSuperseded(Exception):
    """The run is no longer the job's running run (taken over or replaced): stop writing."""


def _summary(value: BuildSummaryMap | None) -> BuildSummary | None:
    if value is None:
        return None
    return BuildSummary(
        subjects=int(value.subjects),
        galleries=int(value.galleries),
        flags=int(value.flags),
        cards=int(value.cards),
        unassigned=int(value.unassigned),
        group_photos=int(value.group_photos),
    )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def run_from_item(item: GalleryBuildItem) -> BuildRun:
    return BuildRun(
        job_id=item.job_id,
        studio_id=item.studio_id,
        run_id=item.run_id,
        state=item.state,
        requested_at=item.requested_at,
        requested_by=item.requested_by,
        progress=BuildProgress(
            phase=Phase(item.phase),
            photos_processed=int(item.photos_processed or 0),
            photos_total=_optional_int(item.photos_total),
            subjects_written=int(item.subjects_written or 0),
            subjects_total=_optional_int(item.subjects_total),
        ),
        started_at=item.started_at,
        finished_at=item.finished_at,
        attempts=int(item.attempts or 0),
        summary=_summary(item.summary),
        error=item.error,
        rerun=bool(item.rerun),
        published_run_id=item.published_run_id,
        published_at=item.published_at,
        discarded_run_ids=frozenset(item.discarded_run_ids or ()),
    )


def _item_from_run(run: BuildRun) -> GalleryBuildItem:
    return GalleryBuildItem(
        keys.job_pk(run.job_id),
        keys.GALLERY_BUILD_SK,
        job_id=run.job_id,
        studio_id=run.studio_id,
        run_id=run.run_id,
        state=run.state,
        phase=str(run.progress.phase),
        requested_at=run.requested_at,
        requested_by=run.requested_by,
        started_at=run.started_at,
        finished_at=run.finished_at,
        attempts=run.attempts,
        photos_processed=run.progress.photos_processed,
        photos_total=run.progress.photos_total,
        subjects_written=run.progress.subjects_written,
        subjects_total=run.progress.subjects_total,
        error=run.error,
        rerun=run.rerun,
        published_run_id=run.published_run_id,
        published_at=run.published_at,
        discarded_run_ids=set(run.discarded_run_ids) or None,
    )


def _record(job_id: str) -> GalleryBuildItem:
    return GalleryBuildItem(keys.job_pk(job_id), keys.GALLERY_BUILD_SK)


def _is_run(run_id: str, state: str) -> Any:
    return (GalleryBuildItem.run_id == run_id) & (GalleryBuildItem.state == state)


class GalleryBuildRepository:
    """The build record of each job. Every change is conditional on the run it concerns, so
    two requests or two deliveries never both win."""

    def current(self, job_id: str) -> BuildRun | None:
        try:
            item = GalleryBuildItem.get(
                keys.job_pk(job_id), keys.GALLERY_BUILD_SK, consistent_read=True
            )
        except DoesNotExist:
            return None
        return run_from_item(item)

    def create(self, run: BuildRun, replacing: BuildRun | None) -> bool:
        """Store a new queued run if the record is still `replacing`; False if it changed."""
        if replacing is None:
            condition = TableItem.pk.does_not_exist()
        else:
            condition = _is_run(replacing.run_id, replacing.state)
        try:
            _item_from_run(run).save(condition=condition)
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def request_rerun(self, run: BuildRun) -> bool:
        """Ask the running `run` to queue another run when it finishes."""
        return self._update(
            run.job_id, [GalleryBuildItem.rerun.set(True)], _is_run(run.run_id, RUNNING)
        )

    def start(self, job_id: str, run_id: str, now: datetime) -> BuildRun | None:
        """Mark the run running for this delivery: a queued run, or a running one whose worker
        is gone. None when the run is finished, replaced or being built by a live worker."""
        stale = (GalleryBuildItem.state == RUNNING) & (
            GalleryBuildItem.started_at < now - STALE_RUNNING
        )
        item = _record(job_id)
        try:
            item.update(
                actions=[
                    GalleryBuildItem.state.set(RUNNING),
                    GalleryBuildItem.phase.set(str(Phase.LOADING)),
                    GalleryBuildItem.started_at.set(now),
                    GalleryBuildItem.attempts.add(1),
                    GalleryBuildItem.photos_processed.set(0),
                    GalleryBuildItem.subjects_written.set(0),
                    GalleryBuildItem.error.remove(),
                ],
                condition=(GalleryBuildItem.run_id == run_id)
                & ((GalleryBuildItem.state == QUEUED) | stale),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                return None
            raise
        return run_from_item(item)

    def report(self, run: BuildRun, progress: BuildProgress) -> None:
        """Record progress; raises BuildSuperseded when the run is no longer running."""
        actions = [
            GalleryBuildItem.phase.set(str(progress.phase)),
            GalleryBuildItem.photos_processed.set(progress.photos_processed),
            GalleryBuildItem.subjects_written.set(progress.subjects_written),
        ]
        if progress.photos_total is not None:
            actions.append(GalleryBuildItem.photos_total.set(progress.photos_total))
        if progress.subjects_total is not None:
            actions.append(GalleryBuildItem.subjects_total.set(progress.subjects_total))
        if not self._update(run.job_id, actions, _is_run(run.run_id, RUNNING)):
            raise BuildSuperseded(run.run_id)

    def publish(self, run: BuildRun, summary: BuildSummary, now: datetime) -> BuildRun:
        """Finish the run and show its results instead of the previous run's, whose results
        join ``discarded_run_ids``. Raises BuildSuperseded if the run is no longer running."""
        actions: list[Any] = [
            GalleryBuildItem.state.set(DONE),
            GalleryBuildItem.phase.set(str(Phase.DONE)),
            GalleryBuildItem.finished_at.set(now),
            GalleryBuildItem.summary.set(BuildSummaryMap(**summary.__dict__)),
            GalleryBuildItem.published_run_id.set(run.run_id),
            GalleryBuildItem.published_at.set(now),
        ]
        if run.published_run_id and run.published_run_id != run.run_id:
            actions.append(GalleryBuildItem.discarded_run_ids.add({run.published_run_id}))
        item = _record(run.job_id)
        try:
            item.update(actions=actions, condition=_is_run(run.run_id, RUNNING))
        except UpdateError as exc:
            if condition_failed(exc):
                raise BuildSuperseded(run.run_id) from exc
            raise
        return run_from_item(item)

    def fail(self, run: BuildRun, error: str, now: datetime) -> bool:
        """Give the run up; its partial results are discarded."""
        return self._update(
            run.job_id,
            [
                GalleryBuildItem.state.set(FAILED),
                GalleryBuildItem.finished_at.set(now),
                GalleryBuildItem.error.set(error),
                GalleryBuildItem.discarded_run_ids.add({run.run_id}),
            ],
            (GalleryBuildItem.run_id == run.run_id) & GalleryBuildItem.state.is_in(QUEUED, RUNNING),
        )

    def release(self, run: BuildRun, error: str) -> None:
        """Hand a run that hit an unexpected error back to the queue's retry."""
        self._update(
            run.job_id,
            [
                GalleryBuildItem.state.set(QUEUED),
                GalleryBuildItem.phase.set(str(Phase.QUEUED)),
                GalleryBuildItem.error.set(error),
            ],
            _is_run(run.run_id, RUNNING),
        )

    def forget_discarded(self, job_id: str, run_ids: Iterable[str]) -> None:
        ids = set(run_ids)
        if ids:
            delete = GalleryBuildItem.discarded_run_ids.delete(ids)
            self._update(job_id, [delete], TableItem.pk.exists())  # never re-create the record

    def delete(self, job_id: str) -> None:
        _record(job_id).delete()

    @staticmethod
    def _update(job_id: str, actions: list[Any], condition: Any) -> bool:
        try:
            _record(job_id).update(actions=actions, condition=condition)
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
        return True
