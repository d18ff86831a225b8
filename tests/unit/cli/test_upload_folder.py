"""The pure parts of ``photojobs upload``: folder scanning, album mapping, magic-byte sniffing,
the resume state, progress and summary text, retry delays and refused-file mapping."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
from pathlib import Path, PurePosixPath

import pytest
from PIL import Image

from chalicelib.cli import upload as up
from chalicelib.cli.client import ApiError
from chalicelib.cli.upload import (
    LocalFile,
    NotAPhoto,
    Problem,
    Progress,
    RetryPolicy,
    StateDamaged,
    UploadReport,
    UploadState,
    album_for,
    format_duration,
    format_progress,
    refused_files,
    scan_folder,
    sniff_content_type,
    state_path,
    summary_lines,
)

JOB = "J0000000001"


def image_bytes(kind: str, size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(out, kind)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- folder scanning and albums -------------------------------------------------------------


def test_sub_folders_are_albums_and_loose_files_go_to_the_default_album(tmp_path):
    write(tmp_path / "IMG_0001.jpg", image_bytes("JPEG"))
    write(tmp_path / "3b" / "IMG_0002.jpg", image_bytes("JPEG"))
    write(tmp_path / "3b" / "Zoë.png", image_bytes("PNG"))
    write(tmp_path / "4a" / "camera2" / "DSC_0001.jpg", image_bytes("JPEG"))
    write(tmp_path / "Group" / "class-3b.png", image_bytes("PNG"))

    scan = scan_folder(tmp_path)

    assert [(f.relative, f.album, f.content_type) for f in scan.files] == [
        ("IMG_0001.jpg", "photos", "image/jpeg"),
        ("3b/IMG_0002.jpg", "3b", "image/jpeg"),
        ("3b/Zoë.png", "3b", "image/png"),
        ("4a/camera2/DSC_0001.jpg", "4a", "image/jpeg"),
        ("Group/class-3b.png", "group", "image/png"),
    ]
    assert scan.skipped == []
    first = scan.files[0]
    assert first.size == (tmp_path / "IMG_0001.jpg").stat().st_size
    assert first.mtime_ns == (tmp_path / "IMG_0001.jpg").stat().st_mtime_ns
    assert first.upload_request() == {
        "name": "IMG_0001.jpg",
        "size": first.size,
        "content_type": "image/jpeg",
        "album": "photos",
    }


def test_files_that_are_not_photos_are_skipped_with_a_reason_whatever_their_name(tmp_path):
    write(tmp_path / "3b" / "notes.txt", b"not a photo")
    write(tmp_path / "3b" / "IMG_9999.jpg", b"a text file with a photo's name")
    write(tmp_path / "3b" / "empty.jpg", b"")
    write(tmp_path / "3b" / "logo.gif", image_bytes("GIF"))
    write(tmp_path / "3b" / "real.jpg", image_bytes("JPEG"))

    scan = scan_folder(tmp_path)

    assert [f.relative for f in scan.files] == ["3b/real.jpg"]
    assert scan.skipped == [
        Problem("3b/IMG_9999.jpg", "not an image"),
        Problem("3b/empty.jpg", "empty file"),
        Problem("3b/logo.gif", "GIF files are not accepted"),
        Problem("3b/notes.txt", "not an image"),
    ]


def test_hidden_files_hidden_folders_and_resume_files_are_ignored(tmp_path):
    write(tmp_path / "3b" / "a.jpg", image_bytes("JPEG"))
    write(tmp_path / "3b" / ".DS_Store", b"junk")
    write(tmp_path / ".thumbnails" / "a.jpg", image_bytes("JPEG"))
    write(state_path(tmp_path, JOB), b'{"job_id": "x", "done": {}}')

    scan = scan_folder(tmp_path)

    assert [f.relative for f in scan.files] == ["3b/a.jpg"]
    assert scan.skipped == []


def test_an_unreadable_file_is_skipped_not_fatal(tmp_path):
    write(tmp_path / "ok.jpg", image_bytes("JPEG"))
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")

    scan = scan_folder(tmp_path)

    assert [f.relative for f in scan.files] == ["ok.jpg"]
    assert [p.relative for p in scan.skipped] == ["dangling.jpg"]
    assert scan.skipped[0].reason.startswith("cannot read it")


@pytest.mark.parametrize(
    ("relative", "album"),
    [("a.jpg", "photos"), ("3b/a.jpg", "3b"), ("GROUP/a.jpg", "group"), ("3b/x/y/a.jpg", "3b")],
)
def test_album_for(relative, album):
    assert album_for(PurePosixPath(relative)) == album


# -- magic bytes ------------------------------------------------------------------------------


def iso_media(major: bytes, *compatible: bytes) -> bytes:
    brands = major + b"\0\0\0\0" + b"".join(compatible)
    return (8 + len(brands)).to_bytes(4, "big") + b"ftyp" + brands + b"\0" * 16


@pytest.mark.parametrize(
    ("head", "name", "content_type"),
    [
        (image_bytes("JPEG"), "a.jpg", "image/jpeg"),
        (image_bytes("JPEG"), "a.NEF", "image/jpeg"),  # the bytes decide, not the name
        (image_bytes("PNG"), "a.jpg", "image/png"),
    ],
)
def test_photos_are_recognised_by_their_magic_bytes(head, name, content_type):
    assert sniff_content_type(head[: up.HEAD_BYTES], name) == content_type


@pytest.mark.parametrize(
    ("head", "name", "reason"),
    [
        (b"", "a.jpg", "empty file"),
        # processing decodes JPEG and PNG; TIFF and HEIC are refused before they are sent
        (image_bytes("TIFF"), "a.tif", "TIFF files are not supported; export them as JPEG"),
        (b"MM\x00*" + b"\0" * 12, "a.tif", "TIFF files are not supported"),
        (iso_media(b"heic", b"mif1", b"heic"), "a.HEIC", "HEIC files are not supported"),
        (iso_media(b"mif1", b"heic"), "a.heic", "HEIC files are not supported"),
        (iso_media(b"mif1", b"miaf"), "a.heif", "HEIC files are not supported"),
        (b"hello, this is text", "a.jpg", "not an image"),
        (b"II*\x00\x10\x00\x00\x00CR\x02\x00", "IMG_1.CR2", "camera raw"),
        (b"II*\x00\x08\x00\x00\x00", "DSC_1.nef", "camera raw"),
        (iso_media(b"avif", b"mif1", b"avif"), "a.avif", "AVIF"),
        (iso_media(b"mif1", b"avif"), "a.heif", "AVIF"),
        (iso_media(b"isom", b"mp41"), "clip.mp4", "video"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "WebP"),
        (b"%PDF-1.7\n", "sheet.pdf", "PDF"),
        (image_bytes("BMP"), "a.bmp", "BMP"),
    ],
)
def test_other_files_are_not_photos(head, name, reason):
    with pytest.raises(NotAPhoto) as refused:
        sniff_content_type(head[: up.HEAD_BYTES], name)
    assert reason in refused.value.reason


# -- resume state -----------------------------------------------------------------------------


def local_file(folder: Path, relative: str, data: bytes | None = None) -> LocalFile:
    path = write(folder / relative, data or image_bytes("JPEG"))
    stat = path.stat()
    return LocalFile(path, relative, "3b", stat.st_size, stat.st_mtime_ns, "image/jpeg")


def test_finished_files_are_remembered_across_runs(tmp_path):
    a, b = local_file(tmp_path, "3b/a.jpg"), local_file(tmp_path, "3b/b.jpg")
    state = UploadState(state_path(tmp_path, JOB), JOB)
    assert not state.is_done(a)

    state.mark_done(a)

    again = UploadState(state_path(tmp_path, JOB), JOB)
    assert again.is_done(a) and not again.is_done(b)
    assert len(again) == 1
    saved = json.loads(state_path(tmp_path, JOB).read_text())
    assert saved == {"job_id": JOB, "done": {"3b/a.jpg": [a.size, a.mtime_ns]}}
    assert state_path(tmp_path, JOB).name == f".photojobs-upload-{JOB}.json"


def test_a_file_changed_since_its_upload_is_not_done(tmp_path):
    a = local_file(tmp_path, "3b/a.jpg")
    state = UploadState(state_path(tmp_path, JOB), JOB)
    state.mark_done(a)
    changed = local_file(tmp_path, "3b/a.jpg", image_bytes("JPEG", (64, 48)))
    os.utime(changed.path, ns=(a.mtime_ns + 10**9, a.mtime_ns + 10**9))
    changed = local_file(tmp_path, "3b/a.jpg", changed.path.read_bytes())

    assert not UploadState(state_path(tmp_path, JOB), JOB).is_done(changed)


def test_marks_from_many_threads_all_arrive_in_one_valid_file(tmp_path):
    files = [
        local_file(tmp_path, f"3b/{n:03d}.jpg", b"\xff\xd8\xff" + bytes([n])) for n in range(60)
    ]
    state = UploadState(state_path(tmp_path, JOB), JOB)
    threads = [
        threading.Thread(target=lambda chunk=files[i::6]: [state.mark_done(f) for f in chunk])
        for i in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    reloaded = UploadState(state_path(tmp_path, JOB), JOB)
    assert all(reloaded.is_done(f) for f in files)
    assert {p.name for p in tmp_path.iterdir()} == {"3b", state_path(tmp_path, JOB).name}


def test_a_failed_write_keeps_the_previous_state_and_leaves_no_temporary_file(
    tmp_path, monkeypatch
):
    a, b = local_file(tmp_path, "3b/a.jpg"), local_file(tmp_path, "3b/b.jpg")
    state = UploadState(state_path(tmp_path, JOB), JOB)
    state.mark_done(a)
    before = state_path(tmp_path, JOB).read_text()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(up.os, "replace", disk_full)
    with pytest.raises(OSError):
        state.mark_done(b)

    assert state_path(tmp_path, JOB).read_text() == before
    assert {p.name for p in tmp_path.iterdir()} == {"3b", state_path(tmp_path, JOB).name}


@pytest.mark.parametrize("content", ["{not json", '{"done": 3}', '["done"]', '{"done": {"a": 1}}'])
def test_a_damaged_state_file_is_reported_not_ignored(tmp_path, content):
    state_path(tmp_path, JOB).write_text(content)
    with pytest.raises(StateDamaged, match="is damaged; delete it"):
        UploadState(state_path(tmp_path, JOB), JOB)


# -- progress and summary ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (59.6, "1:00"), (125, "2:05"), (3 * 3600 + 62, "3:01:02")]
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_progress_text_has_files_bytes_rate_and_eta():
    line = format_progress(3, 10, 30 * up.MB, 100 * up.MB, elapsed=10.0)
    assert line == "3/10 files  30.0/100.0 MB  3.0 MB/s  ETA 0:23"


def test_progress_text_before_any_byte_has_no_eta():
    assert format_progress(0, 4, 0, 8 * up.MB, elapsed=0.0) == (
        "0/4 files  0.0/8.0 MB  0.0 MB/s  ETA --:--"
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_line_is_rewritten_in_place():
    out, clock = Terminal(), FakeClock()
    progress = Progress(out, 2, 2 * up.MB, clock=clock)
    clock.now += 1
    progress.add_bytes(up.MB)
    clock.now += 1
    progress.file_finished()
    progress.note("failed: 3b/b.jpg: too big")
    progress.finish()

    text = out.getvalue()
    assert text.count("\n") == 2  # the note and the end; progress lines only use \r
    assert "\r1/2 files  1.0/2.0 MB  0.5 MB/s  ETA 0:02" in text
    assert "failed: 3b/b.jpg: too big\n" in text
    assert text.endswith("\r1/2 files  1.0/2.0 MB  0.5 MB/s  ETA 0:02\n")


def test_elsewhere_plain_lines_come_at_intervals():
    out, clock = io.StringIO(), FakeClock()
    progress = Progress(out, 3, 3 * up.MB, clock=clock, plain_interval=10)
    for _ in range(3):
        clock.now += 5
        progress.add_bytes(up.MB)  # due at 10 s, not again at 15 s
        progress.file_finished()
    progress.finish()

    assert "\r" not in out.getvalue()
    assert out.getvalue().splitlines() == [
        "1/3 files  2.0/3.0 MB  0.2 MB/s  ETA 0:05",
        "3/3 files  3.0/3.0 MB  0.2 MB/s  ETA 0:00",
    ]


def test_summary_names_every_failure_and_reason():
    report = UploadReport(
        uploaded=3,
        uploaded_bytes=5 * up.MB,
        resumed=2,
        elapsed=65,
        skipped=[Problem("3b/notes.txt", "not an image")],
        failed=[Problem("big.jpg", "size is larger than the 1 MB limit")],
    )
    assert summary_lines(report) == [
        "uploaded 3 files (5.0 MB) in 1:05",
        "already uploaded 2 files (by an earlier run)",
        "skipped 1 file:",
        "  3b/notes.txt: not an image",
        "failed 1 file:",
        "  big.jpg: size is larger than the 1 MB limit",
    ]


def test_summary_shortens_a_long_skipped_list():
    report = UploadReport(skipped=[Problem(f"f{n}.txt", "not an image") for n in range(25)])
    lines = summary_lines(report)
    assert lines[1] == "skipped 25 files:"
    assert lines[-1] == "  … and 5 more"
    assert len(lines) == 2 + up.SKIPPED_LISTED + 1


# -- retries and refusals ---------------------------------------------------------------------


def test_retry_delays_grow_exponentially_with_jitter_up_to_a_cap():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    for retry, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 5.0), (8, 5.0)]:
        delays = {policy.delay(retry) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_retry_after_from_the_server_is_respected_within_the_cap():
    policy = RetryPolicy(base_delay=0.1, max_delay=5.0)
    assert policy.delay(0, retry_after=3) == 3
    assert policy.delay(0, retry_after=60) == 5.0


def test_refused_files_maps_validation_errors_to_files():
    error = ApiError(
        400,
        {
            "error": "validation_failed",
            "errors": [
                {"field": "files[2].size", "reason": "is larger than the 1 MB limit"},
                {"field": "files[0].name", "reason": "must be at most 255 characters"},
                {"field": "files[2].album", "reason": "must be at most 120 characters"},
            ],
        },
    )
    assert refused_files(error, 3) == {
        0: "name must be at most 255 characters",
        2: "size is larger than the 1 MB limit; album must be at most 120 characters",
    }


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"errors": [{"field": "files", "reason": "must be a non-empty list"}]}),
        (400, {"errors": [{"field": "files[5].size", "reason": "x"}]}),  # not in the batch
        (404, {"error": "not_found", "message": "no such job"}),
        (400, "<html>bad gateway</html>"),
    ],
)
def test_refusals_not_about_single_files_are_not_mapped(status, body):
    assert refused_files(ApiError(status, body), 3) is None


# -- Ctrl-C -----------------------------------------------------------------------------------


def test_the_first_ctrl_c_asks_to_stop_and_the_second_interrupts():
    pressed = threading.Event()
    with up.CtrlC(pressed):
        signal.raise_signal(signal.SIGINT)
        assert pressed.is_set()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_is_left_alone_outside_the_main_thread():
    handlers = []

    def enter() -> None:
        with up.CtrlC(threading.Event()):
            handlers.append(signal.getsignal(signal.SIGINT))

    worker = threading.Thread(target=enter)
    worker.start()
    worker.join()
    assert handlers == [signal.default_int_handler]
