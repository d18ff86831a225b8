"""Gallery building and review over HTTP: photos with QR cards uploaded and processed, a names
list imported, the build requested (202), the work queue drained into the real
build_galleries handler, then galleries, hidden cards, flags and review decisions checked."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import segno
from PIL import Image

from chalicelib.adapters.aws import client
from chalicelib.local.wiring import QueueDrainer
from functions.build_galleries.handler import handler as build_galleries
from tests.integration.test_upload_pipeline import drain as drain_uploads
from tests.integration.test_upload_pipeline import new_job, photos, upload

pytestmark = pytest.mark.integration

START = datetime(2026, 9, 14, 9, 0, 0)
NAMES = "First name,Last name,Class\nAnna,Adler,3b\nBen,Braun,3b\nCarl,Cohn,3b\n"


# photos ------------------------------------------------------------------------------------
def _jpeg(image: Image.Image, taken: datetime) -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Test Camera"
    exif[0x8769] = {0x9003: taken.strftime("%Y:%m:%d %H:%M:%S"), 0x9291: "00"}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def portrait(taken: datetime) -> bytes:
    return _jpeg(Image.new("RGB", (1200, 800), (180, 120, 90)), taken)


def card(tag: str, taken: datetime) -> bytes:
    from chalicelib.documents.card_face import render_card_face

    face = render_card_face(tag, "Anna Adler", "3b", "St. Mary", dpi=200).convert("RGB")
    photo = Image.new("RGB", (1800, 1200), (90, 110, 130))
    photo.paste(face, (300, 200))
    return _jpeg(photo, taken)


def foreign_qr(taken: datetime) -> bytes:
    """A portrait with somebody's Wi-Fi QR code in the background."""
    symbol = segno.make_qr("WIFI:S:school;T:WPA;P:secret;;")
    out = io.BytesIO()
    symbol.save(out, kind="png", scale=12, border=4)
    photo = Image.new("RGB", (1800, 1200), (180, 120, 90))
    photo.paste(Image.open(io.BytesIO(out.getvalue())).convert("RGB"), (700, 300))
    return _jpeg(photo, taken)


# API helpers -------------------------------------------------------------------------------
def call(api_url: str, who: Any, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method, f"{api_url}/api/jobs/{path}", json=body, headers=who.headers, timeout=30
    )


