"""The upload pipeline end to end over HTTP: presigned POST to the local S3 endpoint, the S3
notification through SQS into the real process_upload handler, and the photo listing."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import requests
from PIL import Image

from chalicelib.adapters.aws import client
from chalicelib.domain.ids import new_id
from chalicelib.domain.tags import make_tag
from chalicelib.local.wiring import QueueDrainer
from functions.process_upload.handler import handler as process_upload

pytestmark = pytest.mark.integration


def jpeg(size=(1200, 800), colour=(180, 120, 90), exif_time: str | None = None) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_time:
        exif[0x8769] = {0x9003: exif_time, 0x9291: "25", 0x9011: "+02:00"}
        exif[0x0110] = "Test Camera"
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def card_photo(tag: str) -> bytes:
    from chalicelib.documents.card_face import render_card_face

    face = render_card_face(tag, "Zoë Müller", "3b", "St. Mary", dpi=200).convert("RGB")
    photo = Image.new("RGB", (1800, 1200), (90, 110, 130))
    photo.paste(face, (300, 200))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def new_job(api_url, who, **settings) -> dict[str, Any]:
    body = {
        "name": "St. Mary",
        "shooting_date": "2026-09-14",
        "job_type": "primary",
        "internal_name": f"stm-{new_id(4)}",
        "watermark": {"text": "SAMPLE"},
        **settings,
    }
    answer = requests.post(f"{api_url}/api/jobs", json=body, headers=who.headers, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def request_uploads(api_url, who, job_id, files) -> requests.Response:
    return requests.post(
        f"{api_url}/api/jobs/{job_id}/uploads",
        json={"files": files},
        headers=who.headers,
        timeout=10,
    )


def upload(api_url, who, job_id, named: dict[str, tuple[bytes, str]], album="3b") -> list[dict]:
    files = [
        {"name": name, "size": max(1, len(data)), "content_type": ctype, "album": album}
        for name, (data, ctype) in named.items()
    ]
    answer = request_uploads(api_url, who, job_id, files)
    assert answer.status_code == 201, answer.text
    targets = answer.json()["uploads"]
    for target, (data, ctype) in zip(targets, named.values(), strict=True):
        assert target["method"] == "post"
        sent = requests.post(
            target["url"],
            data=target["fields"],
            files={"file": (target["name"], data, ctype)},
            timeout=30,
        )
        assert sent.status_code in (200, 204), sent.text
    return targets


def drain(stage) -> int:
    drainer = QueueDrainer(
        client("sqs"),
        stage.upload_queue_url,
        process_upload,
        function_name="process_upload",
        retry_after_seconds=0,
    )
    return drainer.drain()


def photos(api_url, who, job_id, **params) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{api_url}/api/jobs/{job_id}/photos", params=params, headers=who.headers, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_uploads_become_photos_with_cards_marked_and_failures_explained(
    api_url, photographer, stage
):
    job = new_job(api_url, photographer)
    tag = make_tag(job["job_id"], new_id())
    named = {
        "IMG_0002.jpg": (jpeg(exif_time="2026:09:14 09:00:02"), "image/jpeg"),
        "IMG_0001 card.jpg": (card_photo(tag), "image/jpeg"),
        "Zoë Müller + 1.png": (png(), "image/png"),
        "notes.jpg": (b"this is a text file, not a photo", "image/jpeg"),
        "broken.jpg": (jpeg()[:2000], "image/jpeg"),
    }
    targets = upload(api_url, photographer, job["job_id"], named)
    # keys are generated server-side from a safe character set; names are kept as given
    assert all(
        t["key"].startswith(f"originals/{photographer.studio_id}/{job['job_id']}/3b/")
        for t in targets
    )
    assert targets[2]["key"].endswith("/Zoe-Muller-1.png")
    listed = photos(api_url, photographer, job["job_id"])
    assert {p["state"] for p in listed} == {"uploading"}

    drain(stage)

    by_name = {p["file_name"]: p for p in photos(api_url, photographer, job["job_id"])}
    assert set(by_name) == set(named)
    assert by_name["IMG_0002.jpg"]["state"] == "ready"
    assert by_name["IMG_0002.jpg"]["capture_time"].startswith("2026-09-14T09:00:02.25")
    assert by_name["IMG_0002.jpg"]["camera"]["model"] == "Test Camera"
    card = by_name["IMG_0001 card.jpg"]
    assert card["state"] == "ready" and card["is_card"] is True
    assert [c["value"] for c in card["codes"]] == [tag] and card["codes"][0]["ours"] is True
    assert by_name["Zoë Müller + 1.png"]["state"] == "ready"
    assert by_name["Zoë Müller + 1.png"]["is_card"] is False
    for bad in ("notes.jpg", "broken.jpg"):
        assert by_name[bad]["state"] == "failed"
        assert by_name[bad]["reason"]  # a human-readable reason
        assert by_name[bad]["thumbnail_url"] is None
    # thumbnails are signed, short-lived links that work
    thumb = requests.get(by_name["IMG_0002.jpg"]["thumbnail_url"], timeout=10)
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.content)).format == "JPEG"
    assert "X-Amz-Expires=600" in by_name["IMG_0002.jpg"]["thumbnail_url"]
    # the originals are all still there, failed ones included
    s3 = client("s3")
    for target in targets:
        assert s3.head_object(Bucket=stage.names.bucket, Key=target["key"])["ContentLength"] > 0
    # capture order: the timed photo first, then the rest by file name
    ordered = [p["file_name"] for p in photos(api_url, photographer, job["job_id"], album="3b")]
    assert ordered[0] == "IMG_0002.jpg"
    assert ordered[1:] == sorted(ordered[1:])


def test_a_duplicated_message_creates_no_second_photo_and_redoes_no_work(
    api_url, photographer, stage
):
    job = new_job(api_url, photographer)
    (target,) = upload(api_url, photographer, job["job_id"], {"a.jpg": (jpeg(), "image/jpeg")})
    sqs = client("sqs")
    # capture the notification, deliver it twice
    drain(stage)  # the s3:TestEvent and the real one
    first = photos(api_url, photographer, job["job_id"])
    s3 = client("s3")
    preview_key = (
        f"derived/{photographer.studio_id}/{job['job_id']}/{target['photo_id']}/preview.jpg"
    )
    first_modified = s3.head_object(Bucket=stage.names.bucket, Key=preview_key)["LastModified"]
    body = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "bucket": {"name": stage.names.bucket},
                    "object": {
                        "key": target["key"],
                        "size": len(jpeg()),
                        "eTag": s3.head_object(Bucket=stage.names.bucket, Key=target["key"])[
                            "ETag"
                        ].strip('"'),
                    },
                },
            }
        ]
    }
    sqs.send_message(QueueUrl=stage.upload_queue_url, MessageBody=json.dumps(body))
    sqs.send_message(QueueUrl=stage.upload_queue_url, MessageBody=json.dumps(body))
    assert drain(stage) == 2
    again = photos(api_url, photographer, job["job_id"])
    assert len(again) == 1
    assert again[0]["state"] == "ready"
    assert again[0]["photo_id"] == first[0]["photo_id"]
    assert (
        s3.head_object(Bucket=stage.names.bucket, Key=preview_key)["LastModified"] == first_modified
    )


def test_upload_requests_are_validated(api_url, photographer, other_photographer, stage):
    job = new_job(api_url, photographer)
    bad = request_uploads(
        api_url,
        photographer,
        job["job_id"],
        [
            {"name": "a.jpg", "size": 10, "content_type": "text/plain"},
            {"name": "b.jpg", "size": 10**10, "content_type": "image/jpeg"},
            {"size": 10, "content_type": "image/jpeg"},
        ],
    )
    assert bad.status_code == 400
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"files[0].content_type", "files[1].size", "files[2].name"}
    assert request_uploads(api_url, photographer, job["job_id"], []).status_code == 400
    foreign = request_uploads(
        api_url,
        other_photographer,
        job["job_id"],
        [{"name": "a.jpg", "size": 1, "content_type": "image/jpeg"}],
    )
    assert foreign.status_code == 404
    assert (
        requests.get(
            f"{api_url}/api/jobs/{job['job_id']}/photos",
            headers=other_photographer.headers,
            timeout=10,
        ).status_code
        == 404
    )
    # nothing was recorded by the refused requests
    assert photos(api_url, photographer, job["job_id"]) == []


def test_deleting_a_job_removes_its_photos_and_files(api_url, photographer, stage):
    job = new_job(api_url, photographer)
    upload(api_url, photographer, job["job_id"], {"a.jpg": (jpeg(), "image/jpeg")})
    drain(stage)
    deleted = requests.delete(
        f"{api_url}/api/jobs/{job['job_id']}", headers=photographer.headers, timeout=10
    )
    assert deleted.status_code == 200
    listing = client("s3").list_objects_v2(Bucket=stage.names.bucket)
    assert listing.get("KeyCount", 0) == 0
    from chalicelib import wiring

    assert wiring.photos().all_in_job(job["job_id"]) == []


def test_big_files_go_in_presigned_parts(api_url, photographer, stage, monkeypatch):
    import chalicelib.domain.photos as photo_rules
    import chalicelib.services.uploads as uploads

    # Given a small multipart threshold, so that a 12 MB file goes in 5 MB parts
    monkeypatch.setattr(uploads, "MULTIPART_THRESHOLD", 10 * 1024 * 1024)
    monkeypatch.setattr(photo_rules, "MIN_PART_SIZE", 5 * 1024 * 1024)
    job = new_job(api_url, photographer)
    data = jpeg(size=(3000, 2000))
    data = data + b"\0" * (12 * 1024 * 1024 - len(data))  # padding after the JPEG's end
    answer = request_uploads(
        api_url,
        photographer,
        job["job_id"],
        [{"name": "big.jpg", "size": len(data), "content_type": "image/jpeg", "album": "3b"}],
    )
    (target,) = answer.json()["uploads"]
    assert target["method"] == "multipart" and len(target["parts"]) == 3
    etags = []
    for part in target["parts"]:
        start = (part["part_number"] - 1) * target["part_size"]
        sent = requests.put(part["url"], data=data[start : start + target["part_size"]], timeout=30)
        assert sent.status_code == 200
        etags.append({"part_number": part["part_number"], "etag": sent.headers["ETag"]})
    path = f"{api_url}/api/jobs/{job['job_id']}/uploads/complete"
    wrong_job = new_job(api_url, photographer)
    stolen = requests.post(
        f"{api_url}/api/jobs/{wrong_job['job_id']}/uploads/complete",
        json={"key": target["key"], "upload_id": target["upload_id"], "parts": etags},
        headers=photographer.headers,
        timeout=10,
    )
    assert stolen.status_code == 404  # a key of another job
    done = requests.post(
        path,
        json={"key": target["key"], "upload_id": target["upload_id"], "parts": etags},
        headers=photographer.headers,
        timeout=10,
    )
    assert done.status_code == 200, done.text
    drain(stage)
    (photo,) = photos(api_url, photographer, job["job_id"])
    assert photo["state"] == "ready" and photo["size"] == len(data)


def test_an_aborted_multipart_upload_is_gone(api_url, photographer, stage, monkeypatch):
    import chalicelib.services.uploads as uploads

    monkeypatch.setattr(uploads, "MULTIPART_THRESHOLD", 1)
    job = new_job(api_url, photographer)
    (target,) = request_uploads(
        api_url,
        photographer,
        job["job_id"],
        [{"name": "a.jpg", "size": 100, "content_type": "image/jpeg"}],
    ).json()["uploads"]
    aborted = requests.post(
        f"{api_url}/api/jobs/{job['job_id']}/uploads/abort",
        json={"key": target["key"], "upload_id": target["upload_id"]},
        headers=photographer.headers,
        timeout=10,
    )
    assert aborted.status_code == 200
    uploads_left = client("s3").list_multipart_uploads(Bucket=stage.names.bucket)
    assert not uploads_left.get("Uploads")
    missing = requests.post(
        f"{api_url}/api/jobs/{job['job_id']}/uploads/complete",
        json={
            "key": target["key"],
            "upload_id": target["upload_id"],
            "parts": [{"part_number": 1, "etag": "x"}],
        },
        headers=photographer.headers,
        timeout=10,
    )
    assert missing.status_code == 409
    assert missing.json()["state"] == "failed"
    (photo,) = photos(api_url, photographer, job["job_id"])
    assert photo["state"] == "failed" and photo["reason"] == "the upload was aborted"
