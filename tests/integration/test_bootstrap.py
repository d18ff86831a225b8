"""The local stage is created from the production definitions."""

from __future__ import annotations

import json

import pytest

from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamo.schema import table_definition
from chalicelib.resources import ORIGINALS_PREFIX, UPLOAD_QUEUE_MAX_RECEIVES

pytestmark = pytest.mark.integration


def test_resources_match_their_definitions(stage):
    table = client("dynamodb").describe_table(TableName=stage.names.table)["Table"]
    wanted = table_definition()
    assert table["KeySchema"] == wanted["KeySchema"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2", "gsi3"}
    s3 = client("s3")
    block = s3.get_public_access_block(Bucket=stage.names.bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rule = s3.get_bucket_cors(Bucket=stage.names.bucket)["CORSRules"][0]
    assert "POST" in rule["AllowedMethods"] and rule["ExposeHeaders"] == ["ETag"]
    notification = s3.get_bucket_notification_configuration(Bucket=stage.names.bucket)
    (queue_config,) = notification["QueueConfigurations"]
    assert queue_config["Filter"]["Key"]["FilterRules"] == [
        {"Name": "Prefix", "Value": ORIGINALS_PREFIX}
    ] or queue_config["Filter"]["Key"]["FilterRules"] == [
        {"Name": "prefix", "Value": ORIGINALS_PREFIX}
    ]
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=stage.upload_queue_url, AttributeNames=["RedrivePolicy"]
    )["Attributes"]
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == UPLOAD_QUEUE_MAX_RECEIVES
    pool = client("cognito-idp").describe_user_pool(
        UserPoolId=stage.environment["COGNITO_USER_POOL_ID"]
    )["UserPool"]
    assert any(a["Name"] == "custom:studio_id" for a in pool["SchemaAttributes"])
    groups = client("scheduler").list_schedule_groups()["ScheduleGroups"]
    assert stage.names.schedule_group in {g["Name"] for g in groups}
