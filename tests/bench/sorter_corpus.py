"""Deterministic picture-day shoot for comparing gallery sorters, with a ground-truth manifest.

    python -m tests.bench.sorter_corpus [--out /tmp/photojobs-bench/sorter] [--seed 11] [--force]

One job, several albums (a class each, plus a siblings album). Per album, in capture order:
optionally a few warm-up shots before the first card, then per subject a card photo (the child
holds up the card from ``render_card_face``) followed by 2-5 portraits. Frames are 2400x1600
JPEGs made from scikit-image's bundled sample images (no download), with sensor noise. The
cases a sorter has to get right are planned explicitly (``PLANS``), not left to chance:

* unreadable cards: a softly blurred card (the decoder sees a symbol but cannot read it), a
  heavily blurred one and cards partly outside the frame (70 % and 45 % of the symbol visible);
* photos before the first card of an album (truth: nobody);
* two cameras in one album (camera A ``IMG_nnnn.JPG``, camera B ``DSC_nnnn.JPG``), capture times
  interleaved, EXIF DateTimeOriginal + SubSecTimeOriginal + OffsetTimeOriginal and body serial
  set; in some runs camera B's last frame falls in the same whole second as the next card (only
  the sub-seconds order them), and once camera B photographs the card;
* a photo without any EXIF (no capture time), once from each camera;
* a foreign QR code (a poster) in a portrait and in a card photo;
* sibling cards: one photo with two cards, whose portraits belong to both children.

Every file's modification time is set to its capture time (as when copied off the card with
times kept). ``manifest.json`` lists each photo with its true subject(s) (empty: nobody) and
case labels, plus the job id and all subjects. The output directory is never in the repository.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import segno
from PIL import Image, ImageEnhance, ImageFilter

from chalicelib.documents.card_face import MARGIN_MM, MM_PER_INCH, render_card_face
from chalicelib.domain.ids import ID_ALPHABET
from chalicelib.domain.tags import make_tag
from tests.bench.generate import (
    SCENES,
    SUBJECTS,
    TEXTURES,
    _add_sensor_noise,
    _cover,
    _load_sources,
    _perspective,
    _recompress,
    _symbol_side_on_card,
)

DEFAULT_OUT = "/tmp/photojobs-bench/sorter"  # never inside the repository
DEFAULT_SEED = 11
CORPUS_VERSION = 1
MANIFEST = "manifest.json"
FRAME_SIZE = (2400, 1600)
JPEG_QUALITY = 90
JOB_NAME = "Picture Day"
UTC_OFFSET = "+02:00"
ZONE = timezone(timedelta(hours=2))
DAY_START = datetime(2025, 5, 6, 8, 30)
ALBUM_SPACING = timedelta(minutes=50)
CARD_DPI = 300
# Readable cards: symbol side in frame pixels (4.4-9.6 px per module) and at most this much
# focus blur, in modules.
QR_SIDE_RANGE = (110, 240)
MAX_READABLE_BLUR_MODULES = 0.25
QR_MODULES = 25  # a PJ1 tag is a version 2 symbol

# Unreadable card kinds: Gaussian blur in modules, or share of the symbol inside the frame.
BLUR_MODULES = {"blur_soft": 0.45, "blur_heavy": 1.2}
CROP_VISIBLE = {"crop_70": 0.70, "crop_45": 0.45}
UNREADABLE_KINDS = (*BLUR_MODULES, *CROP_VISIBLE)

FIRST_NAMES = (
    "Mia", "Ben", "Léa", "Noah", "Zoë", "Emil", "Hannah", "Jonas", "Amira", "Luca", "Ida",
    "Felix", "Sofia", "Mats", "Nele", "Yusuf", "Clara", "Paul", "Lina", "Tom",
)  # fmt: skip
LAST_NAMES = (
    "Schulz", "Okafor", "Dubois", "Jansen", "Weiß", "Nowak", "Yilmaz", "Becker", "Rossi",
    "Hoffmann", "Kowalski", "Meyer", "Haddad", "Lindqvist", "Wagner",
)  # fmt: skip


@dataclass(frozen=True)
class Camera:
    key: str
    make: str
    model: str
    serial: str
    prefix: str
    first_number: int


CAMERAS = {
    "A": Camera("A", "Canon", "Canon EOS R6", "043021001234", "IMG_", 4101),
    "B": Camera("B", "NIKON CORPORATION", "NIKON Z 6", "6012877", "DSC_", 871),
}


@dataclass(frozen=True)
class AlbumPlan:
    """What happens in one album. Slots count runs (subjects, or sibling pairs) from 0."""

    name: str
    subjects: int = 0  # children of this class (a class album photographs each once)
    cameras: tuple[str, ...] = ("A",)
    warmup: int = 0  # photos before the first card (truth: nobody)
    warmup_camera: str = "A"
    unreadable: tuple[tuple[int, str], ...] = ()  # (slot, kind from UNREADABLE_KINDS)
    foreign_portrait: int | None = None  # slot whose first portrait shows a QR poster
    foreign_card: int | None = None  # slot whose card photo also shows a QR poster
    untimed: tuple[int, str] | None = None  # (slot, camera): its 2nd portrait has no EXIF
    camera_b_cards: tuple[int, ...] = ()  # slots whose card camera B photographs
    # slots whose last frame (camera B) falls in the same whole second as the next card
    subsec_ties: tuple[int, ...] = ()
    sibling_pairs: tuple[tuple[tuple[str, int], tuple[str, int]], ...] = ()  # ((class, n), ...)


PLANS = (
    AlbumPlan(
        "3a",
        subjects=7,
        warmup=2,
        unreadable=((3, "blur_soft"),),
        foreign_portrait=1,
        untimed=(5, "A"),
    ),
    AlbumPlan(
        "3b",
        subjects=7,
        cameras=("A", "B"),
        unreadable=((4, "crop_70"),),
        subsec_ties=(1, 5),
    ),
    AlbumPlan(
        "4a",
        subjects=6,
        cameras=("A", "B"),
        warmup=2,
        warmup_camera="B",
        unreadable=((2, "blur_heavy"),),
        untimed=(4, "B"),
        camera_b_cards=(3,),
        subsec_ties=(0,),
    ),
    AlbumPlan("4b", subjects=6, unreadable=((4, "crop_45"),), foreign_card=2),
    AlbumPlan(
        "siblings",
        sibling_pairs=((("3a", 0), ("4a", 1)), (("3b", 2), ("4b", 3)), (("3a", 5), ("3b", 6))),
    ),
)


@dataclass
class Shot:
    album: str
    camera: str
    moment: datetime  # local wall-clock time of the camera (UTC_OFFSET)
    truth: tuple[str, ...]  # subject ids; () for nobody
    cases: list[str]
    card_tags: tuple[str, ...] = ()  # cards held up in this photo
    card_kind: str = "readable"
    foreign: str | None = None  # value of a QR poster in the frame
    timed: bool = True
    file: str = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = parser.parse_args()
    manifest = ensure_corpus(Path(args.out), args.seed, force=args.force)
    print(describe(manifest))


def ensure_corpus(out: Path, seed: int = DEFAULT_SEED, *, force: bool = False) -> dict:
    """Generate the corpus in `out`, or reuse it when its manifest matches version and seed."""
    manifest_path = out / MANIFEST
    wanted = {"version": CORPUS_VERSION, "seed": seed, "frame": list(FRAME_SIZE)}
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("params") == wanted and all(
            (out / p["file"]).exists() for p in manifest["photos"]
        ):
            return manifest
    rng = random.Random(f"corpus:{seed}")
    job_id = _random_id(rng)
    subjects = _subjects(rng)
    shots = _plan_shots(rng, subjects)
    _number_files(shots)
    sources = _load_sources()
    out.mkdir(parents=True, exist_ok=True)
    by_id = {s["subject_id"]: s for s in subjects}
    for shot in shots:
        _write_photo(out, shot, job_id, by_id, sources)
    manifest = {
        "params": wanted,
        "job_id": job_id,
        "job_name": JOB_NAME,
        "albums": [plan.name for plan in PLANS],
        "cameras": {key: vars(camera) for key, camera in CAMERAS.items()},
        "subjects": subjects,
        "photos": [_manifest_entry(shot, job_id) for shot in shots],
    }
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def describe(manifest: dict) -> str:
    photos = manifest["photos"]
    lines = [
        f"{len(photos)} photos, {len(manifest['subjects'])} subjects, "
        f"{len(manifest['albums'])} albums, frames {FRAME_SIZE[0]}x{FRAME_SIZE[1]}"
    ]
    for album in manifest["albums"]:
        mine = [p for p in photos if p["album"] == album]
        cameras = sorted({p["camera"] for p in mine})
        cards = sum("card" in p["cases"] for p in mine)
        special = sorted({c for p in mine for c in p["cases"] if c not in ("card", "portrait")})
        lines.append(
            f"  {album:9} {len(mine):3} photos, {cards} cards, camera(s) {'+'.join(cameras)}: "
            + ", ".join(special)
        )
    return "\n".join(lines)


def _random_id(rng: random.Random) -> str:
    return "".join(rng.choice(ID_ALPHABET) for _ in range(12))


def _subjects(rng: random.Random) -> list[dict]:
    subjects = []
    for plan in PLANS:
        for _ in range(plan.subjects):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            subjects.append({"subject_id": _random_id(rng), "name": name, "class_name": plan.name})
    return subjects


def _plan_shots(rng: random.Random, subjects: list[dict]) -> list[Shot]:
    by_class: dict[str, list[str]] = {}
    for subject in subjects:
        by_class.setdefault(subject["class_name"], []).append(subject["subject_id"])
    shots: list[Shot] = []
    for index, plan in enumerate(PLANS):
        if plan.sibling_pairs:
            runs = [tuple(by_class[cls][n] for cls, n in pair) for pair in plan.sibling_pairs]
        else:
            runs = [(subject_id,) for subject_id in by_class.get(plan.name, [])]
        shots.extend(_album_shots(rng, plan, runs, DAY_START + index * ALBUM_SPACING))
    return shots


def _album_shots(
    rng: random.Random, plan: AlbumPlan, runs: list[tuple[str, ...]], start: datetime
) -> list[Shot]:
    shots: list[Shot] = []
    unreadable = dict(plan.unreadable)
    t = start
    for _ in range(plan.warmup):
        cases = ["before_first_card", *_camera_case(plan.warmup_camera)]
        shots.append(Shot(plan.name, plan.warmup_camera, _ms(t), (), cases))
        t += timedelta(seconds=rng.uniform(3, 6))
    t += timedelta(seconds=rng.uniform(15, 30))
    for slot, truth in enumerate(runs):
        kind = unreadable.get(slot, "readable")
        card_camera = "B" if slot in plan.camera_b_cards else "A"
        cases = ["card", *_camera_case(card_camera)]
        if len(truth) > 1:
            cases.append("sibling")
        if kind != "readable":
            cases.append(f"unreadable_card:{kind}")
        if plan.foreign_card == slot:
            cases.append("foreign_qr")
        card = Shot(plan.name, card_camera, _ms(t), truth, cases, truth, kind)
        if plan.foreign_card == slot:
            card.foreign = _foreign_value(rng)
        shots.append(card)
        t += timedelta(seconds=rng.uniform(5, 9))  # the child puts the card away and poses
        for number in range(rng.randint(2, 5)):
            camera = rng.choice(plan.cameras)
            untimed = plan.untimed is not None and plan.untimed[0] == slot and number == 1
            if untimed:
                assert plan.untimed is not None
                camera = plan.untimed[1]
            cases = ["portrait", *_camera_case(camera)]
            if len(truth) > 1:
                cases.append("sibling")
            if kind != "readable":
                cases.append(f"after_unreadable_card:{kind}")
            if untimed:
                cases.append("no_capture_time")
            shot = Shot(plan.name, camera, _ms(t), truth, cases, timed=not untimed)
            if plan.foreign_portrait == slot and number == 0:
                shot.foreign = _foreign_value(rng)
                cases.append("foreign_qr")
            shots.append(shot)
            t += timedelta(seconds=rng.uniform(1.2, 4.0))
        t += timedelta(seconds=rng.uniform(15, 30))  # the next child steps up
        if slot in plan.subsec_ties and slot + 1 < len(runs):
            # Camera B's last frame of this child and camera A's shot of the next card fall in
            # the same whole second: only SubSecTimeOriginal puts them in the right order.
            second = t.replace(microsecond=0)
            late = second + timedelta(milliseconds=rng.randint(150, 400))
            t = second + timedelta(milliseconds=rng.randint(650, 900))
            cases = ["portrait", *_camera_case("B"), "subsec_tie"]
            shots.append(Shot(plan.name, "B", late, truth, cases))
    return shots


def _camera_case(camera: str) -> list[str]:
    return ["camera_b"] if camera == "B" else []


def _ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _foreign_value(rng: random.Random) -> str:
    return f"https://example.org/poster/{rng.randint(1000, 9999)}"


def _number_files(shots: list[Shot]) -> None:
    """Each camera numbers its frames in the order it takes them, across albums."""
    counters = {key: camera.first_number for key, camera in CAMERAS.items()}
    for shot in sorted(shots, key=lambda s: s.moment):
        camera = CAMERAS[shot.camera]
        shot.file = f"{shot.album}/{camera.prefix}{counters[shot.camera]:04d}.JPG"
        counters[shot.camera] += 1


def _manifest_entry(shot: Shot, job_id: str) -> dict:
    return {
        "file": shot.file,
        "album": shot.album,
        "camera": shot.camera,
        "captured_at": shot.moment.isoformat(timespec="milliseconds") + UTC_OFFSET,
        "exif_time": shot.timed,
        "truth": list(shot.truth),
        "cases": shot.cases,
        "card_tags": [make_tag(job_id, s) for s in shot.card_tags],
        "card_kind": shot.card_kind if shot.card_tags else None,
        "foreign_qr": shot.foreign,
    }


def _write_photo(
    out: Path, shot: Shot, job_id: str, subjects: dict[str, dict], sources: dict
) -> None:
    rng = random.Random(f"photo:{shot.file}")
    frame = _scene(rng, sources)
    for slot, subject_id in enumerate(shot.card_tags):
        subject = subjects[subject_id]
        card = render_card_face(
            make_tag(job_id, subject_id), subject["name"], f"Class {subject['class_name']}",
            JOB_NAME, dpi=CARD_DPI,
        )  # fmt: skip
        _paste_card(rng, frame, card, shot.card_kind, slot, len(shot.card_tags))
    if shot.foreign:
        _paste_foreign(rng, frame, shot.foreign)
    frame = _add_sensor_noise(rng, frame)
    path = out / shot.file
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {"exif": _exif(shot)} if shot.timed else {}
    frame.save(path, "JPEG", quality=JPEG_QUALITY, **kwargs)
    # The file time is the true instant of capture (also for the photo without EXIF).
    stamp_ns = round(shot.moment.replace(tzinfo=ZONE).timestamp() * 1e9)
    os.utime(path, ns=(stamp_ns, stamp_ns))


def _exif(shot: Shot) -> Image.Exif:
    camera = CAMERAS[shot.camera]
    exif = Image.Exif()
    exif[0x010F] = camera.make
    exif[0x0110] = camera.model
    exif[0x0132] = shot.moment.strftime("%Y:%m:%d %H:%M:%S")  # DateTime
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = shot.moment.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    sub[0x9291] = f"{shot.moment.microsecond // 1000:03d}"  # SubSecTimeOriginal
    sub[0x9011] = UTC_OFFSET  # OffsetTimeOriginal
    sub[0xA431] = camera.serial  # BodySerialNumber
    return exif


def _scene(rng: random.Random, sources: dict[str, Image.Image]) -> Image.Image:
    width, height = FRAME_SIZE
    background = _cover(sources[rng.choice(SCENES)], FRAME_SIZE, rng)
    texture = _cover(sources[rng.choice(TEXTURES)], (width // 3, height // 3), rng)
    background = Image.blend(background, texture.resize(FRAME_SIZE, Image.Resampling.BICUBIC), 0.25)
    subject = sources[rng.choice(SUBJECTS)]
    scale = rng.uniform(1.6, 2.4)
    subject = subject.resize(
        (int(subject.width * scale), int(subject.height * scale)), Image.Resampling.BICUBIC
    )
    x = rng.randint(0, max(0, width - subject.width))
    y = rng.randint(0, max(0, height - subject.height))
    background.paste(subject, (x, y))
    return ImageEnhance.Brightness(background).enhance(rng.uniform(0.85, 1.1))


def _paste_card(
    rng: random.Random, frame: Image.Image, card: Image.Image, kind: str, slot: int, slots: int
) -> None:
    qr_side = rng.randint(*QR_SIDE_RANGE) if kind == "readable" else rng.randint(170, 230)
    module = qr_side / QR_MODULES
    scale = qr_side / _symbol_side_on_card(card)
    card = card.resize(
        (max(1, round(card.width * scale)), max(1, round(card.height * scale))),
        Image.Resampling.LANCZOS,
    )
    card = ImageEnhance.Brightness(card).enhance(rng.uniform(0.7, 1.15))
    card = ImageEnhance.Contrast(card).enhance(rng.uniform(0.7, 1.0))
    if kind in CROP_VISIBLE:
        # The card sticks out of the left edge of the frame: cut off the margin and part of the
        # symbol, and paste what is left against the edge.
        margin = MARGIN_MM / MM_PER_INCH * CARD_DPI * scale
        hidden = round(margin + qr_side * (1 - CROP_VISIBLE[kind]))
        card = card.crop((hidden, 0, card.width, card.height))
        tilt, roll = rng.uniform(-8, 8), rng.uniform(-4, 4)
    else:
        tilt, roll = rng.uniform(-30, 30), rng.uniform(-25, 25)
    warped, mask = _perspective(card, rng, tilt, roll)
    if kind in BLUR_MODULES:
        blur = BLUR_MODULES[kind] * module
    else:
        blur = min(rng.choice((0.0, 0.0, 0.6, 1.0)), MAX_READABLE_BLUR_MODULES * module)
    if blur:
        warped = warped.filter(ImageFilter.GaussianBlur(blur))
    warped = _recompress(warped, rng.randint(75, 90))
    width, height = FRAME_SIZE
    band = width // slots
    if kind in CROP_VISIBLE:
        x = 0
    else:
        x = rng.randint(band * slot, max(band * slot, band * (slot + 1) - warped.width))
    y = rng.randint(height // 3, max(height // 3, height - warped.height))
    frame.paste(warped, (x, y), mask)


def _paste_foreign(rng: random.Random, frame: Image.Image, value: str) -> None:
    side = rng.randint(200, 320)
    qr = segno.make_qr(value, error="m")
    modules = qr.symbol_size(scale=1, border=0)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, math.ceil(side / modules)), border=4)
    poster = Image.open(buffer).convert("RGB")
    warped, mask = _perspective(poster, rng, rng.uniform(-20, 20), rng.uniform(-10, 10))
    x = rng.randint(0, FRAME_SIZE[0] - warped.width)
    y = rng.randint(0, max(0, FRAME_SIZE[1] // 3 - warped.height // 2))
    frame.paste(warped, (x, y), mask)


if __name__ == "__main__":
    main()
