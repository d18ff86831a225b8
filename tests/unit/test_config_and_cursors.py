from __future__ import annotations

import pytest

from chalicelib.adapters.dynamo.pages import decode_cursor, encode_cursor
from chalicelib.config import SettingsError, load_settings
from chalicelib.errors import InvalidCursor

REQUIRED = {
    "PHOTOJOBS_TABLE": "t",
    "PHOTOJOBS_BUCKET": "b",
    "COGNITO_USER_POOL_ID": "p",
    "COGNITO_CLIENT_ID": "c",
    "COGNITO_JWKS_URL": "https://x/jwks.json",
    "COGNITO_ISSUER": "https://x",
    "PHOTOJOBS_WORK_QUEUE_URL": "https://sqs.example/work",
    "PHOTOJOBS_SESSION_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:s",
}


def test_settings_name_every_missing_variable():
    with pytest.raises(SettingsError) as missing:
        load_settings({"PHOTOJOBS_TABLE": "t"})
    assert str(missing.value) == (
        "missing configuration: COGNITO_CLIENT_ID, COGNITO_ISSUER, COGNITO_JWKS_URL, "
        "COGNITO_USER_POOL_ID, PHOTOJOBS_BUCKET, PHOTOJOBS_SESSION_SECRET_ARN, "
        "PHOTOJOBS_WORK_QUEUE_URL"
    )


def test_settings_types_and_defaults():
    settings = load_settings({**REQUIRED, "AWS_REGION": "eu-central-1"})
    assert settings.region == "eu-central-1"
    assert settings.max_upload_bytes == 200 * 1024 * 1024
    with pytest.raises(SettingsError, match="PHOTOJOBS_MAX_UPLOAD_BYTES must be an integer"):
        load_settings({**REQUIRED, "PHOTOJOBS_MAX_UPLOAD_BYTES": "lots"})
    assert settings.payment_provider == "offline"
    with pytest.raises(SettingsError, match="PHOTOJOBS_PAYMENT_PROVIDER must be one of"):
        load_settings({**REQUIRED, "PHOTOJOBS_PAYMENT_PROVIDER": "paypal"})


def test_cursor_round_trip_and_partition_binding():
    key = {"gsi1pk": {"S": "STUDIO#A#JOBS"}, "gsi1sk": {"S": "2026#J"}, "pk": {"S": "JOB#J"}}
    cursor = encode_cursor(key)
    assert cursor and "STUDIO" not in cursor
    assert decode_cursor(cursor, partition_attr="gsi1pk", partition="STUDIO#A#JOBS") == key
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, partition_attr="gsi1pk", partition="STUDIO#B#JOBS")
    with pytest.raises(InvalidCursor):
        decode_cursor("%%%", partition_attr="gsi1pk", partition="STUDIO#A#JOBS")
    assert (
        encode_cursor(None) is None
        and decode_cursor(None, partition_attr="x", partition="y") is None
    )
