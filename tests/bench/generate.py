"""Deterministic generator of camera-sized test photos with QR cards, plus a ground-truth manifest.

    python -m tests.bench.generate --out /tmp/photojobs-bench/photos --photos 60 --seed 7

Frames are 6000x4000 JPEGs (quality 92) built from the real photographs that scikit-image ships
inside its wheel (no download), upscaled and combined, with sensor noise. About one in four holds
a card from ``render_card_face`` (one in seven of those holds two: siblings), pasted with
perspective tilt up to 35 degrees, in-plane rotation, a QR symbol of 120-600 px, blur, exposure
change and JPEG re-compression of the card. A few frames hold a foreign QR code (a poster).
The output directory is never part of the repository.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageEnhance, ImageFilter

from chalicelib.documents.card_face import QUIET_ZONE_MODULES, render_card_face
from chalicelib.domain.ids import ID_ALPHABET
from chalicelib.domain.tags import make_tag

FRAME_SIZE = (6000, 4000)
JPEG_QUALITY = 92
CARD_SHARE = 0.25
SIBLING_SHARE = 1 / 7
FOREIGN_SHARE = 0.04
QR_SIDE_RANGE = (120, 600)
MAX_TILT_DEG = 35.0
MAX_ROLL_DEG = 30.0
MANIFEST = "manifest.json"
GENERATOR_VERSION = 4

# Bundled in the scikit-image wheel (skimage/data/*.png|jpg); none needs pooch/network.
SCENES = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "retina", "camera")
SUBJECTS = ("astronaut", "chelsea", "coffee", "immunohistochemistry", "coins", "moon")
TEXTURES = ("gravel", "grass", "brick")
NAMES = ("Mia Schulz", "Ben Okafor", "Léa Dubois", "Noah Jansen", "Zoë Weiß", "Emil Nowak")


@dataclass
class Code:
    value: str
    ours: bool
    qr_side_px: int
    tilt_deg: float
    roll_deg: float
    blur_px: float
    box: tuple[int, int, int, int]


@dataclass
class Photo:
    file: str
    codes: list[Code] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/photojobs-bench/photos")
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--card-share", type=float, default=CARD_SHARE)
    args = parser.parse_args()
    manifest = ensure_photos(Path(args.out), args.photos, args.seed, args.card_share)
    print(f"{len(manifest['photos'])} photos in {args.out}")


def ensure_photos(out: Path, count: int, seed: int, card_share: float = CARD_SHARE) -> dict:
    """Generate (or reuse, when the manifest matches) `count` photos in `out`."""
    manifest_path = out / MANIFEST
    wanted = {"version": GENERATOR_VERSION, "seed": seed, "count": count, "cards": card_share}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("params") == wanted and all(
            (out / p["file"]).exists() for p in manifest["photos"]
        ):
            return manifest
    out.mkdir(parents=True, exist_ok=True)
    sources = _load_sources()
    photos = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        photo = _generate_photo(rng, index, sources, out, card_share)
        photos.append(asdict(photo))
        print(f"  generated {photo.file} ({len(photo.codes)} codes)", flush=True)
    manifest = {"params": wanted, "frame": FRAME_SIZE, "photos": photos}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def _load_sources() -> dict[str, Image.Image]:
    import skimage.data

    sources = {}
    for name in {*SCENES, *SUBJECTS, *TEXTURES}:
        array = getattr(skimage.data, name)()
        sources[name] = Image.fromarray(array).convert("RGB")
    return sources


def _generate_photo(
    rng: random.Random,
    index: int,
    sources: dict[str, Image.Image],
    out: Path,
    card_share: float,
) -> Photo:
    frame = _scene(rng, sources)
    photo = Photo(file=f"IMG_{index:04d}.jpg")
    if rng.random() < card_share:
        cards = 2 if rng.random() < SIBLING_SHARE else 1
        for slot in range(cards):
            photo.codes.append(_paste_card(rng, frame, slot, cards))
    if rng.random() < FOREIGN_SHARE:
        photo.codes.append(_paste_foreign(rng, frame))
    frame = _add_sensor_noise(rng, frame)
    frame.save(out / photo.file, "JPEG", quality=JPEG_QUALITY, subsampling=0 if index % 3 else 2)
    return photo


def _scene(rng: random.Random, sources: dict[str, Image.Image]) -> Image.Image:
    background = _cover(sources[rng.choice(SCENES)], FRAME_SIZE, rng)
    texture = _cover(sources[rng.choice(TEXTURES)], (FRAME_SIZE[0] // 3, FRAME_SIZE[1] // 3), rng)
    texture = texture.resize(FRAME_SIZE, Image.Resampling.BICUBIC)
    background = Image.blend(background, texture, 0.25)
    subject = sources[rng.choice(SUBJECTS)]
    scale = rng.uniform(4.0, 6.0)
    subject = subject.resize(
        (int(subject.width * scale), int(subject.height * scale)), Image.Resampling.BICUBIC
    )
    x = rng.randint(0, max(0, FRAME_SIZE[0] - subject.width))
    y = rng.randint(0, max(0, FRAME_SIZE[1] - subject.height))
    background.paste(subject, (x, y))
    return ImageEnhance.Brightness(background).enhance(rng.uniform(0.8, 1.15))


def _cover(image: Image.Image, size: tuple[int, int], rng: random.Random) -> Image.Image:
    scale = max(size[0] / image.width, size[1] / image.height) * rng.uniform(1.0, 1.3)
    big = image.resize(
        (math.ceil(image.width * scale), math.ceil(image.height * scale)),
        Image.Resampling.BICUBIC,
    )
    x = rng.randint(0, big.width - size[0])
    y = rng.randint(0, big.height - size[1])
    return big.crop((x, y, x + size[0], y + size[1]))


def _random_tag(rng: random.Random) -> str:
    def rid() -> str:
        return "".join(rng.choice(ID_ALPHABET) for _ in range(12))

    return make_tag(rid(), rid())


def _paste_card(rng: random.Random, frame: Image.Image, slot: int, slots: int) -> Code:
    tag = _random_tag(rng)
    card = render_card_face(tag, rng.choice(NAMES), f"Class {rng.randint(1, 9)}b", "Picture Day")
    qr_side = rng.randint(*QR_SIDE_RANGE)
    # The symbol (without quiet zone) on the 300 dpi card is 25 modules of 17 px.
    symbol_on_card = _symbol_side_on_card(card)
    scale = qr_side / symbol_on_card
    card = card.resize(
        (max(1, round(card.width * scale)), max(1, round(card.height * scale))),
        Image.Resampling.LANCZOS,
    )
    card = ImageEnhance.Brightness(card).enhance(rng.uniform(0.55, 1.2))
    card = ImageEnhance.Contrast(card).enhance(rng.uniform(0.6, 1.0))
    tilt = rng.uniform(-MAX_TILT_DEG, MAX_TILT_DEG)
    roll = rng.uniform(-MAX_ROLL_DEG, MAX_ROLL_DEG)
    warped, mask = _perspective(card, rng, tilt, roll)
    # "A little blurred": focus or motion blur of a few sensor pixels, at most 0.3 module.
    blur = min(rng.choice((0.0, 0.0, 0.8, 1.2, 1.6, 2.0, 2.5)), 0.3 * qr_side / 25)
    if blur:
        warped = warped.filter(ImageFilter.GaussianBlur(blur))
    warped = _recompress(warped, rng.randint(70, 90))
    band = FRAME_SIZE[0] // slots
    x = rng.randint(band * slot, max(band * slot, band * (slot + 1) - warped.width))
    y = rng.randint(FRAME_SIZE[1] // 3, max(FRAME_SIZE[1] // 3, FRAME_SIZE[1] - warped.height))
    frame.paste(warped, (x, y), mask)
    return Code(
        tag,
        True,
        qr_side,
        round(tilt, 1),
        round(roll, 1),
        round(blur, 2),
        (x, y, warped.width, warped.height),
    )


def _symbol_side_on_card(card: Image.Image) -> int:
    # Rendered cards use whole pixels per module: find the dark extent of the left square.
    gray = card.convert("L").crop((0, 0, card.height, card.height))
    box = Image.eval(gray, lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None
    return box[2] - box[0]


def _paste_foreign(rng: random.Random, frame: Image.Image) -> Code:
    value = f"https://example.org/poster/{rng.randint(1000, 9999)}"
    side = rng.randint(250, 500)
    qr = segno.make_qr(value, error="m")
    modules = qr.symbol_size(scale=1, border=0)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, side // modules), border=QUIET_ZONE_MODULES)
    poster = Image.open(buffer).convert("RGB")
    warped, mask = _perspective(poster, rng, rng.uniform(-20, 20), rng.uniform(-10, 10))
    x = rng.randint(0, FRAME_SIZE[0] - warped.width)
    y = rng.randint(0, FRAME_SIZE[1] // 3)
    frame.paste(warped, (x, y), mask)
    return Code(value, False, side, 0.0, 0.0, 0.0, (x, y, warped.width, warped.height))


def _perspective(
    image: Image.Image, rng: random.Random, tilt_deg: float, roll_deg: float
) -> tuple[Image.Image, Image.Image]:
    """Turn the card about its vertical axis by `tilt_deg`, then roll it in the image plane."""
    w, h = image.size
    tilt = math.radians(tilt_deg)
    pitch = math.radians(rng.uniform(-10, 10))
    focal = 3.0 * max(w, h)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    projected = []
    for cx, cy in corners:
        x1, z1 = cx * math.cos(tilt), cx * math.sin(tilt)
        y1, z2 = cy * math.cos(pitch), z1 + cy * math.sin(pitch)
        depth = focal / (focal + z2)
        projected.append((x1 * depth, y1 * depth))
    roll = math.radians(roll_deg)
    rolled = [
        (x * math.cos(roll) - y * math.sin(roll), x * math.sin(roll) + y * math.cos(roll))
        for x, y in projected
    ]
    min_x = min(p[0] for p in rolled)
    min_y = min(p[1] for p in rolled)
    target = [(x - min_x, y - min_y) for x, y in rolled]
    size = (
        math.ceil(max(p[0] for p in target)) + 1,
        math.ceil(max(p[1] for p in target)) + 1,
    )
    source = [(0, 0), (w, 0), (w, h), (0, h)]
    coeffs = _perspective_coeffs(target, source)
    warped = image.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", image.size, 255).transform(
        size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    return warped, mask


def _perspective_coeffs(
    target: list[tuple[float, float]], source: list[tuple[float, float]]
) -> list[float]:
    # Pillow maps each output pixel (x, y) back to the input: solve the 8 homography terms.
    rows = []
    rhs = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend((u, v))
    return [float(c) for c in np.linalg.solve(np.array(rows), np.array(rhs))]


def _recompress(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _add_sensor_noise(rng: random.Random, frame: Image.Image) -> Image.Image:
    generator = np.random.default_rng(rng.randrange(2**32))
    sigma = rng.uniform(2.0, 5.0)
    pixels = np.asarray(frame, dtype=np.int16)
    height, width = pixels.shape[:2]
    luma = generator.standard_normal((height, width), dtype=np.float32) * sigma
    pixels += luma.astype(np.int16)[..., None]
    # Chroma noise is coarser than luma noise on real sensors (demosaicing).
    chroma = generator.standard_normal((height // 2, width // 2, 3), dtype=np.float32)
    chroma = (chroma * (sigma / 2)).astype(np.int16).repeat(2, axis=0).repeat(2, axis=1)
    pixels[: chroma.shape[0], : chroma.shape[1]] += chroma
    np.clip(pixels, 0, 255, out=pixels)
    return Image.fromarray(pixels.astype(np.uint8))


if __name__ == "__main__":
    main()
