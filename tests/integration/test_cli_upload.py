"""``photojobs upload`` over HTTP against the local stack: the real API, presigned uploads to the
local S3 endpoint, the upload queue drained into the real process_upload handler."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from PIL import Image

from chalicelib.adapters.aws import client as aws_client
from chalicelib.cli.client import ApiClient, SessionStore
from chalicelib.cli.upload import RetryPolicy, run_upload, state_path
from chalicelib.domain.ids import new_id
from chalicelib.local.wiring import QueueDrainer
from functions.process_upload.handler import handler as process_upload

pytestmark = pytest.mark.integration

MB = 1024 * 1024
FAST_RETRIES = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


# -- helpers ----------------------------------------------------------------------------------


def jpeg(size=(800, 600), colour=(180, 120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=85)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def answer(status: int, body: str = "", headers: dict[str, str] | None = None) -> Any:
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    response.headers.update(headers or {})
    return response


def s3_error_body(code: str, message: str) -> str:
    return f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"


class RecordingSession(requests.Session):
    """A real session that keeps (method, path, JSON body) of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, Any]] = []

    def request(self, method, url, *args, **kwargs):
        self.calls.append((method, urlparse(url).path, kwargs.get("json")))
        return super().request(method, url, *args, **kwargs)

    def upload_requests(self) -> list[list[str]]:
        """The file names of each POST .../uploads, in order."""
        return [
            [f["name"] for f in body["files"]]
            for method, path, body in self.calls
            if method == "POST" and path.endswith("/uploads")
        ]

    def requested_names(self) -> list[str]:
        return sorted(name for batch in self.upload_requests() for name in batch)

    def posted_to(self, suffix: str) -> list[Any]:
        return [
            body for method, path, body in self.calls if method == "POST" and path.endswith(suffix)
        ]


class ScriptedS3(requests.Session):
    """Sends S3 requests for real, except for the first attempts a script answers itself:
    ``script[name]`` is a list of fake outcomes (a Response, or an exception to raise) used up
    one per attempt. Attempts are counted per file name (multipart parts as ``name#n``)."""

    def __init__(self, script: dict[str, list[Any]] | None = None) -> None:
        super().__init__()
        self.script = {name: list(outcomes) for name, outcomes in (script or {}).items()}
        self.attempts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def request(self, method, url, *args, **kwargs):
        name = self.name_of(method, url, kwargs)
        with self.lock:
            self.attempts[name] += 1
            outcomes = self.script.get(name)
            outcome = outcomes.pop(0) if outcomes else None
        if outcome is not None:
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        return super().request(method, url, *args, **kwargs)

    @staticmethod
    def name_of(method: str, url: str, kwargs: dict[str, Any]) -> str:
        if method == "POST":
            return kwargs["files"]["file"][0]
        part = parse_qs(urlparse(url).query)["partNumber"][0]
        return f"{urlparse(url).path.rsplit('/', 1)[-1]}#{part}"


class InterruptingS3(requests.Session):
    """Uploads ``allowed`` files, then behaves as if Ctrl-C was pressed."""

    def __init__(self, allowed: int) -> None:
        super().__init__()
        self.allowed = allowed

    def request(self, method, url, *args, **kwargs):
        if self.allowed == 0:
            raise KeyboardInterrupt
        self.allowed -= 1
        return super().request(method, url, *args, **kwargs)


def signed_in(api_url: str, who: Any, config: Path) -> tuple[ApiClient, RecordingSession]:
    session = RecordingSession()
    api = ApiClient(api_url, SessionStore(config / "session.json"), session=session)
    api.login(who.email, who.password)
    return api, session


def new_job(api_url: str, who: Any) -> str:
    body = {
        "name": "St. Mary",
        "shooting_date": "2026-09-14",
        "job_type": "primary",
        "internal_name": f"stm-{new_id(4)}",
    }
    created = requests.post(f"{api_url}/api/jobs", json=body, headers=who.headers, timeout=10)
    assert created.status_code == 201, created.text
    return str(created.json()["job_id"])


def drain(stage: Any) -> None:
    QueueDrainer(
        aws_client("sqs"),
        stage.upload_queue_url,
        process_upload,
        function_name="process_upload",
        retry_after_seconds=0,
    ).drain()


def listed_photos(api_url: str, who: Any, job_id: str) -> list[dict[str, Any]]:
    got = requests.get(
        f"{api_url}/api/jobs/{job_id}/photos",
        params={"limit": 100},
        headers=who.headers,
        timeout=10,
    )
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


def recorded(folder: Path, job_id: str) -> list[str]:
    return sorted(json.loads(state_path(folder, job_id).read_text())["done"])


