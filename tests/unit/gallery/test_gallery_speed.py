import random
import time
from datetime import datetime, timedelta

from chalicelib.domain.gallery_builder import (
    DecodedCode,
    GallerySubject,
    ManualDecisions,
    PhotoRecord,
    build_galleries,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.tags import make_tag


def test_ten_thousand_photos_of_2500_subjects_build_well_under_a_second():
    job = new_id()
    subjects = [GallerySubject(new_id(), f"Kid {i}", f"{i // 25}") for i in range(2500)]
    photos = []
    start = datetime(2025, 5, 6, 8, 0)
    for index in range(10_000):
        subject = subjects[index // 4]
        codes = (DecodedCode(make_tag(job, subject.subject_id), True),) if index % 4 == 0 else ()
        photos.append(
            PhotoRecord(
                photo_id=f"P{index:05d}",
                album=subject.class_name,
                file_name=f"IMG_{index:05d}.JPG",
                captured_at=(
                    start + timedelta(seconds=7 * index, milliseconds=index % 1000)
                ).isoformat(),
                camera_serial=f"CAM{index % 2}",
                codes=codes,
            )
        )
    random.Random(1).shuffle(photos)
    decisions = ManualDecisions(
        assignments={f"P{i:05d}": (subjects[0].subject_id,) for i in range(1, 400, 4)}
    )

    started = time.perf_counter()
    result = build_galleries(job, photos, subjects, decisions=decisions)
    elapsed = time.perf_counter() - started

    assert len(result.card_photo_ids) == 2500
    assert sum(len(ids) for ids in result.galleries.values()) == 7500
    assert result.flags == ()
    print(f"built in {elapsed:.3f} s")
    assert elapsed < 1.0, f"{elapsed:.3f} s"