def ok(answer: requests.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def import_names(api_url: str, who: Any, job_id: str) -> dict[str, dict[str, Any]]:
    content = base64.b64encode(NAMES.encode()).decode()
    body = {"filename": "names.csv", "content_base64": content}
    ok(call(api_url, who, "POST", f"{job_id}/subjects/import", body))
    listed = ok(call(api_url, who, "GET", f"{job_id}/subjects"))["items"]
    return {s["first_name"]: s for s in listed}


def drain_work(stage: Any) -> int:
    drainer = QueueDrainer(
        client("sqs"),
        stage.work_queue_url,
        build_galleries,
        function_name="build_galleries",
        batch_size=1,
        retry_after_seconds=0,
    )
    return drainer.drain()


def build(api_url: str, who: Any, job_id: str, stage: Any) -> dict[str, Any]:
    """Request a build, run it, and return its finished state."""
    ok(call(api_url, who, "POST", f"{job_id}/galleries/build"), 202)
    drain_work(stage)
    return ok(call(api_url, who, "GET", f"{job_id}/galleries/build"))


def gallery_names(api_url: str, who: Any, job_id: str, subject_id: str) -> list[str]:
    found = ok(call(api_url, who, "GET", f"{job_id}/galleries/{subject_id}"))
    return [p["file_name"] for p in found["photos"]]


def flags_by_kind(api_url: str, who: Any, job_id: str) -> dict[str, dict[str, Any]]:
    flags = ok(call(api_url, who, "GET", f"{job_id}/review"))["flags"]
    return {f["kind"]: f for f in flags}


@pytest.fixture()
def shoot(api_url, photographer, stage) -> dict[str, Any]:
    """A job with three subjects and a processed shoot of class 3b:

    IMG_0001 portrait before the first card | IMG_0002 Anna's card | IMG_0003 portrait |
    IMG_0004 portrait with a foreign QR code | IMG_0005 Ben's card | IMG_0006, IMG_0007 portraits;
    group/3b.jpg: the class's group photo. Carl was not photographed.
    """
    job = new_job(api_url, photographer)
    job_id = job["job_id"]
    subjects = import_names(api_url, photographer, job_id)
    at = [START + timedelta(seconds=10 * n) for n in range(8)]
    jpeg = "image/jpeg"
    upload(
        api_url,
        photographer,
        job_id,
        {
            "IMG_0001.jpg": (portrait(at[0]), jpeg),
            "IMG_0002.jpg": (card(subjects["Anna"]["tag"], at[1]), jpeg),
            "IMG_0003.jpg": (portrait(at[2]), jpeg),
            "IMG_0004.jpg": (foreign_qr(at[3]), jpeg),
            "IMG_0005.jpg": (card(subjects["Ben"]["tag"], at[4]), jpeg),
            "IMG_0006.jpg": (portrait(at[5]), jpeg),
            "IMG_0007.jpg": (portrait(at[6]), jpeg),
        },
        album="3b",
    )
    upload(api_url, photographer, job_id, {"3b.jpg": (portrait(at[7]), jpeg)}, album="group")
    drain_uploads(stage)
    by_name = {p["file_name"]: p for p in photos(api_url, photographer, job_id)}
    assert {p["state"] for p in by_name.values()} == {"ready"}
    return {"job_id": job_id, "subjects": subjects, "photos": by_name}


def test_a_build_sorts_the_shoot_into_galleries_and_flags_what_is_doubtful(
    api_url, photographer, stage, shoot
):
    job_id, subjects = shoot["job_id"], shoot["subjects"]
    anna, ben, carl = (subjects[n]["subject_id"] for n in ("Anna", "Ben", "Carl"))

    # When the build is requested, it is queued and answered at once
    queued = ok(call(api_url, photographer, "POST", f"{job_id}/galleries/build"), 202)
    assert queued["state"] == "queued" and queued["run_id"]
    assert ok(call(api_url, photographer, "GET", f"{job_id}/galleries/build"))["state"] == "queued"
    assert drain_work(stage) == 1

    # Then it is done, with its counts
    done = ok(call(api_url, photographer, "GET", f"{job_id}/galleries/build"))
    assert done["run_id"] == queued["run_id"]
    assert done["state"] == "done" and done["error"] is None
    assert done["photos"] == {"processed": 8, "total": 8}
    assert done["subjects"] == {"written": 3, "total": 3}
    assert done["started_at"] and done["finished_at"] and done["flags"] == 2
    assert done["summary"]["cards"] == 2 and done["summary"]["unassigned"] == 1

    # Galleries: own photos in capture order, then the class's group photo
    listed = ok(call(api_url, photographer, "GET", f"{job_id}/galleries"))
    assert [(g["name"], g["photos"], g["own_photos"]) for g in listed["items"]] == [
        ("Anna Adler", 3, 2),
        ("Ben Braun", 3, 2),
        ("Carl Cohn", 1, 0),
    ]
    assert gallery_names(api_url, photographer, job_id, anna) == [
        "IMG_0003.jpg",
        "IMG_0004.jpg",
        "3b.jpg",
    ]
    assert gallery_names(api_url, photographer, job_id, ben) == [
        "IMG_0006.jpg",
        "IMG_0007.jpg",
        "3b.jpg",
    ]
    assert gallery_names(api_url, photographer, job_id, carl) == ["3b.jpg"]
    filtered = ok(call(api_url, photographer, "GET", f"{job_id}/galleries?class=4a"))
    assert filtered["items"] == []

    # Card photos are hidden, every other photo is not
    hidden = {p["file_name"] for p in photos(api_url, photographer, job_id) if p["hidden"]}
    assert hidden == {"IMG_0002.jpg", "IMG_0005.jpg"}

    # The photo before the first card and the foreign QR code are flagged, with thumbnails
    flags = flags_by_kind(api_url, photographer, job_id)
    assert set(flags) == {"before_first_card", "foreign_code"}
    before = flags["before_first_card"]
    assert before["album"] == "3b" and before["held"]["count"] == 1
    assert [p["file_name"] for p in before["held"]["photos"]] == ["IMG_0001.jpg"]
    foreign = flags["foreign_code"]
    assert [p["file_name"] for p in foreign["photos"]] == ["IMG_0004.jpg"]
    assert "WIFI:S:school" in foreign["message"]
    thumbnail = requests.get(foreign["photos"][0]["thumbnail_url"], timeout=10)
    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(thumbnail.content)).format == "JPEG"