@pytest.fixture()
def shoot(tmp_path: Path) -> Path:
    return tmp_path / "shoot"


# -- tests ------------------------------------------------------------------------------------


def test_a_shoot_folder_becomes_photos_in_its_albums(api_url, photographer, stage, shoot, tmp_path):
    job_id = new_job(api_url, photographer)
    write_files(
        shoot,
        {
            "loose.jpg": jpeg(),
            "3b/IMG_0001.jpg": jpeg(colour=(10, 20, 30)),
            "3b/IMG_0002.jpg": jpeg(colour=(30, 20, 10)),
            "3b/notes.txt": b"bring the ladder",
            "4a/IMG_0003.png": png(),
            "group/class-3b.jpg": jpeg(colour=(200, 180, 90)),
        },
    )
    api, session = signed_in(api_url, photographer, tmp_path)
    out = io.StringIO()

    code = run_upload(api, job_id, shoot, workers=3, out=out, retry=FAST_RETRIES)

    assert code == 0, out.getvalue()
    text = out.getvalue()
    assert "warning: skipping 3b/notes.txt: not an image" in text
    assert "uploaded 5 files" in text and "skipped 1 file:" in text and "failed" not in text
    requested = session.upload_requests()
    assert session.requested_names() == sorted(
        ["loose.jpg", "IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.png", "class-3b.jpg"]
    )
    assert all(len(batch) <= 3 for batch in requested)
    sent_types = {
        f["name"]: f["content_type"] for b in session.posted_to("/uploads") for f in b["files"]
    }
    assert sent_types["IMG_0003.png"] == "image/png" and sent_types["loose.jpg"] == "image/jpeg"
    assert recorded(shoot, job_id) == [
        "3b/IMG_0001.jpg",
        "3b/IMG_0002.jpg",
        "4a/IMG_0003.png",
        "group/class-3b.jpg",
        "loose.jpg",
    ]

    drain(stage)

    photos = listed_photos(api_url, photographer, job_id)
    assert sorted((p["album"], p["file_name"], p["state"]) for p in photos) == [
        ("3b", "IMG_0001.jpg", "ready"),
        ("3b", "IMG_0002.jpg", "ready"),
        ("4a", "IMG_0003.png", "ready"),
        ("group", "class-3b.jpg", "ready"),
        ("photos", "loose.jpg", "ready"),
    ]


SIX_FILES = {
    "3b/a.jpg": jpeg(colour=(1, 2, 3)),
    "3b/b.jpg": jpeg(colour=(4, 5, 6)),
    "3b/c.jpg": jpeg(colour=(7, 8, 9)),
    "4a/d.jpg": jpeg(colour=(10, 11, 12)),
    "4a/e.jpg": jpeg(colour=(13, 14, 15)),
    "group/f.jpg": jpeg(colour=(16, 17, 18)),
}


def test_an_interrupted_upload_resumes_with_the_missing_files_only(
    api_url, photographer, stage, shoot, tmp_path
):
    job_id = new_job(api_url, photographer)
    write_files(shoot, SIX_FILES)
    api, session = signed_in(api_url, photographer, tmp_path)
    out = io.StringIO()

    # Ctrl-C while the third file is being sent
    code = run_upload(api, job_id, shoot, workers=1, out=out, http=InterruptingS3(allowed=2))

    assert code == 130
    assert "interrupted" in out.getvalue()
    assert f"'photojobs upload {job_id} {shoot}' again" in out.getvalue()
    assert recorded(shoot, job_id) == ["3b/a.jpg", "3b/b.jpg"]
    assert session.upload_requests() == [["a.jpg"], ["b.jpg"], ["c.jpg"]]

    api, session = signed_in(api_url, photographer, tmp_path)
    out = io.StringIO()
    assert run_upload(api, job_id, shoot, workers=2, out=out) == 0, out.getvalue()
    assert session.requested_names() == ["c.jpg", "d.jpg", "e.jpg", "f.jpg"]
    assert "already uploaded 2 files" in out.getvalue()
    assert recorded(shoot, job_id) == sorted(SIX_FILES)

    drain(stage)
    photos = listed_photos(api_url, photographer, job_id)
    ready = sorted(p["file_name"] for p in photos if p["state"] == "ready")
    assert ready == ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"]  # no duplicates
    # the upload interrupted mid-send was given up: its record says so, it is not pending
    assert [(p["file_name"], p["state"]) for p in photos if p["state"] != "ready"] == [
        ("c.jpg", "failed")
    ]

    # a third run has nothing left to do and asks for nothing
    api, session = signed_in(api_url, photographer, tmp_path)
    out = io.StringIO()
    assert run_upload(api, job_id, shoot, out=out) == 0
    assert session.upload_requests() == []
    assert "nothing to upload: all 6 photos are up" in out.getvalue()
    assert "already uploaded 6 files" in out.getvalue()


