"""Create every AWS resource of a stage on an AWS-compatible endpoint (moto's server locally),
from the same definitions production uses, and return the environment the code needs."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamo.schema import TTL_ATTRIBUTE, table_definition
from chalicelib.resources import (
    DLQ_RETENTION_SECONDS,
    ORIGINALS_PREFIX,
    UPLOAD_QUEUE_MAX_RECEIVES,
    UPLOAD_QUEUE_VISIBILITY_SECONDS,
    USER_POOL_CLIENT_FLOWS,
    WORK_QUEUE_MAX_RECEIVES,
    WORK_QUEUE_VISIBILITY_SECONDS,
    bucket_cors,
    user_pool_definition,
)


@dataclass(frozen=True)
class StageNames:
    stage: str = "local"
    region: str = "us-east-1"
    sender_email: str = "photos@studio.example"

    @property
    def table(self) -> str:
        return f"photojobs-{self.stage}"

    @property
    def bucket(self) -> str:
        return f"photojobs-{self.stage}-media"

    @property
    def upload_queue(self) -> str:
        return f"photojobs-{self.stage}-uploads"

    @property
    def work_queue(self) -> str:
        return f"photojobs-{self.stage}-work"

    @property
    def schedule_group(self) -> str:
        return f"photojobs-{self.stage}"

    @property
    def session_secret(self) -> str:
        """As infra/template.yaml names SessionSigningKeySecret."""
        return f"photojobs/{self.stage}/session-signing-key"

    @property
    def unsubscribe_secret(self) -> str:
        """As infra/template.yaml names UnsubscribeKeySecret."""
        return f"photojobs/{self.stage}/unsubscribe-key"


@dataclass(frozen=True)
class Stage:
    names: StageNames
    environment: dict[str, str]
    upload_queue_url: str
    dead_letter_queue_url: str
    work_queue_url: str
    work_dead_letter_queue_url: str


def create_stage(names: StageNames, *, cors_origins: list[str]) -> Stage:
    """Create the table, bucket, queues, identity pool, SES identity and schedule group."""
    _create_table(names.table)
    queue_url, dlq_url, queue_arn = _create_queues(names.upload_queue)
    work_url, work_dlq_url, _ = _create_queues(
        names.work_queue,
        max_receives=WORK_QUEUE_MAX_RECEIVES,
        visibility_seconds=WORK_QUEUE_VISIBILITY_SECONDS,
    )
    _create_bucket(names.bucket, queue_arn, cors_origins)
    pool_id, client_id = _create_user_pool(names.stage)
    client("ses").verify_email_identity(EmailAddress=names.sender_email)
    client("scheduler").create_schedule_group(Name=names.schedule_group)
    session_secret_arn = _create_signing_key(
        names.session_secret, "HMAC key that signs shop sessions"
    )
    messages = _messages_environment(names)
    endpoint = client("cognito-idp").meta.endpoint_url.rstrip("/")
    environment = {
        "PHOTOJOBS_STAGE": names.stage,
        "PHOTOJOBS_TABLE": names.table,
        "PHOTOJOBS_BUCKET": names.bucket,
        "PHOTOJOBS_SCHEDULE_GROUP": names.schedule_group,
        "PHOTOJOBS_SENDER_EMAIL": names.sender_email,
        "PHOTOJOBS_WORK_QUEUE_URL": work_url,
        "PHOTOJOBS_SESSION_SECRET_ARN": session_secret_arn,
        "COGNITO_USER_POOL_ID": pool_id,
        "COGNITO_CLIENT_ID": client_id,
        # Locally the keys are served by the endpoint; the issuer keeps the AWS form.
        "COGNITO_JWKS_URL": f"{endpoint}/{pool_id}/.well-known/jwks.json",
        "COGNITO_ISSUER": f"https://cognito-idp.{names.region}.amazonaws.com/{pool_id}",
        **messages,
    }
    return Stage(names, environment, queue_url, dlq_url, work_url, work_dlq_url)


def _create_signing_key(name: str, description: str) -> str:
    """A signing key secret: random per stage, like GenerateSecretString in infra."""
    answer = client("secretsmanager").create_secret(
        Name=name, Description=description, SecretString=secrets.token_urlsafe(48)
    )
    return str(answer["ARN"])


def _messages_environment(names: StageNames) -> dict[str, str]:
    """Messages (issue 6): the unsubscribe-link key (its own secret, retained in the cloud),
    and the Scheduler target: functions/send_messages under the local function ARN scheme
    (which the runner's schedule firer and the local Lambda endpoint resolve)."""
    from chalicelib.local.runner import function_arn

    unsubscribe_key_arn = _create_signing_key(
        names.unsubscribe_secret, "HMAC key that signs unsubscribe links"
    )
    return {
        "PHOTOJOBS_MESSAGES_FUNCTION_ARN": function_arn(names.stage, "send_messages"),
        "PHOTOJOBS_SCHEDULER_ROLE_ARN": (
            f"arn:aws:iam::123456789012:role/photojobs-{names.stage}-scheduler"
        ),
        "PHOTOJOBS_UNSUBSCRIBE_SECRET_ARN": unsubscribe_key_arn,
    }


def _create_table(name: str) -> None:
    dynamodb = client("dynamodb")
    dynamodb.create_table(TableName=name, **table_definition())
    dynamodb.get_waiter("table_exists").wait(TableName=name)
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )


def _create_queues(
    name: str,
    *,
    max_receives: int = UPLOAD_QUEUE_MAX_RECEIVES,
    visibility_seconds: int = UPLOAD_QUEUE_VISIBILITY_SECONDS,
) -> tuple[str, str, str]:
    sqs = client("sqs")
    dlq_url = sqs.create_queue(
        QueueName=f"{name}-dlq",
        Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)},
    )["QueueUrl"]
    dlq_arn = _queue_arn(dlq_url)
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_seconds),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    return queue_url, dlq_url, _queue_arn(queue_url)


def _queue_arn(url: str) -> str:
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def _create_bucket(name: str, queue_arn: str, cors_origins: list[str]) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_cors(Bucket=name, CORSConfiguration=bucket_cors(cors_origins))
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {"FilterRules": [{"Name": "prefix", "Value": ORIGINALS_PREFIX}]}
                    },
                }
            ]
        },
    )


def _create_user_pool(stage: str) -> tuple[str, str]:
    cognito = client("cognito-idp")
    pool: dict[str, Any] = cognito.create_user_pool(**user_pool_definition(f"photojobs-{stage}"))
    pool_id = pool["UserPool"]["Id"]
    app_client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="photojobs-cli",
        GenerateSecret=False,
        ExplicitAuthFlows=USER_POOL_CLIENT_FLOWS,
    )
    return pool_id, app_client["UserPoolClient"]["ClientId"]
