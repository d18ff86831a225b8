"""Gallery building: sort a job's photos into one gallery per subject, never guessing silently.

Per album, in capture order, a card photo (one of our tags for this job) starts its subject's run
and the following photos belong to it until the next card. Anything doubtful is flagged for
review, and photos that cannot be placed safely are held in ``unassigned``. Manual decisions are
inputs, so they win on every rebuild, and the same input always gives the same output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from chalicelib.domain.gallery_model import (
    READY,
    DecodedCode,
    FlagKind,
    GalleryBuild,
    GallerySubject,
    GapPolicy,
    ManualDecisions,
    PhotoRecord,
    ReviewFlag,
    class_key,
)
from chalicelib.domain.gallery_runs import AlbumWalk, RunStart
from chalicelib.domain.gallery_sequence import name_key, order_album

__all__ = [
    "DecodedCode",
    "FlagKind",
    "GalleryBuild",
    "GallerySubject",
    "GapPolicy",
    "ManualDecisions",
    "PhotoRecord",
    "ReviewFlag",
    "build_galleries",
]


def build_galleries(
    job_id: str,
    photos: Iterable[PhotoRecord],
    subjects: Sequence[GallerySubject],
    *,
    group_albums: Mapping[str, str | None] | None = None,
    decisions: ManualDecisions | None = None,
    gap_policy: GapPolicy | None = None,
) -> GalleryBuild:
    """Build every gallery of job `job_id` from its photos and subjects.

    `group_albums` maps the albums holding group photos to their class (None: the album's name is
    the class); in those albums photos before the first card are the class's group photos instead
    of being flagged. `decisions` are the review decisions to apply (see ``ManualDecisions``).
    Photos that are not ``ready`` are left out and flagged. Pure and deterministic: the order of
    `photos` does not matter, galleries follow the order of `subjects`.
    """
    build = _Build(
        job_id,
        {s.subject_id: s for s in subjects},
        dict(group_albums or {}),
        decisions or ManualDecisions(),
        gap_policy or GapPolicy(),
    )
    if len(build.subjects) != len(subjects):
        raise ValueError("duplicate subject ids")
    for album, album_photos in build.albums(photos):
        build.walk_album(album, album_photos)
    build.flag_repeated_starts()
    return build.result(subjects)


@dataclass
class _Build:
    job_id: str
    subjects: dict[str, GallerySubject]
    group_albums: dict[str, str | None]
    decisions: ManualDecisions
    gap_policy: GapPolicy
    own: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    group: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cards: list[str] = field(default_factory=list)
    unassigned: list[str] = field(default_factory=list)
    flags: list[ReviewFlag] = field(default_factory=list)
    sequence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    album_of: dict[str, str] = field(default_factory=dict)
    starts: defaultdict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def albums(self, photos: Iterable[PhotoRecord]) -> list[tuple[str, list[PhotoRecord]]]:
        by_album: defaultdict[str, list[PhotoRecord]] = defaultdict(list)
        not_ready: defaultdict[str, list[str]] = defaultdict(list)
        seen: set[str] = set()
        for photo in photos:
            if photo.photo_id in seen:
                raise ValueError(f"photo {photo.photo_id} given twice")
            seen.add(photo.photo_id)
            if photo.photo_id in self.decisions.excluded:
                continue
            album = self.decisions.moved.get(photo.photo_id, photo.album)
            if photo.state != READY:
                not_ready[album].append(photo.photo_id)
                continue
            by_album[album].append(photo if album == photo.album else replace(photo, album=album))
        for album, ids in sorted(not_ready.items()):
            self.flags.append(
                ReviewFlag(
                    FlagKind.NOT_READY,
                    album,
                    tuple(sorted(ids)),
                    f"{len(ids)} photo(s) in album {album} are still processing or failed; "
                    "they are in no gallery",
                )
            )
        return sorted(by_album.items(), key=lambda item: name_key(item[0]))

    def walk_album(self, album: str, photos: list[PhotoRecord]) -> None:
        order = order_album(photos)
        ids = tuple(p.photo_id for p in order.photos)
        self.sequence[album] = ids
        for photo_id in ids:
            self.position[photo_id] = len(self.position)
            self.album_of[photo_id] = album
        if order.untimed:
            self.flags.append(_untimed_flag(album, order.untimed, order.all_untimed))
        walk = AlbumWalk(self.job_id, album, self.subjects, self.decisions, self.gap_policy, order)
        walk.run()
        self.flags.extend(walk.flags)
        for photo_id, class_name in walk.group_photos:
            self.group[class_name or self._album_class(album)].append(photo_id)
        before = walk.before_first_start
        if before and album in self.group_albums:
            self.group[self._album_class(album)].extend(before)
        elif before:
            self.unassigned.extend(before)
            self.flags.append(
                ReviewFlag(
                    FlagKind.BEFORE_FIRST_CARD,
                    album,
                    (before[0],),
                    f"{len(before)} photo(s) before the first card of album {album} belong to "
                    "nobody yet",
                    held_photo_ids=tuple(before),
                )
            )
        for run in walk.runs:
            self._place_run(album, run)

    def _place_run(self, album: str, run: RunStart) -> None:
        if run.held:
            (self.cards if run.is_card else self.unassigned).append(run.photo_id)
            self.unassigned.extend(run.photos)
            return
        if run.is_card:
            self.cards.append(run.photo_id)
            visible = run.photos
        else:
            visible = [run.photo_id, *run.photos]
        for subject_id in run.subject_ids:
            self.own[subject_id].extend(visible)
            self.starts[subject_id].append((album, run.photo_id))

    def flag_repeated_starts(self) -> None:
        for subject_id, starts in self.starts.items():
            if len(starts) < 2:
                continue
            subject = self.subjects[subject_id]
            where = ", ".join(f"{photo} ({album})" for album, photo in starts)
            self.flags.append(
                ReviewFlag(
                    FlagKind.SUBJECT_STARTED_TWICE,
                    starts[0][0],
                    tuple(photo for _, photo in starts),
                    f"{subject.name} ({subject.class_name}) starts {len(starts)} times: {where}; "
                    "all their runs are in their gallery",
                    subject_ids=(subject_id,),
                )
            )

    def result(self, subjects: Sequence[GallerySubject]) -> GalleryBuild:
        decided = self._apply_assignments()

        def ordered(ids: Iterable[str]) -> tuple[str, ...]:
            kept = {i for i in ids if i not in decided}
            return tuple(sorted(kept, key=self.position.__getitem__))

        group = {
            class_name: ordered(ids)
            for class_name, ids in sorted(self.group.items(), key=lambda kv: name_key(kv[0]))
        }
        group_by_class: dict[str, tuple[str, ...]] = {}
        for class_name, ids in group.items():  # "3a" and "3A " are one class
            key = class_key(class_name)
            group_by_class[key] = ordered((*group_by_class.get(key, ()), *ids))
        galleries: dict[str, tuple[str, ...]] = {}
        for s in subjects:
            own = tuple(sorted(set(self.own.get(s.subject_id, ())), key=self.position.__getitem__))
            extra = group_by_class.get(class_key(s.class_name), ())
            own_set = set(own)
            galleries[s.subject_id] = own + tuple(i for i in extra if i not in own_set)
        flags = [f for f in self.flags if not self._resolved(f)]
        flags.sort(key=lambda f: (self._flag_position(f), list(FlagKind).index(f.kind)))
        return GalleryBuild(
            galleries=galleries,
            card_photo_ids=ordered(self.cards),
            group_photos=group,
            unassigned=ordered(self.unassigned),
            flags=tuple(flags),
            sequence=dict(self.sequence),
            subjects_without_photos=tuple(
                s.subject_id for s in subjects if not galleries[s.subject_id]
            ),
        )

    def _apply_assignments(self) -> set[str]:
        # Manual assignments replace wherever the sequence put a photo; decisions about photos
        # that are gone or not ready are ignored.
        assignments = self.decisions.assignments
        decided = {photo_id for photo_id in assignments if photo_id in self.position}
        for photo_ids in self.own.values():
            photo_ids[:] = [p for p in photo_ids if p not in decided]
        for photo_id in sorted(decided, key=self.position.__getitem__):
            unknown = [s for s in assignments[photo_id] if s not in self.subjects]
            if unknown:
                self.flags.append(
                    ReviewFlag(
                        FlagKind.DECISION_UNKNOWN_SUBJECT,
                        self.album_of[photo_id],
                        (photo_id,),
                        f"photo {photo_id} is assigned to unknown subject(s) {', '.join(unknown)}",
                        subject_ids=tuple(unknown),
                    )
                )
            for subject_id in assignments[photo_id]:
                if subject_id in self.subjects:
                    self.own[subject_id].append(photo_id)
        return decided

    def _resolved(self, flag: ReviewFlag) -> bool:
        if flag.key in self.decisions.accepted_flags:
            return True
        if flag.kind not in _RESOLVED_BY_PLACEMENT:
            return False
        concerned = (*flag.photo_ids, *flag.held_photo_ids)
        d = self.decisions
        return bool(concerned) and all(
            p in d.assignments or p in d.group_photos or p in d.excluded for p in concerned
        )

    def _flag_position(self, flag: ReviewFlag) -> int:
        return min((self.position.get(p, -1) for p in flag.photo_ids), default=-1)

    def _album_class(self, album: str) -> str:
        return self.group_albums.get(album) or album


# Flags that a person answers by placing every photo concerned (assign, mark group, exclude);
# the others stay until accepted.
_RESOLVED_BY_PLACEMENT = frozenset(
    {
        FlagKind.UNREADABLE_CARD,
        FlagKind.FOREIGN_CODE,
        FlagKind.OTHER_JOB_TAG,
        FlagKind.UNKNOWN_SUBJECT,
        FlagKind.BEFORE_FIRST_CARD,
        FlagKind.LONG_GAP,
        FlagKind.NO_CAPTURE_TIME,
    }
)


def _untimed_flag(album: str, untimed: tuple[str, ...], all_untimed: bool) -> ReviewFlag:
    if all_untimed:
        message = f"no photo in album {album} has a capture time; they are in file-name order"
    else:
        message = (
            f"{len(untimed)} photo(s) in album {album} have no capture time; each follows the "
            "photo before it in file-name order"
        )
    return ReviewFlag(FlagKind.NO_CAPTURE_TIME, album, untimed, message)
