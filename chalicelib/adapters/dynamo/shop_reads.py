"""The shop's reads, batched: every key a session's request needs is known from the session, so
each step is one ``BatchGetItem`` whatever the number of children or jobs in the cart.

1. :meth:`ShopReads.snapshot`: the jobs, subjects, registration marks, gallery build records and
   shared-code records of the session's entries, and, given the build run each job had when the
   session's token was issued, the subjects' galleries of that run;
2. :meth:`ShopReads.galleries`: the subjects' galleries of the published build runs, only when the
   snapshot's guess was wrong or missing (a rebuild since login, an older token);
3. :meth:`ShopReads.photos`: the photos of those galleries.

A gallery listing is therefore two requests (1 and 3) unless the job was rebuilt since login.

Items are converted by their owners' functions (jobs, subjects, builds, galleries, photos)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.gallery_builds_repository import run_from_item
from chalicelib.adapters.dynamo.gallery_results_repository import (
    GalleryResultRepository,
    gallery_entry_from_item,
)
from chalicelib.adapters.dynamo.jobs_repository import job_from_item
from chalicelib.adapters.dynamo.models import (
    GalleryBuildItem,
    GalleryItem,
    JobItem,
    PhotoItem,
    RegisteredItem,
    SharedCodeItem,
    SubjectItem,
    TableItem,
)
from chalicelib.adapters.dynamo.photos_repository import photo_from_item
from chalicelib.adapters.dynamo.subjects_repository import subject_from_item
from chalicelib.domain.build_runs import BuildRun
from chalicelib.domain.gallery_results import GalleryEntry
from chalicelib.domain.jobs import Job
from chalicelib.domain.photos import Photo
from chalicelib.domain.shop_sessions import SessionEntry
from chalicelib.domain.subjects import Subject


@dataclass
class ShopSnapshot:
    """What the shop knows about a session's entries, from one batched read."""

    jobs: dict[str, Job] = field(default_factory=dict)
    subjects: dict[tuple[str, str], Subject] = field(default_factory=dict)  # (job, subject)
    registered: set[tuple[str, str]] = field(default_factory=set)  # (job, registration key)
    builds: dict[str, BuildRun] = field(default_factory=dict)
    shared_codes: dict[str, str] = field(default_factory=dict)  # job -> canonical code
    # (job, run, subject) -> gallery, for every guessed gallery key that was read (None: absent)
    galleries: dict[tuple[str, str, str], GalleryEntry | None] = field(default_factory=dict)

    def subject(self, entry: SessionEntry) -> Subject | None:
        if entry.subject_id is None:
            return None
        return self.subjects.get((entry.job_id, entry.subject_id))

    def is_registered(self, entries: Iterable[SessionEntry]) -> bool:
        return any((e.job_id, e.registration_key) in self.registered for e in entries)

    def published_run(self, job_id: str) -> str | None:
        build = self.builds.get(job_id)
        return build.published_run_id if build else None

    def published_runs(self) -> dict[str, str]:
        """Job -> its published build run, for the jobs that have one."""
        return {
            job: run.published_run_id for job, run in self.builds.items() if run.published_run_id
        }


class ShopReads:
    def __init__(self, results: GalleryResultRepository | None = None) -> None:
        self._results = results or GalleryResultRepository()

    def snapshot(
        self, entries: Iterable[SessionEntry], build_runs: Mapping[str, str] | None = None
    ) -> ShopSnapshot:
        """One ``BatchGetItem`` (a session holds at most 10 entries: at most 50 keys). With
        ``build_runs`` (job -> the run its galleries are expected in), the galleries of the
        entries' subjects in those runs are read in the same request."""
        build_runs = build_runs or {}
        # (pk, sk) -> (job id, registration key): what each key stands for
        wanted: dict[tuple[str, str], tuple[str, str]] = {}
        galleries: dict[tuple[str, str], tuple[str, str, str]] = {}  # key -> (job, run, subject)
        for entry in entries:
            job_pk, what = keys.job_pk(entry.job_id), (entry.job_id, entry.registration_key)
            wanted[(job_pk, keys.JOB_SK)] = what
            wanted[(job_pk, keys.GALLERY_BUILD_SK)] = what
            wanted[(job_pk, keys.registered_sk(entry.registration_key))] = what
            if entry.subject_id is None:
                wanted[(job_pk, keys.SHARED_CODE_SK)] = what
                continue
            wanted[(job_pk, keys.subject_sk(entry.subject_id))] = what
            run = build_runs.get(entry.job_id)
            if run:
                gallery_key = (
                    keys.build_results_pk(entry.job_id, run),
                    keys.gallery_sk(entry.subject_id),
                )
                galleries[gallery_key] = (entry.job_id, run, entry.subject_id)
        snapshot = ShopSnapshot(galleries=dict.fromkeys(galleries.values()))
        for item in TableItem.batch_get([*wanted, *galleries], consistent_read=True):
            if isinstance(item, GalleryItem):
                snapshot.galleries[galleries[(item.pk, item.sk)]] = gallery_entry_from_item(item)
            else:
                self._add(snapshot, item, *wanted[(item.pk, item.sk)])
        return snapshot

    @staticmethod
    def _add(snapshot: ShopSnapshot, item: TableItem, job_id: str, registration_key: str) -> None:
        if isinstance(item, JobItem):
            snapshot.jobs[item.job_id] = job_from_item(item)
        elif isinstance(item, SubjectItem):
            snapshot.subjects[(item.job_id, item.subject_id)] = subject_from_item(item)
        elif isinstance(item, GalleryBuildItem):
            snapshot.builds[item.job_id] = run_from_item(item)
        elif isinstance(item, RegisteredItem):
            snapshot.registered.add((job_id, registration_key))
        elif isinstance(item, SharedCodeItem):
            snapshot.shared_codes[job_id] = item.code

    def galleries(
        self, wanted: Iterable[tuple[str, str, str]]
    ) -> dict[tuple[str, str], GalleryEntry]:
        """The galleries of (job, published run, subject) triples, by (job, subject): one
        ``BatchGetItem`` per 100. A subject without a gallery in that run is left out."""
        by_key = {
            (keys.build_results_pk(job, run), keys.gallery_sk(subject)): job
            for job, run, subject in wanted
        }
        return {
            (by_key[(item.pk, item.sk)], item.subject_id): gallery_entry_from_item(item)
            for item in TableItem.batch_get(by_key)
            if isinstance(item, GalleryItem)
        }

    def all_galleries(self, job_id: str, run_id: str) -> list[GalleryEntry]:
        """Every subject's gallery of a run (a shared job's code opens them all): one Query."""
        return self._results.galleries(job_id, run_id)

    def photos(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Photo]:
        """Photos by (job, photo id): one ``BatchGetItem`` per 100, missing ones left out."""
        keys_wanted = {(keys.job_pk(job), keys.photo_sk(photo)) for job, photo in wanted}
        return {
            (item.job_id, item.photo_id): photo_from_item(item)
            for item in TableItem.batch_get(keys_wanted)
            if isinstance(item, PhotoItem)
        }