def test_review_decisions_win_on_every_rebuild(api_url, photographer, stage, shoot):
    job_id, subjects = shoot["job_id"], shoot["subjects"]
    carl = subjects["Carl"]["subject_id"]
    first = shoot["photos"]["IMG_0001.jpg"]["photo_id"]
    build(api_url, photographer, job_id, stage)
    foreign = flags_by_kind(api_url, photographer, job_id)["foreign_code"]

    # When the photo before the first card is moved to Carl, a rebuild is requested
    moved = ok(
        call(
            api_url,
            photographer,
            "POST",
            f"{job_id}/review/actions",
            {"action": "move_photo", "photo_id": first, "subject_id": carl},
        )
    )
    assert moved["decision"] == {
        "action": "move_photo",
        "photo_ids": [first],
        "subject_ids": [carl],
    }
    assert moved["build"]["state"] == "queued"
    drain_work(stage)
    assert gallery_names(api_url, photographer, job_id, carl) == ["IMG_0001.jpg", "3b.jpg"]
    assert "before_first_card" not in flags_by_kind(api_url, photographer, job_id)

    # And the foreign code is accepted as harmless
    accepted = call(
        api_url,
        photographer,
        "POST",
        f"{job_id}/review/actions",
        {"action": "accept_flag", "flag": foreign["key"]},
    )
    ok(accepted)
    drain_work(stage)
    assert flags_by_kind(api_url, photographer, job_id) == {}

    # Then a plain rebuild keeps both decisions
    again = build(api_url, photographer, job_id, stage)
    assert again["state"] == "done" and again["flags"] == 0
    assert gallery_names(api_url, photographer, job_id, carl) == ["IMG_0001.jpg", "3b.jpg"]

    # Manual tagging: IMG_0006 is marked as the first photo of Carl: it starts his run
    ok(
        call(
            api_url,
            photographer,
            "POST",
            f"{job_id}/review/actions",
            {
                "action": "assign_subject",
                "photo_id": shoot["photos"]["IMG_0006.jpg"]["photo_id"],
                "subject_id": carl,
            },
        )
    )
    drain_work(stage)
    assert gallery_names(api_url, photographer, job_id, carl) == [
        "IMG_0001.jpg",
        "IMG_0006.jpg",
        "IMG_0007.jpg",
        "3b.jpg",
    ]
    # Ben's card is now followed by no photos of his: that is flagged
    assert "no_photos_after_card" in flags_by_kind(api_url, photographer, job_id)


