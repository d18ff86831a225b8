"""``photojobs upload JOB FOLDER``: send a shoot folder straight to S3, in parallel, resumably.

FOLDER has the FTP layout of a shoot: files directly in it go to the default album, each
sub-folder is an album named after it (``group`` holds the group photos). The file type comes
from magic bytes; anything that is not a JPEG or PNG photo (what processing decodes) is
skipped with a warning. Finished files are recorded in ``FOLDER/.photojobs-upload-<job>.json``,
so running the command again uploads only what is missing.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Any, TextIO, TypeVar

import requests

from chalicelib.cli.client import ApiClient, ApiError
from chalicelib.domain.photos import DEFAULT_ALBUM, MAX_FILES_PER_REQUEST

T = TypeVar("T")

MB = 1024 * 1024
GROUP_ALBUM = "group"
HEAD_BYTES = 64  # enough for every signature below
S3_TIMEOUT = (10, 120)  # connect, read (seconds)
SKIPPED_LISTED = 20  # the summary lists this many skipped files; each was warned about already

# ---------------------------------------------------------------------------------------------
# What a file really is


class NotAPhoto(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
HEIF_BRANDS = {b"mif1", b"msf1"}  # the generic HEIF brands; AVIF files carry them too
AVIF_BRANDS = {b"avif", b"avis"}
RAW_SUFFIXES = {
    ".3fr", ".arw", ".cr2", ".cr3", ".dng", ".erf", ".iiq", ".kdc", ".mef", ".mos",
    ".nef", ".nrw", ".orf", ".pef", ".raf", ".rw2", ".srf", ".sr2", ".srw", ".x3f",
}  # fmt: skip
OTHER_SIGNATURES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"%PDF", "PDF"),
)


EXPORT_JPEG = "export them as JPEG"


def sniff_content_type(head: bytes, name: str) -> str:
    """The upload content type of a file from its first bytes; NotAPhoto for anything else.

    ``name`` only tells camera raw files apart: most are TIFF inside."""
    if not head:
        raise NotAPhoto("empty file")
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if PurePosixPath(name).suffix.lower() in RAW_SUFFIXES:
        raise NotAPhoto("camera raw files are not accepted; upload the JPEGs")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        raise NotAPhoto(f"TIFF files are not supported; {EXPORT_JPEG}")
    if head[4:8] == b"ftyp":
        return _iso_media_type(head)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        raise NotAPhoto("WebP files are not accepted")
    for signature, kind in OTHER_SIGNATURES:
        if head.startswith(signature):
            raise NotAPhoto(f"{kind} files are not accepted")
    raise NotAPhoto("not an image")


def _iso_media_type(head: bytes) -> str:
    """HEIC/HEIF photos among ISO media files (which also hold AVIF images and videos)."""
    box_end = min(int.from_bytes(head[:4], "big"), len(head))
    brands = {head[8:12]} | {head[i : i + 4] for i in range(16, box_end - 3, 4)}
    if brands & HEIC_BRANDS or (head[8:12] in HEIF_BRANDS and not brands & AVIF_BRANDS):
        raise NotAPhoto(f"HEIC files are not supported; {EXPORT_JPEG}")
    if brands & AVIF_BRANDS:
        raise NotAPhoto("AVIF files are not accepted")
    raise NotAPhoto("an ISO media file (a video?), not a photo")


# ---------------------------------------------------------------------------------------------
# The folder


@dataclass(frozen=True)
class LocalFile:
    path: Path
    relative: str  # POSIX path below FOLDER: the file's identity in the resume state
    album: str
    size: int
    mtime_ns: int
    content_type: str

    def upload_request(self) -> dict[str, Any]:
        return {
            "name": self.path.name,
            "size": self.size,
            "content_type": self.content_type,
            "album": self.album,
        }


@dataclass(frozen=True)
class Problem:
    relative: str
    reason: str


@dataclass
class FolderScan:
    files: list[LocalFile] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)


def album_for(relative: PurePosixPath) -> str:
    """Files directly in FOLDER go to the default album, the rest to their top sub-folder."""
    if len(relative.parts) == 1:
        return DEFAULT_ALBUM
    top = relative.parts[0]
    return GROUP_ALBUM if top.lower() == GROUP_ALBUM else top


def scan_folder(folder: Path) -> FolderScan:
    scan = FolderScan()
    for path in _visible_files(folder):
        relative = path.relative_to(folder).as_posix()
        try:
            scan.files.append(_local_file(path, relative))
        except NotAPhoto as exc:
            scan.skipped.append(Problem(relative, exc.reason))
        except OSError as exc:
            scan.skipped.append(Problem(relative, f"cannot read it: {exc.strerror or exc}"))
    return scan


def _visible_files(folder: Path) -> Iterator[Path]:
    """Files below ``folder`` in name order, leaving out hidden files and folders (the resume
    state is one of them)."""
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def _local_file(path: Path, relative: str) -> LocalFile:
    stat = path.stat()
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    return LocalFile(
        path=path,
        relative=relative,
        album=album_for(PurePosixPath(relative)),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        content_type=sniff_content_type(head, path.name),
    )


# ---------------------------------------------------------------------------------------------
# Resume state


class StateDamaged(Exception):
    pass


def state_path(folder: Path, job_id: str) -> Path:
    return folder / f".photojobs-upload-{job_id}.json"


class UploadState:
    """The files of a folder already uploaded to a job (by relative path, size and mtime).

    Rewritten atomically after every finished file; safe to use from several threads."""

    def __init__(self, path: Path, job_id: str) -> None:
        self.path = path
        self.job_id = job_id
        self._lock = threading.Lock()
        self._done = self._load()

    def _load(self) -> dict[str, list[int]]:
        try:
            done = json.loads(self.path.read_text())["done"]
            if not isinstance(done, dict):
                raise TypeError("'done' is not an object")
            return {str(name): list(mark) for name, mark in done.items()}
        except FileNotFoundError:
            return {}
        except (ValueError, KeyError, TypeError) as exc:
            raise StateDamaged(
                f"the resume file {self.path} is damaged; delete it to upload every file again"
            ) from exc

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)

    def is_done(self, file: LocalFile) -> bool:
        with self._lock:
            return self._done.get(file.relative) == [file.size, file.mtime_ns]

    def mark_done(self, file: LocalFile) -> None:
        with self._lock:
            self._done[file.relative] = [file.size, file.mtime_ns]
            self._write({"job_id": self.job_id, "done": self._done})

    def _write(self, data: dict[str, Any]) -> None:
        descriptor, temporary = tempfile.mkstemp(
            dir=self.path.parent, prefix=f"{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(data, handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------------------------------------
# Progress and summary


def format_duration(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_progress(
    files_done: int, files_total: int, bytes_done: int, bytes_total: int, elapsed: float
) -> str:
    rate = bytes_done / elapsed if elapsed > 0 else 0.0
    eta = format_duration((bytes_total - bytes_done) / rate) if rate > 0 else "--:--"
    return (
        f"{files_done}/{files_total} files  {bytes_done / MB:.1f}/{bytes_total / MB:.1f} MB  "
        f"{rate / MB:.1f} MB/s  ETA {eta}"
    )


class Progress:
    """The progress line on ``out``: rewritten in place on a terminal, otherwise a plain line
    every ``plain_interval`` seconds. Thread-safe."""

    def __init__(
        self,
        out: TextIO,
        files_total: int,
        bytes_total: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        plain_interval: float = 10.0,
    ) -> None:
        self._out = out
        self._tty = _is_tty(out)
        self._clock = clock
        self._interval = 0.2 if self._tty else plain_interval
        self._lock = threading.Lock()
        self._started = self._shown_at = clock()
        self._width = 0
        self.files_total = files_total
        self.bytes_total = bytes_total
        self.files_done = 0
        self.bytes_done = 0

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    def line(self) -> str:
        return format_progress(
            self.files_done, self.files_total, self.bytes_done, self.bytes_total, self.elapsed
        )

    def add_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes_done += count
            self._show_when_due()

    def file_finished(self) -> None:
        with self._lock:
            self.files_done += 1
            self._show_when_due()

    def note(self, message: str) -> None:
        """A line of its own, above the progress line."""
        with self._lock:
            if self._tty:
                self._out.write("\r" + " " * self._width + "\r")
            self._out.write(message + "\n")
            if self._tty:
                self._draw()
            self._out.flush()

    def finish(self) -> None:
        with self._lock:
            self._draw()
            if self._tty:
                self._out.write("\n")
            self._out.flush()

    def _show_when_due(self) -> None:
        now = self._clock()
        if now - self._shown_at >= self._interval:
            self._shown_at = now
            self._draw()
            self._out.flush()

    def _draw(self) -> None:
        text = self.line()
        if self._tty:
            self._out.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self._out.write(text + "\n")


def _is_tty(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


@dataclass
class UploadReport:
    uploaded: int = 0
    uploaded_bytes: int = 0
    resumed: int = 0
    elapsed: float = 0.0
    skipped: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    interrupted: bool = False
    stopped: str | None = None  # why the run ended early, when the API refused or was away


def count_of(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def summary_lines(report: UploadReport) -> list[str]:
    lines = [
        f"uploaded {count_of(report.uploaded, 'file')} ({report.uploaded_bytes / MB:.1f} MB) "
        f"in {format_duration(report.elapsed)}"
    ]
    if report.resumed:
        lines.append(f"already uploaded {count_of(report.resumed, 'file')} (by an earlier run)")
    if report.skipped:
        lines.append(f"skipped {count_of(len(report.skipped), 'file')}:")
        lines += [f"  {p.relative}: {p.reason}" for p in report.skipped[:SKIPPED_LISTED]]
        if len(report.skipped) > SKIPPED_LISTED:
            lines.append(f"  … and {len(report.skipped) - SKIPPED_LISTED} more")
    if report.failed:
        lines.append(f"failed {count_of(len(report.failed), 'file')}:")
        lines += [f"  {p.relative}: {p.reason}" for p in report.failed]
    return lines


# ---------------------------------------------------------------------------------------------
# Retries


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds before retry number ``retry`` (0-based): exponential backoff with jitter,
        between half and all of ``base_delay * 2**retry``, at least what the server asked."""
        ceiling = min(self.max_delay, self.base_delay * 2**retry)
        jittered = ceiling * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret
        return max(jittered, min(retry_after or 0.0, self.max_delay))