def test_ctrl_c_while_asking_for_upload_urls_stops_after_that_file_leaving_nothing_pending(
    api_url, photographer, stage, shoot, tmp_path
):
    job_id = new_job(api_url, photographer)
    write_files(shoot, SIX_FILES)
    api, session = signed_in(api_url, photographer, tmp_path)
    real_request = session.request

    def ctrl_c_during_the_third_request(method, url, *args, **kwargs):
        if method == "POST" and url.endswith("/uploads") and len(session.upload_requests()) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, in the middle of the call
        return real_request(method, url, *args, **kwargs)

    session.request = ctrl_c_during_the_third_request  # type: ignore[method-assign]
    out = io.StringIO()

    assert run_upload(api, job_id, shoot, workers=1, out=out) == 130
    assert "stopping after the 1 file in flight" in out.getvalue()
    assert session.upload_requests() == [["a.jpg"], ["b.jpg"], ["c.jpg"]]
    assert recorded(shoot, job_id) == ["3b/a.jpg", "3b/b.jpg", "3b/c.jpg"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored

    api, session = signed_in(api_url, photographer, tmp_path)
    assert run_upload(api, job_id, shoot, workers=3, out=io.StringIO()) == 0
    assert session.requested_names() == ["d.jpg", "e.jpg", "f.jpg"]
    drain(stage)
    photos = listed_photos(api_url, photographer, job_id)
    assert sorted((p["file_name"], p["state"]) for p in photos) == [
        (name, "ready") for name in ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"]
    ]


def test_a_file_the_api_refuses_fails_with_its_reason_and_the_rest_go_up(
    api_url, photographer, stage, shoot, tmp_path, monkeypatch
):
    from chalicelib import wiring
    from chalicelib.config import get_settings

    monkeypatch.setenv("PHOTOJOBS_MAX_UPLOAD_BYTES", str(1 * MB))
    get_settings.cache_clear()
    wiring.reset()
    job_id = new_job(api_url, photographer)
    big = jpeg() + b"\0" * (MB + MB // 2)
    write_files(shoot, {"3b/a.jpg": jpeg(), "3b/big.jpg": big, "3b/c.jpg": jpeg()})
    api, session = signed_in(api_url, photographer, tmp_path)
    out = io.StringIO()

    code = run_upload(api, job_id, shoot, workers=4, out=out)

    assert code == 1
    assert "3b/big.jpg: size is larger than the 1 MB limit" in out.getvalue()
    assert "uploaded 2 files" in out.getvalue() and "failed 1 file:" in out.getvalue()
    assert session.upload_requests() == [["a.jpg", "big.jpg", "c.jpg"], ["a.jpg", "c.jpg"]]
    assert recorded(shoot, job_id) == ["3b/a.jpg", "3b/c.jpg"]  # a rerun retries big.jpg
    drain(stage)
    photos = listed_photos(api_url, photographer, job_id)
    assert sorted((p["file_name"], p["state"]) for p in photos) == [
        ("a.jpg", "ready"),
        ("c.jpg", "ready"),
    ]


def test_transient_s3_failures_are_retried(api_url, photographer, stage, shoot, tmp_path):
    job_id = new_job(api_url, photographer)
    write_files(shoot, {"3b/a.jpg": jpeg(), "3b/b.jpg": jpeg(), "3b/c.jpg": jpeg()})
    api, _ = signed_in(api_url, photographer, tmp_path)
    s3 = ScriptedS3(
        {
            "a.jpg": [answer(503, s3_error_body("SlowDown", "Please reduce your request rate."))],
            "b.jpg": [requests.ConnectionError("connection reset by peer")],
        }
    )
    out = io.StringIO()

    code = run_upload(api, job_id, shoot, out=out, http=s3, retry=FAST_RETRIES)

    assert code == 0, out.getvalue()
    assert s3.attempts == {"a.jpg": 2, "b.jpg": 2, "c.jpg": 1}
    drain(stage)
    photos = listed_photos(api_url, photographer, job_id)
    assert sorted((p["file_name"], p["state"]) for p in photos) == [
        ("a.jpg", "ready"),
        ("b.jpg", "ready"),
        ("c.jpg", "ready"),
    ]


def test_s3_refusals_are_not_retried_and_endless_5xx_gives_up(
    api_url, photographer, stage, shoot, tmp_path
):
    job_id = new_job(api_url, photographer)
    write_files(shoot, {"3b/a.jpg": jpeg(), "3b/b.jpg": jpeg(), "3b/c.jpg": jpeg()})
    api, _ = signed_in(api_url, photographer, tmp_path)
    s3 = ScriptedS3(
        {
            "a.jpg": [answer(403, s3_error_body("AccessDenied", "Request has expired"))],
            "b.jpg": [answer(500, "oops")] * 3,
        }
    )
    out = io.StringIO()

    code = run_upload(api, job_id, shoot, out=out, http=s3, retry=FAST_RETRIES)

    assert code == 1
    assert s3.attempts == {"a.jpg": 1, "b.jpg": 3, "c.jpg": 1}
    text = out.getvalue()
    assert "3b/a.jpg: S3 refused it: HTTP 403 AccessDenied: Request has expired" in text
    assert "3b/b.jpg: S3 answered HTTP 500 (gave up after 3 attempts)" in text
    assert recorded(shoot, job_id) == ["3b/c.jpg"]


@pytest.fixture()
def small_parts(monkeypatch):
    import chalicelib.domain.photos as photo_rules
    import chalicelib.services.uploads as uploads

    # files above 10 MB go in 5 MB parts
    monkeypatch.setattr(uploads, "MULTIPART_THRESHOLD", 10 * MB)
    monkeypatch.setattr(photo_rules, "MIN_PART_SIZE", 5 * MB)


def big_jpeg() -> bytes:
    data = jpeg(size=(3000, 2000))
    return data + b"\0" * (12 * MB - len(data))  # padding after the JPEG's end


def test_big_files_go_up_in_parts(api_url, photographer, stage, shoot, tmp_path, small_parts):
    job_id = new_job(api_url, photographer)
    write_files(shoot, {"3b/big.jpg": big_jpeg(), "3b/small.jpg": jpeg()})
    api, session = signed_in(api_url, photographer, tmp_path)
    s3 = ScriptedS3({"big.jpg#2": [answer(503, s3_error_body("SlowDown", "later"))]})
    out = io.StringIO()

    code = run_upload(api, job_id, shoot, out=out, http=s3, retry=FAST_RETRIES)

    assert code == 0, out.getvalue()
    assert s3.attempts == {"big.jpg#1": 1, "big.jpg#2": 2, "big.jpg#3": 1, "small.jpg": 1}
    (completed,) = session.posted_to("/uploads/complete")
    assert [p["part_number"] for p in completed["parts"]] == [1, 2, 3]
    assert all(p["etag"] for p in completed["parts"])
    drain(stage)
    photos = {p["file_name"]: p for p in listed_photos(api_url, photographer, job_id)}
    assert photos["big.jpg"]["state"] == "ready" and photos["big.jpg"]["size"] == 12 * MB
    assert photos["small.jpg"]["state"] == "ready"


def test_a_failed_part_aborts_the_multipart_upload(
    api_url, photographer, stage, shoot, tmp_path, small_parts
):
    job_id = new_job(api_url, photographer)
    write_files(shoot, {"3b/big.jpg": big_jpeg()})
    api, session = signed_in(api_url, photographer, tmp_path)
    s3 = ScriptedS3({"big.jpg#2": [answer(400, s3_error_body("InvalidArgument", "bad part"))]})
    out = io.StringIO()

    code = run_upload(api, job_id, shoot, out=out, http=s3, retry=FAST_RETRIES)

    assert code == 1
    assert "3b/big.jpg: S3 refused it: HTTP 400 InvalidArgument: bad part" in out.getvalue()
    assert session.posted_to("/uploads/complete") == []
    assert len(session.posted_to("/uploads/abort")) == 1
    assert not aws_client("s3").list_multipart_uploads(Bucket=stage.names.bucket).get("Uploads")
    (photo,) = listed_photos(api_url, photographer, job_id)
    assert photo["state"] == "failed" and photo["reason"] == "the upload was aborted"
    assert not state_path(shoot, job_id).exists()


def test_a_wrong_job_fails_before_any_work(api_url, photographer, stage, shoot, tmp_path):
    from chalicelib.cli.client import ApiError

    write_files(shoot, {"3b/a.jpg": jpeg()})
    api, session = signed_in(api_url, photographer, tmp_path)
    with pytest.raises(ApiError) as refused:
        run_upload(api, new_id(), shoot, out=io.StringIO())
    assert refused.value.status == 404
    assert session.upload_requests() == []
    assert not any(shoot.glob(".photojobs-upload-*"))
