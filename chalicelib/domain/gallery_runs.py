"""One album's walk: which photos start a subject's run, and what is doubtful about each run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.domain.gallery_model import (
    FlagKind,
    GallerySubject,
    GapPolicy,
    ManualDecisions,
    PhotoRecord,
    ReviewFlag,
)
from chalicelib.domain.gallery_sequence import AlbumOrder, median_gap_seconds
from chalicelib.domain.tags import parse_tag

_SHOWN_CODE_LENGTH = 60


@dataclass
class RunStart:
    """A photo that starts a run, and the photos that follow it until the next start.

    ``held``: the start is unusable (unreadable card, another job's card, unknown subject), so
    its photos go to nobody until reviewed. ``is_card``: the start photo shows a card and is
    hidden; a manually marked first portrait is not a card and stays in the gallery.
    """

    photo_id: str
    subject_ids: tuple[str, ...]
    is_card: bool
    held: bool = False
    photos: list[str] = field(default_factory=list)
    held_kind: FlagKind | None = None
    held_reason: str = ""


class AlbumWalk:
    """Splits one album's capture sequence into runs. Results are in the public attributes."""

    def __init__(
        self,
        job_id: str,
        album: str,
        subjects: Mapping[str, GallerySubject],
        decisions: ManualDecisions,
        gap_policy: GapPolicy,
        order: AlbumOrder,
    ) -> None:
        self._job_id = job_id
        self._album = album
        self._subjects = subjects
        self._decisions = decisions
        self._gap_policy = gap_policy
        self._order = order
        self._file_names = {p.photo_id: p.file_name for p in order.photos}
        self.runs: list[RunStart] = []
        self.before_first_start: list[str] = []
        self.group_photos: list[tuple[str, str | None]] = []
        self.flags: list[ReviewFlag] = []

    def run(self) -> None:
        current: RunStart | None = None
        for photo in self._order.photos:
            photo_id = photo.photo_id
            if photo_id in self._decisions.group_photos:
                # A group photo does not interrupt the run it was taken in.
                self.group_photos.append((photo_id, self._decisions.group_photos[photo_id]))
                continue
            start = self._start(photo)
            if start is not None:
                current = start
                self.runs.append(start)
            elif current is None:
                self.before_first_start.append(photo_id)
            else:
                current.photos.append(photo_id)
        threshold = self._gap_threshold()
        for run in self.runs:
            self._check_run(run, threshold)

    def _start(self, photo: PhotoRecord) -> RunStart | None:
        photo_id = photo.photo_id
        marks = self._decisions
        if photo_id in marks.card_marks:
            return self._marked(photo_id, marks.card_marks[photo_id], is_card=True)
        if photo_id in marks.first_photos:
            return self._marked(photo_id, marks.first_photos[photo_id], is_card=False)
        if not photo.codes and photo.undecodable_candidates <= 0:
            return None  # most photos: a plain portrait
        ours: list[str] = []
        other_jobs: list[str] = []
        foreign: list[str] = []
        damaged: list[str] = []
        for code in photo.codes:
            tag = parse_tag(code.value)
            if tag is None:
                (damaged if code.ours else foreign).append(code.value)
            elif tag.job_id == self._job_id:
                if tag.subject_id not in ours:
                    ours.append(tag.subject_id)
            else:
                other_jobs.append(tag.job_id)
        known = tuple(s for s in ours if s in self._subjects)
        unknown = [s for s in ours if s not in self._subjects]
        name = self._file_names[photo_id]
        if foreign:
            shown = ", ".join(repr(v[:_SHOWN_CODE_LENGTH]) for v in foreign)
            self._flag(
                FlagKind.FOREIGN_CODE,
                photo_id,
                f"{name} has a QR code that is not one of our cards ({shown}); "
                "it was not used for sorting",
            )
        unknown_reason = f"{name} is a card of subject(s) {', '.join(unknown)}, not on this job"
        other_reason = f"{name} is a card of another job ({', '.join(sorted(set(other_jobs)))})"
        if known:
            # Siblings share this start; any extra tags that are not usable are still reported.
            if unknown:
                self._flag(FlagKind.UNKNOWN_SUBJECT, photo_id, unknown_reason)
            if other_jobs:
                self._flag(FlagKind.OTHER_JOB_TAG, photo_id, other_reason)
            return RunStart(photo_id, known, is_card=True)
        if unknown:
            return _held(photo_id, FlagKind.UNKNOWN_SUBJECT, unknown_reason, is_card=True)
        if other_jobs:
            return _held(photo_id, FlagKind.OTHER_JOB_TAG, other_reason, is_card=True)
        if damaged or photo.undecodable_candidates > 0:
            seen = f"{photo.undecodable_candidates} unreadable symbol(s)"
            if damaged:
                seen += f" and damaged tag(s) {', '.join(repr(v) for v in damaged)}"
            reason = f"{name} looks like a card but no tag could be read (the decoder saw {seen})"
            return _held(photo_id, FlagKind.UNREADABLE_CARD, reason, is_card=False)
        return None

    def _marked(self, photo_id: str, subject_ids: tuple[str, ...], is_card: bool) -> RunStart:
        known = tuple(dict.fromkeys(s for s in subject_ids if s in self._subjects))
        unknown = [s for s in subject_ids if s not in self._subjects]
        if unknown:
            self._flag(
                FlagKind.DECISION_UNKNOWN_SUBJECT,
                photo_id,
                f"{self._file_names[photo_id]} is marked for unknown subject(s) "
                f"{', '.join(unknown)}",
            )
        if not known:
            reason = f"{self._file_names[photo_id]} is marked for no known subject"
            return _held(photo_id, FlagKind.UNKNOWN_SUBJECT, reason, is_card=is_card)
        return RunStart(photo_id, known, is_card=is_card)

    def _check_run(self, run: RunStart, threshold: float) -> None:
        if run.held:
            assert run.held_kind is not None
            after = (
                f"; the {len(run.photos)} photo(s) after it are held for review"
                if run.photos
                else ""
            )
            self.flags.append(
                ReviewFlag(
                    run.held_kind,
                    self._album,
                    (run.photo_id,),
                    run.held_reason + after,
                    held_photo_ids=tuple(run.photos),
                )
            )
            return
        names = " & ".join(self._subjects[s].name for s in run.subject_ids)
        if run.is_card and not run.photos:
            self._flag(
                FlagKind.NO_PHOTOS_AFTER_CARD,
                run.photo_id,
                f"no photos follow the card of {names} ({self._file_names[run.photo_id]})",
                run.subject_ids,
            )
        times = self._order.times
        previous = run.photo_id
        for photo_id in run.photos:
            if previous in times and photo_id in times:
                gap = (times[photo_id] - times[previous]).total_seconds()
                if gap > threshold:
                    self._flag(
                        FlagKind.LONG_GAP,
                        photo_id,
                        f"{gap / 60:.1f} min pause before {self._file_names[photo_id]} inside "
                        f"the photos of {names}: a card may be missing",
                        run.subject_ids,
                    )
            previous = photo_id

    def _gap_threshold(self) -> float:
        policy = self._gap_policy
        median = median_gap_seconds(self._order)
        if median is None:
            return policy.absolute_seconds
        relative = max(policy.median_factor * median, policy.min_relative_seconds)
        return min(policy.absolute_seconds, relative)

    def _flag(
        self, kind: FlagKind, photo_id: str, message: str, subject_ids: tuple[str, ...] = ()
    ) -> None:
        self.flags.append(ReviewFlag(kind, self._album, (photo_id,), message, (), subject_ids))


def _held(photo_id: str, kind: FlagKind, reason: str, is_card: bool) -> RunStart:
    return RunStart(photo_id, (), is_card=is_card, held=True, held_kind=kind, held_reason=reason)
