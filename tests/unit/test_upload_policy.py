"""The presigned POST policy we generate (moto does not enforce it, so we check it here) and
the object keys we generate."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import boto3
from botocore.config import Config

from chalicelib.adapters.storage import UPLOAD_URL_SECONDS, MediaStorage
from chalicelib.domain.photos import (
    original_key,
    parse_original_key,
    safe_segment,
    studio_owns_key,
)


def storage() -> MediaStorage:
    s3 = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="eu-central-1"
    ).client("s3", config=Config(signature_version="s3v4"))
    return MediaStorage("photojobs-prod-media", client=s3)


def test_presigned_post_policy_pins_key_size_type_and_sigv4():
    key = "originals/S/J/3b/P/IMG_0001.jpg"
    before = datetime.now(UTC)
    post = storage().presigned_post(key, "image/jpeg", 200 * 1024 * 1024)
    policy = json.loads(base64.b64decode(post.fields["policy"]))
    conditions = policy["conditions"]
    assert {"bucket": "photojobs-prod-media"} in conditions
    assert {"key": key} in conditions  # the exact key, not a prefix
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 200 * 1024 * 1024] in conditions
    assert {"x-amz-algorithm": "AWS4-HMAC-SHA256"} in conditions
    assert any("x-amz-credential" in c for c in conditions if isinstance(c, dict))
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions)
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expires - before <= timedelta(seconds=UPLOAD_URL_SECONDS + 5)
    assert post.fields["key"] == key
    assert post.fields["Content-Type"] == "image/jpeg"
    assert post.fields["x-amz-signature"]


def test_signed_get_urls_expire_within_ten_minutes():
    url = storage().signed_url("derived/S/J/P/thumbnail.jpg")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url and "X-Amz-Expires=600" in url


def test_keys_use_a_safe_character_set_and_parse_back():
    key = original_key(
        "S0000000000A", "J0000000000B", "Klasse 3b / Süd", "P0000000000C", "Zoë Müller + 1 (2).JPG"
    )
    assert (
        key == "originals/S0000000000A/J0000000000B/Klasse-3b-Sud/P0000000000C/Zoe-Muller-1-2-.JPG"
    )
    assert all(ch.isalnum() or ch in "/._-" for ch in key)
    ids = parse_original_key(key)
    assert ids is not None and (ids.studio_id, ids.job_id, ids.photo_id) == (
        "S0000000000A",
        "J0000000000B",
        "P0000000000C",
    )
    assert parse_original_key("derived/S0000000000A/J0000000000B/x/P0000000000C/a.jpg") is None
    assert parse_original_key("originals/../../etc/passwd") is None
    assert safe_segment("...") == "file"
    assert safe_segment("日本語.jpg") == "jpg"


def test_a_watermark_image_must_be_the_studios_own_original():
    mine = original_key("S0000000000A", "J0000000000B", "logos", "P0000000000C", "logo.png")
    theirs = original_key("S0000000000Z", "J0000000000B", "3b", "P0000000000C", "child.jpg")

    assert studio_owns_key("S0000000000A", mine)
    assert not studio_owns_key("S0000000000A", theirs)
    assert not studio_owns_key("S0000000000A", "derived/S0000000000A/preview.jpg")
    assert not studio_owns_key("S0000000000A", "originals/S0000000000A/../S0000000000Z/x.jpg")
