"""The photos a shop session may see: its subjects' galleries of the published build, with the
group photos of their class; never a card photo (hidden), never another subject's gallery,
never a photo without its watermarked derivatives. Used by the gallery listing and, so that an
order can only hold photos the parent was shown, by ordering."""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

from chalicelib.adapters.dynamo.shop_reads import ShopReads, ShopSnapshot
from chalicelib.domain.gallery_results import GalleryEntry
from chalicelib.domain.photos import Photo
from chalicelib.domain.pricing import CartLine
from chalicelib.domain.shop_sessions import SessionEntry
from chalicelib.errors import NotFound

PORTRAIT = "portrait"
GROUP = "group"


@dataclass(frozen=True)
class ShopPhoto:
    photo: Photo
    kind: str  # portrait (the subject's own) | group (their class's)


@dataclass(frozen=True)
class SubjectGallery:
    job_id: str
    subject_id: str
    first_name: str
    last_name: str
    class_name: str
    photos: tuple[ShopPhoto, ...]


def shown(photo: Photo | None) -> bool:
    """Whether the shop may show a photo at all: processed, not hidden, with derivatives."""
    return (
        photo is not None
        and not photo.hidden
        and photo.state == "ready"
        and bool(photo.preview_key)
        and bool(photo.thumbnail_key)
    )


class SessionGalleries:
    def __init__(self, reads: ShopReads) -> None:
        self._reads = reads

    def load(self, snapshot: ShopSnapshot, entries: Iterable[SessionEntry]) -> list[SubjectGallery]:
        """The galleries of ``entries`` (whose jobs the caller has checked are visible), in
        session order: one ``BatchGetItem`` of photos per 100, plus one of galleries unless the
        snapshot already read them all from the published runs, plus one Query per shared job."""
        entries = list(entries)
        found: dict[tuple[str, str], GalleryEntry] = {}
        unread = []
        for entry in entries:
            run = snapshot.published_run(entry.job_id)
            if run and entry.subject_id and snapshot.subject(entry) is not None:
                wanted = (entry.job_id, run, entry.subject_id)
                if wanted not in snapshot.galleries:
                    unread.append(wanted)
                elif (read := snapshot.galleries[wanted]) is not None:
                    found[(entry.job_id, entry.subject_id)] = read
        if unread:
            found.update(self._reads.galleries(unread))
        named: list[tuple[str, str, str, str, GalleryEntry]] = []  # job, first, last, class
        for entry in entries:
            run = snapshot.published_run(entry.job_id)
            if run is None:
                continue
            subject = snapshot.subject(entry)
            if subject is not None and entry.subject_id is not None:
                gallery = found.get((entry.job_id, entry.subject_id))
                if gallery is not None:
                    named.append(
                        (
                            entry.job_id,
                            subject.first_name,
                            subject.last_name,
                            subject.class_name,
                            gallery,
                        )
                    )
            elif entry.subject_id is None:  # a shared code opens every gallery of its job
                for gallery in self._reads.all_galleries(entry.job_id, run):
                    named.append((entry.job_id, gallery.name, "", gallery.class_name, gallery))
        photos = self._reads.photos(
            (job_id, photo_id) for job_id, *_, gallery in named for photo_id in gallery.photo_ids
        )
        result = []
        for job_id, first, last, class_name, gallery in named:
            shown_photos = tuple(
                ShopPhoto(photo, PORTRAIT if index < gallery.own_photos else GROUP)
                for index, photo_id in enumerate(gallery.photo_ids)
                if shown(photo := photos.get((job_id, photo_id))) and photo is not None
            )
            result.append(
                SubjectGallery(job_id, gallery.subject_id, first, last, class_name, shown_photos)
            )
        return result


def photo_owners(galleries: Iterable[SubjectGallery], job_id: str) -> dict[str, str]:
    """Photo id -> the subject whose gallery shows it (the first one, for a group photo two
    siblings share), for the photos of ``job_id``."""
    owners: dict[str, str] = {}
    for gallery in galleries:
        if gallery.job_id == job_id:
            for item in gallery.photos:
                owners.setdefault(item.photo.photo_id, gallery.subject_id)
    return owners


def require_shown(lines: Sequence[CartLine], shown_photo_ids: Container[str]) -> None:
    """``NotFound`` naming every line whose photo the session is not shown: what a parent was
    not shown can neither be picked nor ordered."""
    missing = [i for i, line in enumerate(lines) if line.photo_id not in shown_photo_ids]
    if missing:
        raise NotFound(
            "photos not found in this gallery: "
            + ", ".join(dict.fromkeys(lines[i].photo_id for i in missing)),  # each photo once
            fields=[f"lines[{i}].photo_id" for i in missing],
        )
