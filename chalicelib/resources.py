"""Resource definitions shared by the local bootstrap and checked against infra/ by tests:
names, the upload notification filter, queue redrive, bucket CORS and the user pool schema."""

from __future__ import annotations

from typing import Any

ORIGINALS_PREFIX = "originals/"  # uploads land here and trigger processing
DERIVED_PREFIX = "derived/"  # previews and thumbnails: never trigger processing
UPLOAD_QUEUE_MAX_RECEIVES = 5  # then the message moves to the dead-letter queue
PROCESS_UPLOAD_TIMEOUT_SECONDS = 120
UPLOAD_QUEUE_VISIBILITY_SECONDS = 6 * PROCESS_UPLOAD_TIMEOUT_SECONDS  # AWS: >= 6x the timeout
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
# The work queue: asynchronous jobs of the API (gallery builds) -> functions/build_galleries.
BUILD_GALLERIES_TIMEOUT_SECONDS = 600
WORK_QUEUE_MAX_RECEIVES = 3  # then the message moves to the dead-letter queue
WORK_QUEUE_VISIBILITY_SECONDS = 6 * BUILD_GALLERIES_TIMEOUT_SECONDS
WORK_QUEUE_BATCH_SIZE = 1  # one build per invocation: each may take minutes
# Lambda retries a failed asynchronous invocation of send_messages (by Scheduler or the API)
# this often (infra: EventInvokeConfig); with the first run, one per message send attempt.
SEND_MESSAGES_ASYNC_RETRIES = 2
STUDIO_ATTRIBUTE = "studio_id"  # Cognito custom attribute -> ID token claim custom:studio_id


def bucket_cors(origins: list[str]) -> dict[str, Any]:
    return {
        "CORSRules": [
            {
                "AllowedOrigins": origins,
                "AllowedMethods": ["GET", "HEAD", "POST", "PUT"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3000,
            }
        ]
    }


def user_pool_definition(name: str) -> dict[str, Any]:
    return {
        "PoolName": name,
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 10,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        "Schema": [
            {
                "Name": STUDIO_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": False,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            }
        ],
    }


USER_POOL_CLIENT_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