def test_a_redelivered_build_message_changes_nothing(api_url, photographer, stage, shoot):
    job_id = shoot["job_id"]
    sqs = client("sqs")
    ok(call(api_url, photographer, "POST", f"{job_id}/galleries/build"), 202)
    (message,) = sqs.receive_message(QueueUrl=stage.work_queue_url, WaitTimeSeconds=0)["Messages"]
    sqs.send_message(QueueUrl=stage.work_queue_url, MessageBody=message["Body"])
    sqs.change_message_visibility(
        QueueUrl=stage.work_queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    assert drain_work(stage) == 2  # the message and its copy
    once = ok(call(api_url, photographer, "GET", f"{job_id}/galleries/build"))
    galleries = ok(call(api_url, photographer, "GET", f"{job_id}/galleries"))
    assert once["state"] == "done" and once["started_at"]

    sqs.send_message(QueueUrl=stage.work_queue_url, MessageBody=message["Body"])
    assert drain_work(stage) == 1
    assert ok(call(api_url, photographer, "GET", f"{job_id}/galleries/build")) == once
    assert ok(call(api_url, photographer, "GET", f"{job_id}/galleries")) == galleries


def test_builds_requested_together_share_one_run(api_url, photographer, stage, shoot):
    job_id = shoot["job_id"]
    answers: list[requests.Response] = []

    def request_build() -> None:
        answers.append(call(api_url, photographer, "POST", f"{job_id}/galleries/build"))

    threads = [threading.Thread(target=request_build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [202] * 4
    assert len({a.json()["run_id"] for a in answers}) == 1
    assert drain_work(stage) == 1


def test_a_request_while_a_build_runs_starts_another_afterwards(
    api_url, photographer, stage, shoot, monkeypatch
):
    from chalicelib import wiring

    job_id = shoot["job_id"]
    builds = wiring.gallery_builds()
    subjects = builds._subjects
    asked: list[dict[str, Any]] = []

    class AskedAgainMeanwhile:
        """Reads the subjects after the photographer asked for another build."""

        def gallery_subjects(self, job_id: str):
            if not asked:
                answer = call(api_url, photographer, "POST", f"{job_id}/galleries/build")
                asked.append(ok(answer, 202))
            return subjects.gallery_subjects(job_id)

    monkeypatch.setattr(builds, "_subjects", AskedAgainMeanwhile())
    first = ok(call(api_url, photographer, "POST", f"{job_id}/galleries/build"), 202)

    assert drain_work(stage) == 2  # the first run, then the one it queued when it finished
    assert asked[0]["run_id"] == first["run_id"] and asked[0]["rerun_requested"] is True
    latest = ok(call(api_url, photographer, "GET", f"{job_id}/galleries/build"))
    assert latest["run_id"] != first["run_id"]
    assert latest["state"] == "done" and latest["rerun_requested"] is False
    assert latest["published_run_id"] == latest["run_id"]


def test_a_failing_build_is_retried_then_recorded_as_failed(
    api_url, photographer, stage, shoot, monkeypatch
):
    from chalicelib import wiring

    job_id = shoot["job_id"]
    builds = wiring.gallery_builds()
    attempts: list[str] = []

    def broken_write(job_id: str, run_id: str, *args: Any, **kwargs: Any) -> None:
        attempts.append(run_id)
        raise RuntimeError("the table is having a bad day")

    monkeypatch.setattr(builds._results, "write", broken_write)
    first = ok(call(api_url, photographer, "POST", f"{job_id}/galleries/build"), 202)

    # When every delivery fails, the last one records the failure (and nothing is shown)
    assert drain_work(stage) == 3
    failed = ok(call(api_url, photographer, "GET", f"{job_id}/galleries/build"))
    assert attempts == [first["run_id"]] * 3
    assert failed["state"] == "failed" and failed["error"] == "the build failed; request it again"
    assert ok(call(api_url, photographer, "GET", f"{job_id}/galleries"))["items"] == []

    # Then a new request builds normally
    monkeypatch.undo()
    assert build(api_url, photographer, job_id, stage)["state"] == "done"
    assert len(ok(call(api_url, photographer, "GET", f"{job_id}/galleries"))["items"]) == 3


def test_review_actions_are_validated(api_url, photographer, stage, shoot):
    job_id = shoot["job_id"]
    path = f"{job_id}/review/actions"
    bad = call(api_url, photographer, "POST", path, {"action": "teleport"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "action"
    missing = call(api_url, photographer, "POST", path, {"action": "move_photo", "album": "3b"})
    assert missing.status_code == 400
    assert missing.json()["errors"] == [
        {"field": "photo_ids", "reason": "give either photo_id or photo_ids"}
    ]
    unknown_photo = call(
        api_url,
        photographer,
        "POST",
        path,
        {"action": "exclude_photo", "photo_ids": ["NOSVCHPH0T00"]},
    )
    assert unknown_photo.status_code == 404 and unknown_photo.json()["field"] == "photo_ids"
    photo_id = shoot["photos"]["IMG_0003.jpg"]["photo_id"]
    unknown_subject = call(
        api_url,
        photographer,
        "POST",
        path,
        {"action": "move_photo", "photo_id": photo_id, "subject_id": "NOSVCHSVBJ00"},
    )
    assert unknown_subject.status_code == 404
    assert unknown_subject.json()["missing"] == ["NOSVCHSVBJ00"]
    no_album = call(
        api_url,
        photographer,
        "POST",
        path,
        {"action": "move_photo", "photo_id": photo_id, "album": "9z"},
    )
    assert no_album.status_code == 404 and no_album.json()["field"] == "album"
    no_class = call(
        api_url,
        photographer,
        "POST",
        path,
        {"action": "mark_group", "photo_id": photo_id, "class_name": "9z"},
    )
    assert no_class.status_code == 404 and no_class.json()["field"] == "class_name"
    no_flag = call(api_url, photographer, "POST", path, {"action": "accept_flag", "flag": "x:y:z"})
    assert no_flag.status_code == 404 and no_flag.json()["field"] == "flag"
    # nothing was stored or queued by the refused actions
    not_built = call(api_url, photographer, "GET", f"{job_id}/galleries/build")
    assert not_built.status_code == 404
    assert "no gallery build" in not_built.json()["message"]
    assert drain_work(stage) == 0


def test_another_studio_sees_none_of_it(api_url, photographer, other_photographer, stage, shoot):
    job_id = shoot["job_id"]
    build(api_url, photographer, job_id, stage)
    anna = shoot["subjects"]["Anna"]["subject_id"]
    photo_id = shoot["photos"]["IMG_0003.jpg"]["photo_id"]
    for method, path, body in [
        ("POST", f"{job_id}/galleries/build", None),
        ("GET", f"{job_id}/galleries/build", None),
        ("GET", f"{job_id}/galleries", None),
        ("GET", f"{job_id}/galleries/{anna}", None),
        ("GET", f"{job_id}/review", None),
        ("POST", f"{job_id}/review/actions", {"action": "exclude_photo", "photo_id": photo_id}),
    ]:
        answer = call(api_url, other_photographer, method, path, body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert json.loads(answer.text)["error"] == "not_found"
    assert drain_work(stage) == 0
    assert len(gallery_names(api_url, photographer, job_id, anna)) == 3


def test_deleting_a_job_deletes_its_builds_and_decisions(api_url, photographer, stage, shoot):
    from chalicelib.adapters.dynamo.models import TableItem

    job_id = shoot["job_id"]
    photo_id = shoot["photos"]["IMG_0001.jpg"]["photo_id"]
    ok(
        call(
            api_url,
            photographer,
            "POST",
            f"{job_id}/review/actions",
            {"action": "exclude_photo", "photo_id": photo_id},
        )
    )
    drain_work(stage)
    published = ok(call(api_url, photographer, "GET", f"{job_id}/galleries/build"))

    ok(call(api_url, photographer, "DELETE", job_id))

    for partition in (f"JOB#{job_id}", f"JOB#{job_id}#BUILD#{published['published_run_id']}"):
        assert list(TableItem.query(partition)) == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_contact_sheets_show_each_childs_first_photo_once_galleries_are_built(
    api_url, photographer, stage, shoot, tmp_path
):
    job_id = shoot["job_id"]
    assert build(api_url, photographer, job_id, stage)["state"] == "done"

    document = ok(call(api_url, photographer, "POST", f"{job_id}/contact-sheets"))

    pdf = tmp_path / "sheets.pdf"
    pdf.write_bytes(requests.get(document["url"], timeout=30).content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode()
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], check=True, capture_output=True
    ).stdout.decode()
    assert text.count("no photo") == 1  # Carl was not photographed; Anna and Ben were
    assert len(images.strip().splitlines()) - 2 >= 2  # header lines, then one row per image
