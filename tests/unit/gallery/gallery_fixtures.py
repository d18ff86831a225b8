"""Helpers that describe a shoot the way a photographer would: card, photo, photo, card..."""

from datetime import datetime, timedelta

from chalicelib.domain.gallery_model import DecodedCode, GallerySubject, PhotoRecord
from chalicelib.domain.tags import make_tag

JOB = "J0B000000001"
OTHER_JOB = "J0B000000002"
BASE = datetime(2025, 5, 6, 9, 0, 0)

SUBJECTS = [
    GallerySubject("SBJAAAAAAAAA", "Anna Adler", "3a"),
    GallerySubject("SBJBBBBBBBBB", "Ben Braun", "3a"),
    GallerySubject("SBJCCCCCCCCC", "Carl Cohn", "3a"),
    GallerySubject("SBJDDDDDDDDD", "Dora Dorn", "4b"),
]
A, B, C, D = (s.subject_id for s in SUBJECTS)


def tag(subject_id: str, job_id: str = JOB) -> DecodedCode:
    return DecodedCode(make_tag(job_id, subject_id), ours=True)


def shoot(
    album: str,
    shots: list,
    *,
    start: int = 0,
    step: int = 10,
    camera: str = "CAM1",
    prefix: str = "",
) -> list[PhotoRecord]:
    """One photo per shot, `step` seconds apart. A shot is "p" (a portrait), a DecodedCode or a
    tuple of them (a card), "?" (looks like a card, nothing decoded), or a dict of PhotoRecord
    fields. Ids are <album>-<prefix><index>."""
    photos = []
    for index, shot in enumerate(shots):
        fields = {}
        if isinstance(shot, DecodedCode):
            fields["codes"] = (shot,)
        elif isinstance(shot, tuple):
            fields["codes"] = shot
        elif shot == "?":
            fields["undecodable_candidates"] = 1
        elif isinstance(shot, dict):
            fields.update(shot)
        moment = BASE + timedelta(seconds=start + index * step)
        photos.append(
            PhotoRecord(
                photo_id=f"{album}-{prefix}{index:02d}",
                album=album,
                file_name=f"IMG_{prefix}{index:04d}.JPG",
                captured_at=fields.pop("captured_at", moment.isoformat(timespec="milliseconds")),
                camera_serial=camera,
                **fields,
            )
        )
    return photos