class Transient(Exception):
    """A failure that another attempt may not have."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class UploadFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Stopped(Exception):
    """The run is being interrupted; the file is neither done nor failed."""


class RunStopped(Exception):
    """Nothing more can be uploaded in this run (the API refuses or cannot be reached)."""


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def s3_error(response: requests.Response) -> str:
    """``HTTP 400 EntityTooLarge: message`` from S3's XML error body, as far as it has one."""
    found = [re.search(rf"<{tag}>(.*?)</{tag}>", response.text) for tag in ("Code", "Message")]
    detail = ": ".join(match[1] for match in found if match)
    return f"HTTP {response.status_code} {detail}".strip()


def api_reason(error: ApiError) -> str:
    body = error.body if isinstance(error.body, dict) else {}
    details = [f"{e.get('field')} {e.get('reason')}" for e in body.get("errors") or []]
    return "; ".join(details) or str(error)


FILE_FIELD = re.compile(r"^files\[(\d+)\]\.(\w+)$")


def refused_files(error: ApiError, count: int) -> dict[int, str] | None:
    """Reasons by file index in a 400 answer to an upload request of ``count`` files; None
    when the answer is not (only) about single files."""
    body = error.body if isinstance(error.body, dict) else {}
    errors = body.get("errors")
    if error.status != 400 or not errors:
        return None
    refused: dict[int, str] = {}
    for item in errors:
        match = FILE_FIELD.match(str(item.get("field", "")))
        if not match or int(match[1]) >= count:
            return None
        index, reason = int(match[1]), f"{match[2]} {item.get('reason', 'is refused')}"
        refused[index] = f"{refused[index]}; {reason}" if index in refused else reason
    return refused


