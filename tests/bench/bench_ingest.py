"""Ingest benchmark: speed and QR recall of ``process_image`` per QR strategy, with the floors.

    python -m tests.bench.bench_ingest [--photos N] [--out DIR] [--naive-photos N]

Runs on one core. Generates (once, cached) camera-sized photos with ground truth, then reports
per strategy the median / p90 ms of the whole ingest step (decode, QR, preview, thumbnail), QR
recall over the cards present, false codes, and the floors: full-scale JPEG decode, decode at
the draft scale the preview needs, and the naive approach (full decode + pyzbar at full size).
Also: recall on the real zxing sample photos (when ../shared/qr/zxing-samples exists), the cold
import time of the pipeline and the installed size of the image dependencies.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from PIL import Image
from pyzbar import pyzbar

from chalicelib.imaging.pipeline import draft_scale_for, process_image
from chalicelib.imaging.qr import DEFAULT_STRATEGY, STRATEGIES, QrStrategy
from chalicelib.imaging.watermark import WatermarkSpec
from tests.bench.generate import ensure_photos

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = "/tmp/photojobs-bench/photos"  # never inside the repository
DEFAULT_SAMPLES = REPO.parent / "shared" / "qr" / "zxing-samples"
WATERMARK = WatermarkSpec(text="PROOF · Studio Example", opacity=0.35)
IMAGE_DEPENDENCIES = ("pillow", "zxing-cpp", "pyzbar")


@dataclass
class Run:
    name: str
    ms: list[float] = field(default_factory=list)
    cards_present: int = 0
    cards_found: int = 0
    false_codes: int = 0
    undecodable: int = 0
    escalations: int = 0


def main() -> int:
    args = _parse_args()
    _pin_to_one_core()
    manifest = ensure_photos(Path(args.out), args.photos, args.seed)
    photos = [
        (photo, (Path(args.out) / photo["file"]).read_bytes()) for photo in manifest["photos"]
    ]
    print(f"{len(photos)} photos {manifest['frame'][0]}x{manifest['frame'][1]}, one core\n")

    strategies = [STRATEGIES[name] for name in args.strategies]
    runs = [Run(strategy.name) for strategy in strategies]
    naive = Run("naive: full decode + pyzbar")
    floor_full: list[float] = []
    floor_draft: list[float] = []
    for strategy in strategies:  # warm caches (watermark overlay, decoder tables)
        process_image(photos[0][1], watermark=WATERMARK, qr_strategy=strategy)
    # Measurements are interleaved photo by photo, so that load from other processes on a
    # shared machine hits floors and strategies alike and the ratios stay meaningful.
    for index, (photo, data) in enumerate(photos):
        floor_full.append(_time(lambda data=data: _decode_full(data)))
        floor_draft.append(_time(lambda data=data: _decode_draft(data)))
        for strategy, run in zip(strategies, runs, strict=True):
            _measure(run, strategy, photo, data)
        if index < args.naive_photos:
            _measure_naive(naive, photo, data)
        print(f"  {index + 1}/{len(photos)}", end="\r", file=sys.stderr, flush=True)

    _print_table(runs, naive, floor_full, floor_draft)
    chosen = next((run for run in runs if run.name == DEFAULT_STRATEGY.name), runs[0])
    _print_ratios(chosen, naive, floor_draft)
    samples = Path(args.samples)
    if samples.is_dir():
        _print_samples(samples, strategies)
    else:
        print(f"\nreal samples: {samples} not found, skipped")
    _print_import_time()
    _print_installed_sizes()
    return 0


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--naive-photos", type=int, default=12)
    parser.add_argument("--samples", default=str(DEFAULT_SAMPLES))
    parser.add_argument(
        "--strategies", nargs="+", default=list(STRATEGIES), choices=list(STRATEGIES)
    )
    return parser.parse_args()


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _time(action: object) -> float:
    assert callable(action)
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _decode_full(data: bytes) -> None:
    Image.open(io.BytesIO(data)).convert("RGB")


def _decode_draft(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    scale = draft_scale_for(max(image.size))
    image.draft("YCbCr", (image.width // scale, image.height // scale))
    image.load()


def _measure(run: Run, strategy: QrStrategy, photo: dict, data: bytes) -> None:
    started = time.perf_counter()
    result = process_image(data, watermark=WATERMARK, qr_strategy=strategy)
    run.ms.append((time.perf_counter() - started) * 1000)
    _score(run, photo, {code.value for code in result.codes})
    run.undecodable += result.undecodable_candidates
    run.escalations += "full_res_decode" in result.timings_ms


def _measure_naive(run: Run, photo: dict, data: bytes) -> None:
    started = time.perf_counter()
    gray = Image.open(io.BytesIO(data)).convert("L")
    symbols = pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])
    run.ms.append((time.perf_counter() - started) * 1000)
    _score(run, photo, {symbol.data.decode("utf-8", "replace") for symbol in symbols})


def _score(run: Run, photo: dict, decoded: set[str]) -> None:
    cards = {code["value"] for code in photo["codes"] if code["ours"]}
    everything = {code["value"] for code in photo["codes"]}
    run.cards_present += len(cards)
    run.cards_found += len(cards & decoded)
    run.false_codes += len(decoded - everything)


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _print_table(runs: list[Run], naive: Run, full: list[float], draft: list[float]) -> None:
    header = (
        f"{'step':<34} {'photos':>6} {'median ms':>10} {'p90 ms':>8} {'recall':>16} {'false':>6}"
    )
    print(header)
    print("-" * len(header))
    for name, values in (
        ("floor: JPEG decode, full scale", full),
        ("floor: JPEG decode, draft scale", draft),
    ):
        print(
            f"{name:<34} {len(values):>6} {statistics.median(values):>10.0f} {_p90(values):>8.0f}"
        )
    for run in [*runs, naive]:
        marker = " *" if run.name == DEFAULT_STRATEGY.name else ""
        recall = f"{run.cards_found}/{run.cards_present} {_pct(run):>5}"
        print(
            f"{'ingest: ' + run.name + marker:<34} {len(run.ms):>6} "
            f"{statistics.median(run.ms):>10.0f} {_p90(run.ms):>8.0f} {recall:>16} "
            f"{run.false_codes:>6} {run.escalations:>8}"
        )
    print(
        "(* = default strategy; recall = our cards decoded / cards present; false = decoded "
        "values not in ground truth; full-res = photos that needed the full-resolution retry)"
    )


def _pct(run: Run) -> str:
    if not run.cards_present:
        return "n/a"
    return f"{100 * run.cards_found / run.cards_present:.1f}%"


def _print_ratios(chosen: Run, naive: Run, draft: list[float]) -> None:
    ours = statistics.median(chosen.ms)
    print(
        f"\nmedian ingest / draft-scale decode floor: {ours / statistics.median(draft):.2f}x "
        "(target <= 2x)"
    )
    print(f"naive / ours (median): {statistics.median(naive.ms) / ours:.1f}x (target >= 5x)")
    print(f"undecodable candidates reported ({chosen.name}): {chosen.undecodable}")


def _print_samples(root: Path, strategies: list[QrStrategy]) -> None:
    samples = []
    for png in sorted(root.glob("qrcode-*/*.png")):
        expected = png.with_suffix(".txt")
        if expected.exists():
            samples.append((png.read_bytes(), _normalise(expected.read_text(encoding="utf-8"))))
    print(f"\nreal photos ({root.name}, {len(samples)} with expected text; target >= 167/179):")
    for strategy in strategies:
        found = 0
        wrong = 0
        started = time.perf_counter()
        for data, expected in samples:
            values = {
                _normalise(c.value)
                for c in process_image(data, watermark=None, qr_strategy=strategy).codes
            }
            found += expected in values
            wrong += len(values - {expected})
        elapsed = (time.perf_counter() - started) * 1000 / max(1, len(samples))
        print(f"  {strategy.name:<14} {found}/{len(samples)}  other values: {wrong}  ", end="")
        print(f"{elapsed:.0f} ms/photo")


def _normalise(text: str) -> str:
    # The expected-text files went through line-ending conversion; the symbols hold CRLF.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _print_import_time() -> None:
    command = [sys.executable, "-X", "importtime", "-c", "import chalicelib.imaging.pipeline"]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=True)
    wall = (time.perf_counter() - started) * 1000
    cumulative = 0
    for line in finished.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s+chalicelib\.imaging\.pipeline$", line)
        if match:
            cumulative = int(match.group(1))
    print(
        f"\nimport chalicelib.imaging.pipeline (cold process): {cumulative / 1000:.0f} ms "
        f"cumulative (-X importtime); whole interpreter start + import {wall:.0f} ms"
    )


def _print_installed_sizes() -> None:
    total = 0
    parts = []
    for name in IMAGE_DEPENDENCIES:
        size = _installed_size(name)
        total += size
        parts.append(f"{name} {size / 1e6:.1f} MB")
    print(f"installed size: {', '.join(parts)}; total {total / 1e6:.1f} MB (+ system libzbar)")


def _installed_size(name: str) -> int:
    try:
        files = metadata.distribution(name).files or []
    except metadata.PackageNotFoundError:
        return 0
    size = 0
    for file in files:
        path = Path(str(file.locate()))
        if path.is_file():
            size += path.stat().st_size
    return size


if __name__ == "__main__":
    raise SystemExit(main())
