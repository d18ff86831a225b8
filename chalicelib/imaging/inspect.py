"""``photojobs inspect PATH...``: the photographer's offline pre-flight check of a shoot.

Runs exactly what the upload Lambda runs (``process_image``) on every photo and prints one JSON
line per photo to `out`, then one summary JSON line. A human-readable summary goes to `err`, so
`out` stays machine-readable. Exit code 0 when every photo is ready, 1 when any failed.

Folder layout: ``<job>/<album>/<files>``; a sub-folder named ``group`` inside an album holds
that album's group photos.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from chalicelib.imaging.formats import ImageRejected
from chalicelib.imaging.pipeline import ProcessedImage, process_image

GROUP_FOLDER = "group"
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".heic", ".heif"})


@dataclass
class _Summary:
    albums: set[Path] = field(default_factory=set)
    photos: int = 0
    group_photos: int = 0
    cards: int = 0
    foreign_codes: int = 0
    failed: int = 0
    unreadable_cards: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "albums": len(self.albums),
            "photos": self.photos,
            "group_photos": self.group_photos,
            "cards": self.cards,
            "foreign_codes": self.foreign_codes,
            "failed": self.failed,
            "unreadable_cards": self.unreadable_cards,
        }


def run_inspect(paths: list[str], out: TextIO, err: TextIO) -> int:
    """Inspect every photo under `paths`; 0 if all are ready, 1 if any failed or is missing."""
    summary = _Summary()
    missing = False
    for raw in paths:
        if not Path(raw).exists():
            err.write(f"inspect: {raw}: no such file or folder\n")
            missing = True
    for photo in _photos(paths):
        record = _inspect_one(photo, summary)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    out.write(json.dumps({"summary": summary.as_json()}) + "\n")
    _write_human_summary(summary, err)
    return 1 if summary.failed or missing else 0


def _photos(paths: list[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                candidate
                for candidate in path.rglob("*")
                if candidate.is_file()
                and candidate.suffix.lower() in PHOTO_SUFFIXES
                and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
            )


def _inspect_one(path: Path, summary: _Summary) -> dict[str, object]:
    summary.photos += 1
    in_group = path.parent.name.lower() == GROUP_FOLDER
    summary.group_photos += in_group
    summary.albums.add(path.parent.parent if in_group else path.parent)
    started = time.perf_counter()
    try:
        result = process_image(path.read_bytes(), watermark=None)
    except ImageRejected as rejected:
        summary.failed += 1
        return _record(path, None, "failed", rejected.message, started)
    except OSError as exc:
        summary.failed += 1
        return _record(path, None, "failed", f"cannot read the file: {exc.strerror}", started)
    ours = [code for code in result.codes if code.ours]
    summary.cards += bool(ours)
    summary.foreign_codes += len(result.codes) - len(ours)
    summary.unreadable_cards += not ours and result.undecodable_candidates > 0
    return _record(path, result, "ready", None, started)


def _record(
    path: Path, result: ProcessedImage | None, state: str, reason: str | None, started: float
) -> dict[str, object]:
    camera = None
    if result is not None:
        camera = (
            " ".join(part for part in (result.camera_make, result.camera_model) if part) or None
        )
    return {
        "file": str(path),
        "capture_time": result.capture_time if result else None,
        "camera": camera,
        "codes": [
            {"value": code.value, "format": code.symbology, "ours": code.ours}
            for code in (result.codes if result else [])
        ],
        # Symbols located but not readable: "looks like a card", with what the decoder saw.
        "unreadable": [
            {"format": seen.symbology, "box": list(seen.box), "seen": seen.seen}
            for seen in (result.undecodable if result else ())
        ],
        "state": state,
        "reason": reason,
        "ms": round((time.perf_counter() - started) * 1000),
    }


def _write_human_summary(summary: _Summary, err: TextIO) -> None:
    err.write(
        f"{summary.photos} photos in {len(summary.albums)} albums "
        f"({summary.group_photos} group photos): {summary.cards} with our card, "
        f"{summary.foreign_codes} foreign codes, {summary.failed} failed, "
        f"{summary.unreadable_cards} look like a card without a readable tag\n"
    )
