"""A generated demo shoot for ``make run``: the seed's folder layout (one folder per class, a
``group`` folder), a QR card photo before each child's portraits, two cameras with EXIF capture
times. Made procedurally; small enough to upload in seconds. Like a real shoot it has a test
shot of the light before the first card, which the gallery build flags for review."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from chalicelib.documents.card_face import render_card_face
from chalicelib.domain.tags import make_tag

FRAME = (2400, 1600)
CAMERAS = (("Nikon", "Z 6II", "6012345"), ("Canon", "EOS R6", "0331002211"))


@dataclass(frozen=True)
class DemoChild:
    subject_id: str
    first_name: str
    last_name: str
    class_name: str


def _portrait(rng: random.Random, tint: tuple[int, int, int]) -> Image.Image:
    """A soft backdrop with a head-and-shoulders silhouette: looks like a school portrait."""
    image = Image.new("RGB", FRAME, tint)
    draw = ImageDraw.Draw(image)
    width, height = FRAME
    for y in range(0, height, 8):  # vertical backdrop gradient
        shade = int(40 * y / height)
        draw.rectangle((0, y, width, y + 8), fill=tuple(max(0, c - shade) for c in tint))
    cx = width // 2 + rng.randint(-200, 200)
    skin = rng.choice([(224, 184, 150), (198, 144, 110), (141, 96, 70), (240, 205, 180)])
    shirt = tuple(rng.randint(30, 200) for _ in range(3))
    draw.ellipse((cx - 520, 1050, cx + 520, 2000), fill=shirt)  # shoulders
    draw.ellipse((cx - 230, 420, cx + 230, 1000), fill=skin)  # face
    hair = rng.choice([(40, 30, 20), (120, 80, 40), (200, 170, 90), (20, 20, 20)])
    draw.chord((cx - 250, 360, cx + 250, 820), 180, 360, fill=hair)
    return image.filter(ImageFilter.GaussianBlur(2))


def _card_photo(rng: random.Random, child: DemoChild, job_id: str, job_name: str) -> Image.Image:
    frame = _portrait(rng, (150, 160, 170))
    tag = make_tag(job_id, child.subject_id)
    face = render_card_face(
        tag, f"{child.first_name} {child.last_name}", child.class_name, job_name, dpi=150
    )
    face = face.convert("RGB").rotate(rng.uniform(-12, 12), expand=True, fillcolor=(150, 160, 170))
    frame.paste(face, (FRAME[0] // 2 - face.width // 2, 900))
    return frame


def _save(image: Image.Image, path: Path, taken: datetime, camera: tuple[str, str, str]) -> None:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = camera[0], camera[1]
    exif[0x8769] = {
        0x9003: taken.strftime("%Y:%m:%d %H:%M:%S"),
        0x9291: f"{taken.microsecond // 10000:02d}",
        0x9011: "+01:00",
        0xA431: camera[2],
    }
    image.save(path, "JPEG", quality=88, exif=exif)


def write_demo_shoot(
    folder: Path, *, job_id: str, job_name: str, children: list[DemoChild], seed: int = 7
) -> int:
    """Write the shoot; returns the number of photos. Classes alternate cameras."""
    rng = random.Random(seed)  # noqa: S311 - deterministic demo pictures, not secrets
    taken = datetime(2026, 11, 23, 8, 30)
    count = 0
    classes = sorted({child.class_name for child in children})
    for index, class_name in enumerate(classes):
        album = folder / class_name
        album.mkdir(parents=True, exist_ok=True)
        camera = CAMERAS[index % len(CAMERAS)]
        tint = (rng.randint(90, 160), rng.randint(110, 170), rng.randint(140, 200))
        if index == 0:  # checking the light before the first child: belongs to nobody
            taken += timedelta(seconds=40)
            _save(_portrait(rng, tint), album / f"DSC_{count:04d}.jpg", taken, camera)
            count += 1
        for child in [c for c in children if c.class_name == class_name]:
            taken += timedelta(seconds=rng.randint(20, 50), microseconds=rng.randint(0, 990000))
            _save(
                _card_photo(rng, child, job_id, job_name),
                album / f"DSC_{count:04d}.jpg",
                taken,
                camera,
            )
            count += 1
            for _ in range(3):
                taken += timedelta(seconds=rng.randint(2, 6), microseconds=rng.randint(0, 990000))
                _save(_portrait(rng, tint), album / f"DSC_{count:04d}.jpg", taken, camera)
                count += 1
        group = folder / "group"
        group.mkdir(exist_ok=True)
        taken += timedelta(minutes=2)
        _save(_portrait(rng, (180, 170, 150)), group / f"{class_name}.jpg", taken, camera)
        count += 1
    return count