# ---------------------------------------------------------------------------------------------
# Uploading


class CtrlC:
    """Makes the first Ctrl-C a request to stop, so that the run ends at a safe point and not
    in the middle of an API call (which could leave an upload URL asked for but never used).
    A second Ctrl-C raises KeyboardInterrupt as usual. Only the main thread handles signals."""

    def __init__(self, pressed: threading.Event) -> None:
        self.pressed = pressed
        self._previous: Any = None

    def __enter__(self) -> CtrlC:
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._press)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _press(self, signum: int, frame: FrameType | None) -> None:
        if self.pressed.is_set():
            raise KeyboardInterrupt
        self.pressed.set()


class Uploader:
    """Uploads files with ``workers`` threads. Upload URLs are asked for just before a worker
    is free to use them, so none expires waiting and an interrupted run leaves no unused ones."""

    def __init__(
        self,
        client: ApiClient,
        job_id: str,
        state: UploadState,
        progress: Progress,
        *,
        http: requests.Session,
        workers: int,
        retry: RetryPolicy,
    ) -> None:
        self._client = client
        self._jobs_path = f"/api/jobs/{job_id}"
        self._state = state
        self._progress = progress
        self._http = http
        self._workers = workers
        self._retry = retry
        self._stop = threading.Event()  # set by Ctrl-C, or when the run ends early
        self._api_lock = threading.Lock()  # the client's token refresh is not thread-safe
        self._count_lock = threading.Lock()
        self.uploaded = 0
        self.uploaded_bytes = 0
        self.failed: list[Problem] = []

    def run(self, files: list[LocalFile], report: UploadReport) -> None:
        """Upload the files and put the outcome into ``report``."""
        try:
            with CtrlC(self._stop):
                report.interrupted = not self._upload_all(files)
        except RunStopped as exc:
            report.stopped = str(exc)
        self._progress.finish()
        report.uploaded, report.uploaded_bytes = self.uploaded, self.uploaded_bytes
        report.failed, report.elapsed = self.failed, self._progress.elapsed

    def _upload_all(self, files: list[LocalFile]) -> bool:
        """Upload every file; False when interrupted (the files in flight are finished first)."""
        queue = deque(files)
        running: dict[Future[None], LocalFile] = {}
        pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="upload")
        try:
            while queue or running:
                if self._stop.is_set():
                    in_flight = count_of(len(running), "file")
                    self._progress.note(f"stopping after the {in_flight} in flight")
                    return False
                if queue and len(running) < self._workers:
                    self._start_next(queue, running, pool)
                    continue
                done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    self._collect(running.pop(future), future)
            return True
        except KeyboardInterrupt:
            return False
        finally:
            self._stop.set()
            pool.shutdown(wait=True)  # a submitted file has its upload URL: let it go up
            for future, file in running.items():
                self._collect_after_stop(file, future)

    def _start_next(
        self,
        queue: deque[LocalFile],
        running: dict[Future[None], LocalFile],
        pool: ThreadPoolExecutor,
    ) -> None:
        count = min(self._workers - len(running), MAX_FILES_PER_REQUEST, len(queue))
        batch = [queue.popleft() for _ in range(count)]
        for file, target in self._request_targets(batch):
            running[pool.submit(self._transfer, file, target)] = file

    def _request_targets(self, batch: list[LocalFile]) -> list[tuple[LocalFile, dict[str, Any]]]:
        """Where to send each file; files the API refuses are failed, the rest asked again."""
        while batch:
            body = {"files": [file.upload_request() for file in batch]}
            try:
                answer = self._call_api(f"{self._jobs_path}/uploads", body)
            except UploadFailed as exc:
                raise RunStopped(f"cannot get upload addresses: {exc.reason}") from exc
            except Stopped:
                return []
            except ApiError as exc:
                refused = refused_files(exc, len(batch))
                if refused is None:
                    raise RunStopped(f"the API refused the upload: {api_reason(exc)}") from exc
                for index, reason in sorted(refused.items()):
                    self._fail(batch[index], reason)
                batch = [file for i, file in enumerate(batch) if i not in refused]
                continue
            return list(zip(batch, answer["uploads"], strict=True))
        return []

    def _collect(self, file: LocalFile, future: Future[None]) -> None:
        try:
            future.result()
        except UploadFailed as exc:
            self._fail(file, exc.reason)
        except Stopped:
            pass

    def _collect_after_stop(self, file: LocalFile, future: Future[None]) -> None:
        try:
            self._collect(file, future)
        except KeyboardInterrupt:
            pass  # a worker saw the same interruption

    def _fail(self, file: LocalFile, reason: str) -> None:
        self.failed.append(Problem(file.relative, reason))
        self._progress.note(f"failed: {file.relative}: {reason}")

    # -- in worker threads --------------------------------------------------------------------

    def _transfer(self, file: LocalFile, target: dict[str, Any]) -> None:
        method = target.get("method")
        try:
            if method == "post":
                self._send_post(file, target)
            elif method == "multipart":
                self._send_parts(file, target)
            else:
                raise UploadFailed(f"the API answered an unknown upload method {method!r}")
        except OSError as exc:  # reading the file; requests' errors are handled in _s3
            raise UploadFailed(f"cannot read the file: {exc.strerror or exc}") from exc
        self._state.mark_done(file)
        with self._count_lock:
            self.uploaded += 1
            self.uploaded_bytes += file.size
        self._progress.file_finished()

    def _send_post(self, file: LocalFile, target: dict[str, Any]) -> None:
        def attempt() -> requests.Response:
            with file.path.open("rb") as handle:
                # the policy fields first, the file last: S3 ignores fields after the file
                upload = {"file": (file.path.name, handle, file.content_type)}
                return self._s3("POST", target["url"], data=target["fields"], files=upload)

        try:
            self._retrying(attempt)
        except (UploadFailed, Stopped, KeyboardInterrupt):
            self._abort(target)  # so the photo shows as failed, not as uploading for ever
            raise
        self._progress.add_bytes(file.size)

    def _send_parts(self, file: LocalFile, target: dict[str, Any]) -> None:
        part_size = int(target["part_size"])
        try:
            parts = [self._send_part(file, part, part_size) for part in target["parts"]]
            body = {"key": target["key"], "upload_id": target["upload_id"], "parts": parts}
            self._call_api(f"{self._jobs_path}/uploads/complete", body)
        except ApiError as exc:
            self._abort(target)
            raise UploadFailed(f"the API refused to complete it: {api_reason(exc)}") from exc
        except (UploadFailed, Stopped, OSError):
            self._abort(target)
            raise

    def _send_part(self, file: LocalFile, part: dict[str, Any], part_size: int) -> dict[str, Any]:
        if self._stop.is_set():
            raise Stopped
        number = int(part["part_number"])
        offset = (number - 1) * part_size

        def attempt() -> requests.Response:
            with file.path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read(part_size)
            return self._s3("PUT", part["url"], data=chunk)

        etag = self._retrying(attempt).headers.get("ETag")
        if not etag:
            raise UploadFailed(f"S3 answered part {number} without an ETag")
        self._progress.add_bytes(min(part_size, file.size - offset))
        return {"part_number": number, "etag": etag}

    def _abort(self, target: dict[str, Any]) -> None:
        body = {"key": target["key"]}
        if "upload_id" in target:
            body["upload_id"] = target["upload_id"]
        try:
            self._call_api(f"{self._jobs_path}/uploads/abort", body)
        except (ApiError, UploadFailed, Stopped):
            pass  # best effort: the bucket's lifecycle rule removes abandoned parts

    # -- requests with retries ----------------------------------------------------------------

    def _s3(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        send = self._http.post if method == "POST" else self._http.put
        try:
            response = send(url, timeout=S3_TIMEOUT, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(f"connection problem ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            raise UploadFailed(f"the upload request failed: {exc}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            raise Transient(f"S3 answered {s3_error(response)}", _retry_after(response))
        if status >= 400:
            raise UploadFailed(f"S3 refused it: {s3_error(response)}")
        return response

    def _call_api(self, path: str, body: dict[str, Any]) -> Any:
        def attempt() -> Any:
            try:
                with self._api_lock:
                    return self._client.call("POST", path, body)
            except ApiError as exc:
                if exc.status == 0 or exc.status == 429 or exc.status >= 500:
                    raise Transient(str(exc)) from exc
                raise

        return self._retrying(attempt)

    def _retrying(self, action: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                return action()
            except Transient as exc:
                attempt += 1
                if attempt >= self._retry.attempts:
                    raise UploadFailed(f"{exc.reason} (gave up after {attempt} attempts)") from exc
                if self._stop.wait(self._retry.delay(attempt - 1, exc.retry_after)):
                    raise Stopped from exc


# ---------------------------------------------------------------------------------------------
# The command


def run_upload(
    client: ApiClient,
    job_id: str,
    folder: Path,
    *,
    workers: int = 4,
    out: TextIO | None = None,
    http: requests.Session | None = None,
    retry: RetryPolicy | None = None,
) -> int:
    """Upload FOLDER to the job. Exit code 0 when every photo is up, 1 when any failed, 130
    when interrupted (the finished files stay recorded: a rerun uploads the rest).

    ``out`` gets progress and summary (default: sys.stderr at call time); ``http`` sends the
    S3 requests (default: a new requests.Session)."""
    out = out or sys.stderr
    if workers < 1:
        print("photojobs: --workers must be at least 1", file=out)
        return 1
    if not folder.is_dir():
        print(f"photojobs: {folder} is not a folder", file=out)
        return 1
    client.call("GET", f"/api/jobs/{job_id}")  # a wrong job or session fails here, before work
    try:
        state = UploadState(state_path(folder, job_id), job_id)
    except StateDamaged as exc:
        print(f"photojobs: {exc}", file=out)
        return 1
    try:
        return _upload_folder(client, job_id, folder, state, workers, out, http, retry)
    except KeyboardInterrupt:
        print(f"\ninterrupted; {_resume_hint(job_id, folder)}", file=out)
        return 130


def _upload_folder(
    client: ApiClient,
    job_id: str,
    folder: Path,
    state: UploadState,
    workers: int,
    out: TextIO,
    http: requests.Session | None,
    retry: RetryPolicy | None,
) -> int:
    scan = scan_folder(folder)
    for problem in scan.skipped:
        print(f"warning: skipping {problem.relative}: {problem.reason}", file=out)
    if not scan.files:
        print(f"photojobs: no photos found in {folder}", file=out)
        return 1
    pending = [file for file in scan.files if not state.is_done(file)]
    report = UploadReport(resumed=len(scan.files) - len(pending), skipped=scan.skipped)
    if pending:
        uploader = Uploader(
            client,
            job_id,
            state,
            _start_progress(out, job_id, pending, report.resumed),
            http=http or requests.Session(),
            workers=workers,
            retry=retry or RetryPolicy(),
        )
        uploader.run(pending, report)
    else:
        print(f"nothing to upload: all {count_of(len(scan.files), 'photo')} are up", file=out)
    for line in summary_lines(report):
        print(line, file=out)
    return _closing_word(report, job_id, folder, out)


def _start_progress(out: TextIO, job_id: str, pending: list[LocalFile], resumed: int) -> Progress:
    total_bytes = sum(file.size for file in pending)
    already = f", {resumed} already uploaded" if resumed else ""
    print(
        f"uploading {count_of(len(pending), 'file')} ({total_bytes / MB:.1f} MB) "
        f"to job {job_id}{already}",
        file=out,
    )
    return Progress(out, len(pending), total_bytes)


def _closing_word(report: UploadReport, job_id: str, folder: Path, out: TextIO) -> int:
    """The last line (how to go on) and the exit code."""
    if report.interrupted:
        print(f"interrupted; {_resume_hint(job_id, folder)}", file=out)
        return 130
    if report.stopped:
        print(f"stopped: {report.stopped}; {_resume_hint(job_id, folder)}", file=out)
        return 1
    if report.failed:
        print("run the same command again to retry the failed files", file=out)
        return 1
    return 0


def _resume_hint(job_id: str, folder: Path) -> str:
    return (
        f"finished files are recorded in {state_path(folder, job_id)}; run "
        f"'photojobs upload {job_id} {folder}' again to upload the rest"
    )
