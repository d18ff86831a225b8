"""Compare our gallery builder with the open-source sorter qrimageindexer on one shoot corpus.

    python -m tests.bench.compare_sorters [--corpus DIR] [--work DIR] [--qri-python PATH]

The corpus comes from ``tests.bench.sorter_corpus`` (generated once, then cached). Both sorters
get the same JPEG files:

* ours: ``process_image`` on every photo (EXIF time, camera serial, QR codes, undecodable
  symbols), then ``build_galleries`` with the job's subjects, exactly as the cloud does;
* qrimageindexer 0.7.5 (PyPI), run as its README says: ``python -m qrImageIndexer -s IN OUT -p
  PREFIX``, one input folder per album (it knows no albums), prefix ``PJ1:`` (its docs advise a
  prefix when other QR codes may be in the photos). It copies each photo into the folder named
  by the last code seen in file-name order, photos before the first code into ``unsorted/``.
  It is also run with ``-d`` (order by file modification time; the corpus sets it to the true
  capture instant, its best case). It lives in its own virtualenv (default /tmp/qri-venv,
  created on first use): its dependencies (opencv-python, fpdf2, qrcode, tqdm) are not ours.

For each sorter and photo: correct (with exactly its subject(s), or kept out when its truth is
nobody), wrong and flagged (ours: a review flag names the photo or the card that starts its
run; qrimageindexer flags nothing), wrong and silent, incomplete (a sibling photo with only one
of the siblings) and unplaced (ours: held in ``unassigned``; theirs: ``unsorted/`` or a crash).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.domain.gallery_builder import (
    DecodedCode,
    FlagKind,
    GalleryBuild,
    GallerySubject,
    GapPolicy,
    PhotoRecord,
    build_galleries,
)
from chalicelib.domain.tags import TAG_PREFIX, make_tag, parse_tag
from chalicelib.imaging.pipeline import process_image
from tests.bench.sorter_corpus import DEFAULT_OUT, DEFAULT_SEED, describe, ensure_corpus

DEFAULT_WORK = "/tmp/photojobs-bench/sorter-compare"  # never inside the repository
DEFAULT_QRI_PYTHON = "/tmp/qri-venv/bin/python"
QRI_REQUIREMENT = "qrimageindexer==0.7.5"
QRI_PREFIX = f"{TAG_PREFIX}:"
QRI_UNSORTED = ("unsorted", "non_image_files")
# A flag of one of these kinds on a card photo means its run is held (not placed).
HELD_START_KINDS = frozenset(
    {FlagKind.UNREADABLE_CARD, FlagKind.OTHER_JOB_TAG, FlagKind.UNKNOWN_SUBJECT}
)
# Flags that do not question a photo's subject: the child also has another run (siblings
# session), or a poster is in the frame. A reviewer acting on them would not find a misplacement.
INCIDENTAL = frozenset({FlagKind.SUBJECT_STARTED_TWICE, FlagKind.FOREIGN_CODE})

GAP_POLICIES = (
    ("default (600 s, 3 x median, floor 10 s)", GapPolicy()),
    ("5 x median, floor 120 s (before)", GapPolicy(median_factor=5, min_relative_seconds=120)),
    ("3 x median, floor 60 s", GapPolicy(min_relative_seconds=60)),
    ("3 x median, floor 30 s", GapPolicy(min_relative_seconds=30)),
    ("3 x median, floor 15 s", GapPolicy(min_relative_seconds=15)),
)

CORRECT = "correct"
WRONG_FLAGGED = "wrong, flagged"
WRONG_SILENT = "wrong, SILENT"
INCOMPLETE = "incomplete"
UNPLACED = "unplaced"
OUTCOMES = (CORRECT, WRONG_FLAGGED, WRONG_SILENT, INCOMPLETE, UNPLACED)
SHORT = {CORRECT: "ok", WRONG_FLAGGED: "flag", WRONG_SILENT: "SILENT", INCOMPLETE: "part"}
SHORT[UNPLACED] = "unpl"


@dataclass
class Placement:
    subjects: frozenset[str]  # galleries (ours) or folders (theirs) the photo landed in
    flagged: bool = False
    note: str = ""  # why: the flags, or the folder


@dataclass
class SorterRun:
    name: str
    placements: dict[str, Placement]  # corpus file -> placement
    seconds: float
    timing: str
    notes: list[str] = field(default_factory=list)


def main() -> int:
    args = _parse_args()
    corpus = Path(args.corpus)
    started = time.perf_counter()
    manifest = ensure_corpus(corpus, args.seed)
    print(f"corpus {corpus} ({time.perf_counter() - started:.1f} s to generate or check)")
    print(describe(manifest), "\n")
    photos = manifest["photos"]

    ours, build, records = run_ours(corpus, manifest)
    runs = [ours]
    qri_python = _ensure_qri(Path(args.qri_python))
    if qri_python is None:
        print("qrimageindexer unavailable: only our sorter is measured\n")
    else:
        work = Path(args.work)
        layout = _lay_out_for_qri(corpus, manifest, work / "qri-in")
        runs.append(run_qri(qri_python, layout, work / "qri-out-name", manifest, by_mtime=False))
        runs.append(run_qri(qri_python, layout, work / "qri-out-mtime", manifest, by_mtime=True))

    scores = {run.name: score(photos, run.placements) for run in runs}
    _print_table(photos, runs, scores)
    _print_cases(photos, runs, scores)
    _print_our_mistakes(photos, ours, scores[ours.name], build, records)
    _print_gap_sensitivity(manifest, records)
    for run in runs:
        for note in run.notes:
            print(f"note ({run.name}): {note}")
    _write_results(Path(args.work), photos, runs, scores)
    silent = Counter(scores[ours.name].values())[WRONG_SILENT]
    print(f"\nours: {silent} silent wrong placement(s)")
    return 1 if silent else 0


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", default=DEFAULT_WORK, help="qrimageindexer input/output copies")
    parser.add_argument("--qri-python", default=DEFAULT_QRI_PYTHON)
    return parser.parse_args()


# --- ours -------------------------------------------------------------------------------------


def run_ours(corpus: Path, manifest: dict) -> tuple[SorterRun, GalleryBuild, list[PhotoRecord]]:
    records = []
    ingest_ms = []
    started = time.perf_counter()
    for photo in manifest["photos"]:
        processed = process_image((corpus / photo["file"]).read_bytes(), watermark=None)
        ingest_ms.append(processed.timings_ms["total"])
        records.append(
            PhotoRecord(
                photo_id=photo["file"],
                album=photo["album"],
                file_name=Path(photo["file"]).name,
                captured_at=processed.capture_time,
                camera_serial=processed.camera_serial,
                codes=tuple(DecodedCode(c.value, c.ours) for c in processed.codes),
                undecodable_candidates=processed.undecodable_candidates,
            )
        )
    ingest_s = time.perf_counter() - started
    subjects = [GallerySubject(**s) for s in manifest["subjects"]]
    started = time.perf_counter()
    build = build_galleries(manifest["job_id"], records, subjects)
    build_ms = (time.perf_counter() - started) * 1000
    timing = (
        f"process_image {ingest_s:.1f} s (median {statistics.median(ingest_ms):.0f} ms/photo, "
        f"one process), build_galleries {build_ms:.1f} ms"
    )
    placements = our_placements(manifest["job_id"], build, records)
    run = SorterRun("ours", placements, ingest_s + build_ms / 1000, timing)
    return run, build, records


def our_placements(
    job_id: str, build: GalleryBuild, records: Iterable[PhotoRecord]
) -> dict[str, Placement]:
    """Where the build put each photo, and whether a review flag covers it.

    A photo is flagged when a flag names it, names the card that starts its run, or is a
    long-gap flag earlier in its run (a reviewer reads on from the gap). Flags that say nothing
    about whether the photo's subject is right (``INCIDENTAL``) do not count; they are noted.
    """
    by_id = {r.photo_id: r for r in records}
    landed: defaultdict[str, set[str]] = defaultdict(set)
    for subject_id, photo_ids in build.galleries.items():
        for photo_id in photo_ids:
            landed[photo_id].add(subject_id)
    flags_on: defaultdict[str, list[FlagKind]] = defaultdict(list)
    held_starts = set()
    for flag in build.flags:
        for photo_id in (*flag.photo_ids, *flag.held_photo_ids):
            flags_on[photo_id].append(flag.kind)
        if flag.kind in HELD_START_KINDS:
            held_starts.update(flag.photo_ids)
    cards = set(build.card_photo_ids)
    # A card photo is hidden from customers; it "lands" with the subjects whose run it starts.
    for photo_id in cards - held_starts:
        landed[photo_id] |= _own_subjects(job_id, by_id[photo_id])
    placements = {}
    for photo_ids in build.sequence.values():
        run: list[tuple[FlagKind, str]] = []  # flags covering the rest of the current run
        for photo_id in photo_ids:
            own = [(kind, str(kind)) for kind in flags_on.get(photo_id, [])]
            if photo_id in cards or photo_id in held_starts:
                run = [(kind, f"{kind} on run start {photo_id}") for kind, _ in own]
                covering = own
            else:
                covering = own + run
            relevant = [note for kind, note in covering if kind not in INCIDENTAL]
            incidental = [f"incidental: {note}" for kind, note in covering if kind in INCIDENTAL]
            placements[photo_id] = Placement(
                frozenset(landed.get(photo_id, ())),
                bool(relevant),
                "; ".join(relevant + incidental),
            )
            if any(kind == FlagKind.LONG_GAP for kind, _ in own):
                run.append((FlagKind.LONG_GAP, f"long_gap at {photo_id} earlier in the run"))
    return placements


def _own_subjects(job_id: str, record: PhotoRecord) -> set[str]:
    tags = (parse_tag(code.value) for code in record.codes)
    return {tag.subject_id for tag in tags if tag is not None and tag.job_id == job_id}


# --- qrimageindexer ---------------------------------------------------------------------------


def _ensure_qri(python: Path) -> Path | None:
    if _qri_importable(python):
        return python
    venv = python.parent.parent
    print(f"installing {QRI_REQUIREMENT} into {venv} (its own virtualenv) ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", QRI_REQUIREMENT],
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  failed: {exc}")
        return None
    return python if _qri_importable(python) else None


def _qri_importable(python: Path) -> bool:
    if not python.exists():
        return False
    probe = [str(python), "-c", "import qrImageIndexer.photo_sorter"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def _lay_out_for_qri(corpus: Path, manifest: dict, root: Path) -> Path:
    """One flat folder per album, files copied with their modification times."""
    shutil.rmtree(root, ignore_errors=True)
    for photo in manifest["photos"]:
        target = root / photo["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(corpus / photo["file"], target)
    return root


def run_qri(python: Path, layout: Path, out: Path, manifest: dict, *, by_mtime: bool) -> SorterRun:
    name = "qrimageindexer -d (mtime)" if by_mtime else "qrimageindexer (name)"
    shutil.rmtree(out, ignore_errors=True)
    folders = _qri_folders(manifest)
    placements: dict[str, Placement] = {}
    notes = []
    started = time.perf_counter()
    for album in manifest["albums"]:
        command = [str(python), "-m", "qrImageIndexer", "-s", str(layout / album)]
        command += [str(out / album), "-p", QRI_PREFIX, *(["-d"] if by_mtime else [])]
        done = subprocess.run(command, capture_output=True, text=True, env=_quiet_env())
        if done.returncode != 0:
            error = (done.stderr.strip().splitlines() or ["?"])[-1]
            notes.append(f"album {album}: exit {done.returncode}, nothing sorted ({error})")
            for photo in manifest["photos"]:
                if photo["album"] == album:
                    placements[photo["file"]] = Placement(frozenset(), note="crashed")
            continue
        for path in sorted((out / album).rglob("*")):
            if not path.is_file():
                continue
            folder = path.parent.relative_to(out / album).as_posix()
            key = f"{album}/{path.name}"
            if folder in QRI_UNSORTED:
                placements[key] = Placement(frozenset(), note=folder)
            else:
                # A folder that is no subject's (a misread code) is a wrong placement.
                subject = folders.get(folder, f"?{folder}")
                placements[key] = Placement(frozenset({subject}), note=folder)
    seconds = time.perf_counter() - started
    cores = os.cpu_count()
    timing = f"{seconds:.1f} s for {len(manifest['albums'])} runs (a process pool of {cores})"
    return SorterRun(name, placements, seconds, timing, notes)


def _qri_folders(manifest: dict) -> dict[str, str]:
    """qrimageindexer's folder name for each subject's tag (prefix cut, path sanitised)."""
    folders = {}
    for subject in manifest["subjects"]:
        value = make_tag(manifest["job_id"], subject["subject_id"])
        folders[_qri_sanitise(value[len(QRI_PREFIX) :])] = subject["subject_id"]
    return folders


def _qri_sanitise(path: str) -> str:
    # photo_sorter.sanitise_path: ``path.find(':\\') + 2`` is 1 when there is no drive, so the
    # first character is kept as is and the rest has every character but \w - _ . space \ /
    # replaced by "_".
    return path[:1] + re.sub(r"[^\w\-_\. \\\/]", "_", path[1:])


def _quiet_env() -> dict[str, str]:
    return {**os.environ, "PYTHONWARNINGS": "ignore"}


# --- scoring and report -----------------------------------------------------------------------


def score(photos: list[dict], placements: Mapping[str, Placement]) -> dict[str, str]:
    outcomes = {}
    for photo in photos:
        truth = frozenset(photo["truth"])
        placed = placements.get(photo["file"], Placement(frozenset(), note="missing"))
        if placed.subjects == truth:
            outcomes[photo["file"]] = CORRECT
        elif not placed.subjects:
            outcomes[photo["file"]] = UNPLACED
        elif placed.subjects <= truth:
            outcomes[photo["file"]] = INCOMPLETE
        else:
            outcomes[photo["file"]] = WRONG_FLAGGED if placed.flagged else WRONG_SILENT
    return outcomes


def _print_table(photos: list[dict], runs: list[SorterRun], scores: dict) -> None:
    with_subject = sum(bool(p["truth"]) for p in photos)
    print(
        f"{len(photos)} photos: {with_subject} belong to a subject (incl. card photos), "
        f"{len(photos) - with_subject} to nobody (before the first card)\n"
    )
    header = f"{'sorter':28}" + "".join(f"{o:>16}" for o in OUTCOMES) + "   right subject"
    print(header)
    print("-" * len(header))
    for run in runs:
        counts = Counter(scores[run.name].values())
        right = sum(1 for p in photos if p["truth"] and scores[run.name][p["file"]] == CORRECT)
        row = f"{run.name:28}" + "".join(f"{counts[o]:>16}" for o in OUTCOMES)
        print(f"{row}   {right}/{with_subject}")
    print()
    for run in runs:
        print(f"time {run.name}: {run.timing}")
    print()


def _print_cases(photos: list[dict], runs: list[SorterRun], scores: dict) -> None:
    """Outcomes per case label (a photo counts under each of its labels)."""
    labels = sorted({label for p in photos for label in p["cases"]})
    width = 30
    print(f"{'case':38}{'n':>4}  " + "".join(f"{run.name[:width]:{width}}" for run in runs))
    for label in labels:
        members = [p for p in photos if label in p["cases"]]
        cells = []
        for run in runs:
            counts = Counter(scores[run.name][p["file"]] for p in members)
            cells.append(" ".join(f"{SHORT[o]} {counts[o]}" for o in OUTCOMES if counts[o]))
        print(f"{label:38}{len(members):>4}  " + "".join(f"{c:{width}}" for c in cells))
    print()


def _print_our_mistakes(
    photos: list[dict], ours: SorterRun, outcomes: dict[str, str], build, records
) -> None:
    by_id = {r.photo_id: r for r in records}
    bad = [p for p in photos if outcomes[p["file"]] in (WRONG_FLAGGED, WRONG_SILENT)]
    if not bad:
        print("ours: no wrong placement\n")
        return
    print("ours, every wrong placement:")
    for photo in bad:
        placed = ours.placements[photo["file"]]
        record = by_id[photo["file"]]
        print(
            f"  {outcomes[photo['file']]:14} {photo['file']:22} truth {_ids(photo['truth'])} "
            f"placed {_ids(placed.subjects)} cases {','.join(photo['cases'])}"
        )
        print(f"      flags: {placed.note or 'none'}; time {record.captured_at}")
    _explain_runs(photos, bad, build, by_id)
    print()


def _explain_runs(photos, bad, build, by_id) -> None:
    """For each silently wrong photo: the album sequence from the previous card, as decoded."""
    truth = {p["file"]: p for p in photos}
    shown = set()
    for photo in bad:
        sequence = build.sequence[photo["album"]]
        index = sequence.index(photo["file"])
        start = index
        while start > 0 and not _looks_like_card(by_id[sequence[start]]):
            start -= 1
        key = (photo["album"], start)
        if key in shown:
            continue
        shown.add(key)
        print(f"    sequence {photo['album']} from {sequence[start]} (as the builder saw it):")
        for photo_id in sequence[start : index + 1]:
            record = by_id[photo_id]
            fact = truth[photo_id]
            codes = ",".join(c.value[:24] for c in record.codes) or "-"
            print(
                f"      {photo_id:22} codes {codes:26} undecodable {record.undecodable_candidates}"
                f"  truth {_ids(fact['truth'])} {fact['card_kind'] or ''}"
            )


def _print_gap_sensitivity(manifest: dict, records: list[PhotoRecord]) -> None:
    """Ours again with other gap policies: a missed card hides in a changeover pause."""
    photos = manifest["photos"]
    subjects = [GallerySubject(**s) for s in manifest["subjects"]]
    print("ours with other GapPolicy settings (only build_galleries is re-run):")
    print(f"  {'policy':44}{'silent':>8}{'flagged':>9}{'long-gap flags':>16}{'on correct':>12}")
    for label, policy in GAP_POLICIES:
        build = build_galleries(manifest["job_id"], records, subjects, gap_policy=policy)
        outcomes = score(photos, our_placements(manifest["job_id"], build, records))
        counts = Counter(outcomes.values())
        gaps = [f.photo_ids[0] for f in build.flags if f.kind == FlagKind.LONG_GAP]
        on_correct = sum(outcomes[photo_id] == CORRECT for photo_id in gaps)
        print(
            f"  {label:44}{counts[WRONG_SILENT]:>8}{counts[WRONG_FLAGGED]:>9}"
            f"{len(gaps):>16}{on_correct:>12}"
        )
    print()


def _looks_like_card(record: PhotoRecord) -> bool:
    return bool(record.codes) or record.undecodable_candidates > 0


def _ids(subject_ids: Iterable[str]) -> str:
    return "{" + ",".join(sorted(subject_ids)) + "}"


def _write_results(work: Path, photos: list[dict], runs: list[SorterRun], scores: dict) -> None:
    work.mkdir(parents=True, exist_ok=True)
    results = {
        run.name: {
            "seconds": round(run.seconds, 2),
            "timing": run.timing,
            "counts": dict(Counter(scores[run.name].values())),
            "photos": {
                p["file"]: {
                    "outcome": scores[run.name][p["file"]],
                    "truth": p["truth"],
                    "placed": sorted(
                        run.placements.get(p["file"], Placement(frozenset())).subjects
                    ),
                    "note": run.placements.get(p["file"], Placement(frozenset())).note,
                }
                for p in photos
            },
        }
        for run in runs
    }
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print(f"\nper-photo results: {work / 'results.json'}")


if __name__ == "__main__":
    sys.exit(main())
