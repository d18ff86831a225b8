"""Security and wiring properties of infra/template.yaml, read statically (no pip, no chalice).

The full build (`python infra/build.py check`) proves the artefacts and lints the merged
template; these tests pin the properties a reviewer would otherwise have to re-check by eye.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"

# Statements allowed to use Resource "*", each because AWS offers no resource ARN for them
# (Sid -> actions): SMS to a phone number and the opt-out list; listing schedules.
WILDCARD_RESOURCE_SIDS: dict[str, set[str]] = {
    "SendSms": {"sns:Publish", "sns:ListPhoneNumbersOptedOut"},
    "ListMessageSchedules": {"scheduler:ListSchedules"},
}
APP_ENVIRONMENT = {
    "PHOTOJOBS_TABLE",
    "PHOTOJOBS_BUCKET",
    "PHOTOJOBS_STAGE",
    "COGNITO_USER_POOL_ID",
    "COGNITO_CLIENT_ID",
    "COGNITO_JWKS_URL",
    "COGNITO_ISSUER",
    "PHOTOJOBS_SESSION_SECRET_ARN",
    "PHOTOJOBS_SENDER_EMAIL",
    "PHOTOJOBS_SHOP_URL",
    "PHOTOJOBS_WORK_QUEUE_URL",
    "PHOTOJOBS_DOCUMENTS_FUNCTION",
    "PHOTOJOBS_SCHEDULE_GROUP",
    "PHOTOJOBS_MESSAGES_FUNCTION_ARN",
    "PHOTOJOBS_SCHEDULER_ROLE_ARN",
    "PHOTOJOBS_UNSUBSCRIBE_SECRET_ARN",
    "PHOTOJOBS_PAYMENT_PROVIDER",
    "PHOTOJOBS_STRIPE_SECRET_ARN",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "LOG_LEVEL",
}


@cache
def template() -> dict[str, Any]:
    # cfn-lint's decoder understands the short forms (!Ref, !GetAtt, !Sub, ...).
    return json.loads(json.dumps(cfn_yaml.load(str(TEMPLATE))))


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template()["Resources"].items() if r["Type"] == kind}


def props(name: str) -> dict[str, Any]:
    return template()["Resources"][name]["Properties"]


def find_in_map(value: Any) -> Any:
    if isinstance(value, dict) and "Fn::FindInMap" in value:
        mapping, first, second = value["Fn::FindInMap"]
        return template()["Mappings"][mapping][first][second]
    return value


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def references(value: Any) -> set[str]:
    """Logical ids a fragment depends on through Ref, GetAtt or ${...} in Sub."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref":
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                found |= references(inner[1:]) if isinstance(inner, list) else set()
            else:
                found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    return found


def role_statements() -> list[tuple[str, dict[str, Any]]]:
    statements = []
    for name, role in resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                statements.append((name, statement))
    return statements


def statements_of(role: str) -> dict[str, dict[str, Any]]:
    """A role's statements by Sid (every statement of ours has one)."""
    found = [statement for name, statement in role_statements() if name == role]
    by_sid = {statement["Sid"]: statement for statement in found}
    assert len(by_sid) == len(found), f"{role}: a statement without Sid or a repeated Sid"
    return by_sid


def grants(role: str, action: str) -> list[Any]:
    """The resources of every statement of `role` allowing `action` (exact action names)."""
    return [
        resource
        for statement in statements_of(role).values()
        if statement["Effect"] == "Allow" and action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    ]


def roles_allowing(action: str) -> set[str]:
    return {role for role, s in role_statements() if action in as_list(s["Action"])}


def table_actions(role: str) -> set[str]:
    return {
        action
        for statement in statements_of(role).values()
        for action in as_list(statement["Action"])
        if action.startswith("dynamodb:")
    }


def function_arn(function_name: str) -> dict[str, str]:
    return {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
        + function_name
    }


TABLE_ARN = {"Fn::GetAtt": ["Table", "Arn"]}
WORK_QUEUE_ARN = {"Fn::GetAtt": ["WorkQueue", "Arn"]}
UPLOAD_QUEUE_ARN = {"Fn::GetAtt": ["UploadQueue", "Arn"]}
CONSUME_QUEUE = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
}


def test_table_matches_the_pynamodb_models() -> None:
    # Given the definition the app derives from its PynamoDB models
    from chalicelib.adapters.dynamo.schema import table_definition

    expected = table_definition()
    # When reading the template's table
    table = props("Table")

    # Then keys, attributes, indexes and billing agree
    def by_name(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: item[key])

    assert table["KeySchema"] == expected["KeySchema"]
    assert by_name(table["AttributeDefinitions"], "AttributeName") == by_name(
        expected["AttributeDefinitions"], "AttributeName"
    )
    assert by_name(table["GlobalSecondaryIndexes"], "IndexName") == by_name(
        expected["GlobalSecondaryIndexes"], "IndexName"
    )
    assert table["BillingMode"] == expected["BillingMode"]


def test_table_has_ttl_pitr_and_encryption() -> None:
    table = props("Table")
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert template()["Resources"]["Table"]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("bucket", ["MediaBucket", "SiteBucket"])
def test_buckets_block_all_public_access_and_encrypt(bucket: str) -> None:
    bucket_props = props(bucket)
    assert bucket_props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket_props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert bucket_props["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]


def test_every_bucket_is_covered_by_this_test() -> None:
    assert set(resources("AWS::S3::Bucket")) == {"MediaBucket", "SiteBucket"}


def test_only_originals_trigger_processing() -> None:
    # Given the media bucket's notifications
    notifications = props("MediaBucket")["NotificationConfiguration"]
    assert set(notifications) == {"QueueConfigurations"}
    (queue_config,) = notifications["QueueConfigurations"]
    # Then exactly one prefix rule sends originals/ (and so never derived/) to the upload queue
    assert queue_config["Queue"] == {"Fn::GetAtt": ["UploadQueue", "Arn"]}
    assert queue_config["Event"].startswith("s3:ObjectCreated:")
    assert queue_config["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "originals/"}]


def test_bucket_notification_has_no_dependency_cycle() -> None:
    # The bucket waits for the queue policy, and the policy names the bucket without !Ref.
    bucket = template()["Resources"]["MediaBucket"]
    assert "UploadQueuePolicy" in as_list(bucket["DependsOn"])
    (statement,) = props("UploadQueuePolicy")["PolicyDocument"]["Statement"]
    source_arn = statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"]
    bucket_name = bucket["Properties"]["BucketName"]["Fn::Sub"]
    assert source_arn == "arn:${AWS::Partition}:s3:::" + bucket_name
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert "MediaBucket" not in references(props("UploadQueuePolicy"))


def test_uploads_cors_exposes_etag_for_multipart() -> None:
    (rule,) = props("MediaBucket")["CorsConfiguration"]["CorsRules"]
    assert set(rule["AllowedMethods"]) == {"PUT", "POST"}
    assert rule["ExposedHeaders"] == ["ETag"]
    assert "*" not in json.dumps(rule["AllowedOrigins"])


def test_incomplete_multipart_uploads_are_aborted() -> None:
    rules = props("MediaBucket")["LifecycleConfiguration"]["Rules"]
    days = [r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] for r in rules]
    assert days and all(1 <= day <= 7 for day in days)


@pytest.mark.parametrize(
    ("queue", "dead_letter_queue", "max_receives"),
    [
        ("UploadQueue", "UploadDeadLetterQueue", "UPLOAD_QUEUE_MAX_RECEIVES"),
        # On the last receive the build function records the build as failed instead of
        # retrying (services/galleries.py), so the redrive must happen exactly then.
        ("WorkQueue", "WorkDeadLetterQueue", "WORK_QUEUE_MAX_RECEIVES"),
    ],
)
def test_queues_redrive_to_their_dlq_as_the_app_expects(
    queue: str, dead_letter_queue: str, max_receives: str
) -> None:
    from chalicelib import resources as app_resources

    queue_props = props(queue)
    assert queue_props["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_letter_queue, "Arn"]},
        "maxReceiveCount": getattr(app_resources, max_receives),
    }
    assert props(dead_letter_queue)["MessageRetentionPeriod"] == app_resources.DLQ_RETENTION_SECONDS
    assert queue_props["SqsManagedSseEnabled"] is True
    assert props(dead_letter_queue)["SqsManagedSseEnabled"] is True
    assert "RedrivePolicy" not in props(dead_letter_queue)


def test_every_queue_is_covered_by_these_tests() -> None:
    assert set(resources("AWS::SQS::Queue")) == {
        "UploadQueue",
        "UploadDeadLetterQueue",
        "WorkQueue",
        "WorkDeadLetterQueue",
    }


@pytest.mark.parametrize(
    ("queue", "function"),
    [("UploadQueue", "ProcessUploadFunction"), ("WorkQueue", "BuildGalleriesFunction")],
)
def test_visibility_timeout_is_at_least_six_times_the_function_timeout(
    queue: str, function: str
) -> None:
    visibility = find_in_map(props(queue)["VisibilityTimeout"])
    timeout = find_in_map(props(function)["Timeout"])
    assert visibility >= 6 * timeout


def test_the_upload_queue_and_the_processing_function_match_the_app() -> None:
    # The local stack creates the upload queue from chalicelib/resources.py too.
    from chalicelib import resources as app_resources

    assert (
        find_in_map(props("ProcessUploadFunction")["Timeout"])
        == app_resources.PROCESS_UPLOAD_TIMEOUT_SECONDS
    )
    assert (
        find_in_map(props("UploadQueue")["VisibilityTimeout"])
        == app_resources.UPLOAD_QUEUE_VISIBILITY_SECONDS
    )


def test_the_work_queue_and_the_build_function_match_the_app() -> None:
    # chalicelib/resources.py is what the local stack is built from; the template must agree.
    from chalicelib import resources as app_resources

    assert (
        find_in_map(props("BuildGalleriesFunction")["Timeout"])
        == app_resources.BUILD_GALLERIES_TIMEOUT_SECONDS
    )
    assert (
        find_in_map(props("WorkQueue")["VisibilityTimeout"])
        == app_resources.WORK_QUEUE_VISIBILITY_SECONDS
    )
    assert props("BuildGalleriesEventSource")["BatchSize"] == app_resources.WORK_QUEUE_BATCH_SIZE


def test_each_queue_feeds_exactly_its_function_reporting_batch_item_failures() -> None:
    mappings = {
        json.dumps(m["Properties"]["EventSourceArn"]): m["Properties"]
        for m in resources("AWS::Lambda::EventSourceMapping").values()
    }
    assert len(mappings) == len(resources("AWS::Lambda::EventSourceMapping"))
    expected = {
        json.dumps(UPLOAD_QUEUE_ARN): "ProcessUploadFunction",
        json.dumps(WORK_QUEUE_ARN): "BuildGalleriesFunction",
    }
    assert {arn: m["FunctionName"] for arn, m in mappings.items()} == {
        arn: {"Ref": function} for arn, function in expected.items()
    }
    for mapping in mappings.values():
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert 1 <= mapping["BatchSize"] <= 10
    assert mappings[json.dumps(WORK_QUEUE_ARN)]["BatchSize"] == 1


def test_only_the_build_function_consumes_the_work_queue() -> None:
    for action in CONSUME_QUEUE:
        assert roles_allowing(action) == {"ProcessUploadRole", "BuildGalleriesRole"}, action
        assert grants("BuildGalleriesRole", action) == [WORK_QUEUE_ARN], action
        assert grants("ProcessUploadRole", action) == [UPLOAD_QUEUE_ARN], action


def test_only_the_api_and_the_build_function_queue_builds() -> None:
    # The API requests builds; a build asked for again while it ran queues the next run.
    assert roles_allowing("sqs:SendMessage") == {"ApiHandlerRole", "BuildGalleriesRole"}
    for role in ("ApiHandlerRole", "BuildGalleriesRole"):
        assert grants(role, "sqs:SendMessage") == [WORK_QUEUE_ARN], role


def test_no_wildcard_resource_or_action_except_documented() -> None:
    for role, statement in role_statements():
        actions = set(as_list(statement["Action"]))
        assert "*" not in actions and not any(a.endswith(":*") for a in actions), (role, actions)
        if "*" in as_list(statement.get("Resource", [])):
            assert statement.get("Sid") in WILDCARD_RESOURCE_SIDS, (role, statement)
            assert actions <= WILDCARD_RESOURCE_SIDS[statement["Sid"]], (role, actions)
        assert "NotResource" not in statement and "NotAction" not in statement


SCHEDULER_ROLE_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/photojobs-${Stage}-scheduler"
}


def test_only_the_api_passes_only_the_scheduler_role_only_to_scheduler() -> None:
    # Given every PassRole statement of every role
    passes = [
        (role, statement)
        for role, statement in role_statements()
        if "iam:PassRole" in as_list(statement["Action"])
    ]
    # Then the API alone passes exactly the scheduler role, and only to EventBridge Scheduler
    ((role, statement),) = passes
    assert role == "ApiHandlerRole"
    assert as_list(statement["Action"]) == ["iam:PassRole"]
    assert statement["Resource"] == SCHEDULER_ROLE_ARN
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}
    }
    # and that ARN is the role's deployed name
    role_name = props("SchedulerRole")["RoleName"]["Fn::Sub"]
    assert SCHEDULER_ROLE_ARN["Fn::Sub"].endswith(":role/" + role_name)


def test_only_the_api_manages_schedules_and_only_in_its_group() -> None:
    group = props("ScheduleGroup")["Name"]["Fn::Sub"]
    assert group == "photojobs-${Stage}"
    schedule_arn = {
        "Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/"
        + group
        + "/*"
    }
    scheduler_grants = {
        (role, action)
        for role, statement in role_statements()
        for action in as_list(statement["Action"])
        if action.startswith("scheduler:")
    }
    assert {role for role, _ in scheduler_grants} == {"ApiHandlerRole"}
    for action in ("CreateSchedule", "UpdateSchedule", "DeleteSchedule", "GetSchedule"):
        assert grants("ApiHandlerRole", f"scheduler:{action}") == [schedule_arn], action
    assert grants("ApiHandlerRole", "scheduler:ListSchedules") == ["*"]


def test_the_scheduler_role_is_assumed_by_scheduler_of_this_account_only() -> None:
    (trust,) = props("SchedulerRole")["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    # It may do one thing: invoke the sender.
    actions = {a for s in statements_of("SchedulerRole").values() for a in as_list(s["Action"])}
    assert actions == {"lambda:InvokeFunction"}


def test_lambda_roles_are_assumed_by_lambda_only() -> None:
    for name, role in resources("AWS::IAM::Role").items():
        if name == "SchedulerRole":
            continue
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}, name


def test_only_the_api_and_the_scheduler_invoke_functions_each_exactly() -> None:
    # Given every Lambda permission of every role
    lambda_grants = sorted(
        (role, action, json.dumps(statement["Resource"]))
        for role, statement in role_statements()
        for action in as_list(statement["Action"])
        if action.startswith("lambda:")
    )
    # Then the API invokes the renderer and the sender, the scheduler only the sender, each
    # by the name it is deployed under (an unqualified ARN: no alias or version, no wildcard)
    render = props("RenderDocumentsFunction")["FunctionName"]["Fn::Sub"]
    assert render == "photojobs-${Stage}-render-documents"
    send = props("SendMessagesFunction")["FunctionName"]["Fn::Sub"]
    assert send == "photojobs-${Stage}-send-messages"
    invoke = "lambda:InvokeFunction"
    assert lambda_grants == sorted(
        [
            ("ApiHandlerRole", invoke, json.dumps(function_arn(render))),
            ("ApiHandlerRole", invoke, json.dumps(function_arn(send))),
            ("SchedulerRole", invoke, json.dumps(function_arn(send))),
        ]
    )


def test_the_app_is_configured_with_the_messaging_resources() -> None:
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]
    send = props("SendMessagesFunction")["FunctionName"]["Fn::Sub"]
    assert variables["PHOTOJOBS_MESSAGES_FUNCTION_ARN"] == function_arn(send)
    assert variables["PHOTOJOBS_SCHEDULER_ROLE_ARN"] == SCHEDULER_ROLE_ARN
    assert variables["PHOTOJOBS_SCHEDULE_GROUP"] == {"Ref": "ScheduleGroup"}
    assert variables["PHOTOJOBS_UNSUBSCRIBE_SECRET_ARN"] == {"Ref": "UnsubscribeKeySecret"}
    assert variables["PHOTOJOBS_STRIPE_SECRET_ARN"] == {"Ref": "StripeSecret"}
    assert variables["PHOTOJOBS_PAYMENT_PROVIDER"] == {"Ref": "PaymentProvider"}
    from chalicelib.domain.payments import PAYMENT_PROVIDERS

    provider = template()["Parameters"]["PaymentProvider"]
    assert set(provider["AllowedValues"]) == set(PAYMENT_PROVIDERS)
    assert provider["Default"] == "offline"


def test_the_api_is_configured_with_the_render_function_it_may_invoke() -> None:
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]
    name = props("RenderDocumentsFunction")["FunctionName"]
    assert variables["PHOTOJOBS_DOCUMENTS_FUNCTION"] == name
    assert variables["PHOTOJOBS_WORK_QUEUE_URL"] == {"Ref": "WorkQueue"}


def test_the_document_renderer_finishes_within_the_api_request() -> None:
    # The API waits for it (RequestResponse) inside its own timeout.
    render = find_in_map(props("RenderDocumentsFunction")["Timeout"])
    api = find_in_map(props("APIHandler")["Timeout"])
    assert render < api <= 29


def test_each_role_reads_only_its_secrets() -> None:
    reads = {
        role: {json.dumps(r) for r in grants(role, "secretsmanager:GetSecretValue")}
        for role in resources("AWS::IAM::Role")
    }
    ref = lambda secret: json.dumps({"Ref": secret})  # noqa: E731
    assert {role: found for role, found in reads.items() if found} == {
        "ApiHandlerRole": {
            ref("SessionSigningKeySecret"),
            ref("UnsubscribeKeySecret"),
            ref("StripeSecret"),
        },
        "SendMessagesRole": {ref("UnsubscribeKeySecret")},
    }


def test_the_sender_sends_as_the_sender_address_and_records_deliveries() -> None:
    statements = statements_of("SendMessagesRole")
    services = {a.split(":")[0] for s in statements.values() for a in as_list(s["Action"])}
    assert services == {"logs", "dynamodb", "ses", "sns", "secretsmanager"}
    assert table_actions("SendMessagesRole") == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
    }
    email = statements["SendEmail"]
    assert email["Action"] == "ses:SendEmail"
    assert email["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}
    assert "identity/${SenderIdentity}" in email["Resource"]["Fn::Sub"]


def test_the_sender_is_retried_twice_within_its_maximum_timeout() -> None:
    from chalicelib.domain.communication.delivery import MAX_SEND_ATTEMPTS
    from chalicelib.resources import SEND_MESSAGES_ASYNC_RETRIES

    sender = props("SendMessagesFunction")
    # The local runner retries as Lambda does; each run is one attempt at a failed message.
    retries = sender["EventInvokeConfig"]["MaximumRetryAttempts"]
    assert retries == SEND_MESSAGES_ASYNC_RETRIES == MAX_SEND_ATTEMPTS - 1 == 2
    assert find_in_map(sender["Timeout"]) == 900
    assert sender["Environment"]["Variables"]["PHOTOJOBS_API_URL"] == {
        "Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"
    }


def test_process_upload_reads_originals_and_writes_only_derived() -> None:
    statements = {s["Sid"]: s for role, s in role_statements() if role == "ProcessUploadRole"}
    assert statements["ReadOriginals"]["Action"] == "s3:GetObject"
    assert statements["ReadOriginals"]["Resource"]["Fn::Sub"].endswith("/originals/*")
    assert statements["WriteDerived"]["Action"] == "s3:PutObject"
    assert statements["WriteDerived"]["Resource"]["Fn::Sub"].endswith("/derived/*")
    writes = [s for s in statements.values() if "s3:PutObject" in as_list(s["Action"])]
    assert writes == [statements["WriteDerived"]]


def test_the_build_function_works_on_table_records_only() -> None:
    # Given the build role's statements
    statements = statements_of("BuildGalleriesRole")
    # Then no S3, secrets, email or Lambda; the table's base ARN only (it queries no index)
    services = {a.split(":")[0] for s in statements.values() for a in as_list(s["Action"])}
    assert services == {"logs", "sqs", "dynamodb"}
    assert table_actions("BuildGalleriesRole") == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
    }
    assert statements["TableItems"]["Resource"] == TABLE_ARN


def test_the_document_renderer_reads_records_and_writes_only_documents() -> None:
    statements = statements_of("RenderDocumentsRole")
    services = {a.split(":")[0] for s in statements.values() for a in as_list(s["Action"])}
    assert services == {"logs", "dynamodb", "s3"}
    assert table_actions("RenderDocumentsRole") == {"dynamodb:GetItem", "dynamodb:Query"}
    assert statements["TableItems"]["Resource"] == TABLE_ARN
    # Writes go to the documents of a job only (derived/<studio>/<job>/documents/...), never to
    # previews or originals; reads (thumbnails) stay under derived/.
    assert [s["Fn::Sub"] for s in grants("RenderDocumentsRole", "s3:PutObject")] == [
        "${MediaBucket.Arn}/derived/*/documents/*"
    ]
    assert [s["Fn::Sub"] for s in grants("RenderDocumentsRole", "s3:GetObject")] == [
        "${MediaBucket.Arn}/derived/*"
    ]
    from chalicelib.domain.subjects import document_key

    key = document_key("studio", "job", "cards", "doc")
    assert re.fullmatch("derived/.*/documents/.*", key), key


def test_no_role_scans_the_table() -> None:
    # Every access pattern is a GetItem or a Query (see chalicelib/adapters/dynamo/keys.py).
    for role, statement in role_statements():
        assert "dynamodb:Scan" not in as_list(statement["Action"]), role


def test_every_function_gets_the_app_configuration() -> None:
    # Exactly: a variable left over from a removed resource would point at nothing.
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]
    assert set(variables) == APP_ENVIRONMENT


def test_every_required_setting_of_the_app_is_provided() -> None:
    # Given the settings chalicelib.config refuses to start without
    from dataclasses import MISSING, fields

    from chalicelib.config import ENVIRONMENT, Settings

    required = {ENVIRONMENT[f.name] for f in fields(Settings) if f.default is MISSING}
    # Then the template's Globals set every one of them (Lambda itself sets the region)
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]
    assert required <= set(variables)


def test_image_functions_run_on_amazon_linux_2023() -> None:
    functions = {
        name: r["Properties"]
        for name, r in resources("AWS::Serverless::Function").items()
        if name != "APIHandler"
    }
    assert {p["Handler"] for p in functions.values()} == {
        "functions.process_upload.handler.handler",
        "functions.build_galleries.handler.handler",
        "functions.render_documents.handler.handler",
        "functions.send_messages.handler.handler",
    }
    assert not resources("AWS::Lambda::Function")
    for properties in functions.values():
        assert properties["Runtime"] in ("python3.12", "python3.13")
        assert properties["Architectures"] == ["x86_64"]
        assert properties["CodeUri"] == "./functions.zip"


def test_user_pool_keeps_the_studio_id_out_of_users_hands() -> None:
    pool = props("UserPool")
    (studio,) = [a for a in pool["Schema"] if a["Name"] == "studio_id"]
    assert studio["AttributeDataType"] == "String" and studio["Mutable"] is False
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    client = props("UserPoolClient")
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert "custom:studio_id" not in client["WriteAttributes"]


def test_site_is_private_behind_cloudfront_origin_access_control() -> None:
    config = props("SiteDistribution")["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (read,) = [
        s
        for s in props("SiteBucketPolicy")["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "aws:SourceArn" in read["Condition"]["StringEquals"]


def test_secrets_are_generated_not_written_in_the_template() -> None:
    secrets = resources("AWS::SecretsManager::Secret")
    assert set(secrets) == {"SessionSigningKeySecret", "UnsubscribeKeySecret", "StripeSecret"}
    for secret in secrets.values():
        assert "SecretString" not in secret["Properties"]
        assert "GenerateSecretString" in secret["Properties"]
    # Unsubscribe links already sent and the operator's Stripe keys outlive the stack.
    for name in ("UnsubscribeKeySecret", "StripeSecret"):
        assert template()["Resources"][name]["DeletionPolicy"] == "Retain", name
        assert template()["Resources"][name]["UpdateReplacePolicy"] == "Retain", name
    key = props("UnsubscribeKeySecret")
    assert key["Name"] == {"Fn::Sub": "photojobs/${Stage}/unsubscribe-key"}
    assert key["GenerateSecretString"] == {"PasswordLength": 64, "ExcludePunctuation": True}
    # The Stripe placeholder has the shape the app reads, with empty keys it refuses.
    stripe = json.loads(props("StripeSecret")["GenerateSecretString"]["SecretStringTemplate"])
    assert stripe == {"secret_key": "", "webhook_secret": ""}


def test_every_function_has_its_own_role_and_log_group() -> None:
    functions = {
        name: r["Properties"]
        for name, r in resources("AWS::Serverless::Function").items()
        if name != "APIHandler"
    }
    for name, properties in functions.items():
        role = properties["Role"]["Fn::GetAtt"][0]
        log_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
        assert template()["Resources"][role]["Type"] == "AWS::IAM::Role", name
        assert template()["Resources"][log_group]["Type"] == "AWS::Logs::LogGroup", name
    roles = [p["Role"]["Fn::GetAtt"][0] for p in functions.values()]
    assert len(roles) == len(set(roles))
    # Every log group and role belongs to a function (nothing left from removed functions).
    assert set(resources("AWS::IAM::Role")) == {*roles, "ApiHandlerRole", "SchedulerRole"}
    assert set(resources("AWS::Logs::LogGroup")) == {
        *(p["LoggingConfig"]["LogGroup"]["Ref"] for p in functions.values()),
        "ApiLogGroup",
    }


def test_every_function_follows_the_naming_and_logging_conventions() -> None:
    # Log groups are created by the stack (retention, deletion) only if Lambda writes to them:
    # Lambda's default is /aws/lambda/<FunctionName>, and LoggingConfig names the same group.
    for name, resource in resources("AWS::Serverless::Function").items():
        properties = resource["Properties"]
        function_name = properties["FunctionName"]["Fn::Sub"]
        assert function_name.startswith("photojobs-${Stage}-"), name
        log_group = props(properties["LoggingConfig"]["LogGroup"]["Ref"])
        assert log_group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/{function_name}"}, name
        assert log_group["RetentionInDays"] == {"Ref": "LogRetentionInDays"}, name
        assert "Fn::FindInMap" in properties["Timeout"], name  # every timeout in one place
        if name == "APIHandler":
            continue
        module = properties["Handler"].split(".")[1]  # functions.<module>.handler.handler
        assert function_name == "photojobs-${Stage}-" + module.replace("_", "-"), name
        variables = properties["Environment"]["Variables"]
        # The sender alone also gets the API's address (its unsubscribe links point there).
        extra = {"PHOTOJOBS_API_URL"} if name == "SendMessagesFunction" else set()
        assert set(variables) == {"POWERTOOLS_SERVICE_NAME", *extra}, name
        assert variables["POWERTOOLS_SERVICE_NAME"] == module, name


def test_chalice_role_is_replaced_by_the_template() -> None:
    # Chalice's own role policy is a deny-all placeholder that the merge template replaces.
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    stage = config["stages"]["aws"]
    assert stage["autogen_policy"] is False
    placeholder = json.loads((ROOT / ".chalice" / stage["iam_policy_file"]).read_text())
    assert [s["Effect"] for s in placeholder["Statement"]] == ["Deny"]
    assert props("ApiHandlerRole")["Policies"][0]["PolicyDocument"]["Statement"]


@pytest.fixture
def infra_path() -> Any:
    """infra/ is a directory of scripts, not a package: its modules import each other by name."""
    sys.path.insert(0, str(ROOT / "infra"))
    try:
        yield
    finally:
        sys.path.remove(str(ROOT / "infra"))


@pytest.fixture
def nativefit(infra_path: None) -> Any:
    import nativefit

    return nativefit


@pytest.fixture
def templatecheck(infra_path: None) -> Any:
    import templatecheck

    return templatecheck


@pytest.fixture
def build_script(infra_path: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    # Loaded from its path: `import build` could find the generated build/ directories instead.
    spec = importlib.util.spec_from_file_location("infra_build", ROOT / "infra" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "infra_build", module)  # dataclasses look it up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("tag", "runtime", "fits"),
    [
        ("cp312-cp312-manylinux_2_28_x86_64", "python3.12", True),
        ("cp312-cp312-manylinux_2_28_x86_64", "python3.11", False),  # glibc 2.26 < 2.28
        ("cp311-cp311-manylinux_2_17_x86_64", "python3.12", False),  # other CPython
        ("cp311-abi3-manylinux2014_x86_64", "python3.12", True),  # stable ABI
        ("cp312-cp312-manylinux_2_28_aarch64", "python3.12", False),  # other machine
        ("cp312-cp312-manylinux_2_35_x86_64", "python3.12", False),  # glibc 2.34 < 2.35
        ("cp312-cp312-linux_x86_64", "python3.12", False),  # not a portable wheel
        ("py3-none-any", "python3.11", True),
    ],
)
def test_wheel_tags_are_judged_against_the_runtime(
    nativefit: Any, tag: str, runtime: str, fits: bool
) -> None:
    assert nativefit._tag_fits(tag, nativefit.RUNTIMES[runtime], "x86_64") is fits


# ---------------------------------------------------------------- handlers come from the template

PROCESS_UPLOAD = {
    "Type": "AWS::Serverless::Function",
    "Properties": {
        "CodeUri": "./functions.zip",
        "Handler": "functions.process_upload.handler.handler",
        "Runtime": "python3.12",
    },
}


def project(root: Path, handlers: list[str], resources: dict[str, Any]) -> Path:
    """A minimal project: functions/<name>/handler.py for each name and a template."""
    for name in handlers:
        (root / "functions" / name).mkdir(parents=True)
        (root / "functions" / name / "handler.py").write_text("def handler(e, c): ...\n")
    template_path = root / "infra" / "template.yaml"
    template_path.parent.mkdir()
    # JSON is YAML: the loader under test reads it like the real template.
    template_path.write_text(json.dumps({"Resources": resources}))
    return template_path


def test_the_real_template_and_handler_files_match(templatecheck: Any) -> None:
    assert templatecheck.handler_problems(template(), ROOT) == []
    handlers = templatecheck.function_handlers(template())
    assert [(f.logical_id, f.code_uri, f.handler) for f in handlers] == [
        ("ProcessUploadFunction", "./functions.zip", "functions.process_upload.handler.handler"),
        ("BuildGalleriesFunction", "./functions.zip", "functions.build_galleries.handler.handler"),
        (
            "RenderDocumentsFunction",
            "./functions.zip",
            "functions.render_documents.handler.handler",
        ),
        ("SendMessagesFunction", "./functions.zip", "functions.send_messages.handler.handler"),
    ]


def test_a_function_whose_handler_module_does_not_exist_is_rejected(
    templatecheck: Any, tmp_path: Path
) -> None:
    # Given a template declaring BuildGalleries while only process_upload has code
    build_galleries = json.loads(json.dumps(PROCESS_UPLOAD))
    build_galleries["Properties"]["Handler"] = "functions.build_galleries.handler.handler"
    template_path = project(
        tmp_path,
        ["process_upload"],
        {"ProcessUploadFunction": PROCESS_UPLOAD, "BuildGalleriesFunction": build_galleries},
    )
    (tmp_path / "functions" / "build_galleries").mkdir()
    (tmp_path / "functions" / "build_galleries" / "__init__.py").touch()  # package, no handler

    # When checking the template against the code
    problems = templatecheck.handler_problems(templatecheck.load_yaml(template_path), tmp_path)

    # Then exactly that function is reported, naming the missing module and file
    assert problems == [
        "BuildGalleriesFunction: handler module functions.build_galleries.handler does not "
        "exist (Handler functions.build_galleries.handler.handler, expected "
        "functions/build_galleries/handler.py)"
    ]


def test_a_plain_lambda_function_is_checked_too(templatecheck: Any, tmp_path: Path) -> None:
    resources = {
        "ProcessUploadFunction": PROCESS_UPLOAD,
        "Sender": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Code": "./functions.zip", "Handler": "functions.send.handler.main"},
        },
        "Remote": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Code": {"S3Bucket": "b", "S3Key": "k"}, "Handler": "x.handler"},
        },
    }
    template_path = project(tmp_path, ["process_upload"], resources)

    problems = templatecheck.handler_problems(templatecheck.load_yaml(template_path), tmp_path)

    assert problems == [
        "Sender: handler module functions.send.handler does not exist (Handler "
        "functions.send.handler.main, expected functions/send/handler.py)",
        "Remote: Handler x.handler but no local CodeUri; use CodeUri: ./functions.zip",
    ]


def test_a_handler_file_missing_from_the_template_is_reported(
    templatecheck: Any, tmp_path: Path
) -> None:
    # Given handler code for send_messages but no function in the template using it
    template_path = project(
        tmp_path, ["process_upload", "send_messages"], {"ProcessUploadFunction": PROCESS_UPLOAD}
    )

    problems = templatecheck.handler_problems(templatecheck.load_yaml(template_path), tmp_path)

    assert problems == [
        "functions/send_messages/handler.py is not deployed: no function in the template has "
        "Handler functions.send_messages.handler.<function> (see infra/README.md, "
        "'Adding a function')"
    ]


def test_the_check_stops_before_building_on_a_handler_mismatch(
    build_script: Any, tmp_path: Path
) -> None:
    # Given an otherwise complete project whose template names a function without code
    for name in ("app.py", "pyproject.toml", "chalicelib/__init__.py", ".chalice/config.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    (tmp_path / ".chalice" / "policy-aws.json").touch()
    missing = json.loads(json.dumps(PROCESS_UPLOAD))
    missing["Properties"]["Handler"] = "functions.send_messages.handler.handler"
    template_path = project(tmp_path, [], {"SendMessagesFunction": missing})

    # When the build's preflight runs (main returns 1 on any of these, before pip or chalice)
    problems = build_script.preflight(tmp_path, template_path)

    # Then the missing module is the reason given
    assert [p for p in problems if "objdump" not in p] == [
        "SendMessagesFunction: handler module functions.send_messages.handler does not exist "
        "(Handler functions.send_messages.handler.handler, expected "
        "functions/send_messages/handler.py)"
    ]


def test_the_smoke_import_calls_each_template_handler_by_name(tmp_path: Path) -> None:
    # Given an artefact whose module exists but lacks the function the template names
    (tmp_path / "functions" / "demo").mkdir(parents=True)
    (tmp_path / "functions" / "demo" / "handler.py").write_text("def handler(e, c): ...\n")
    smoke = [sys.executable, "-S", "-E", str(ROOT / "infra" / "smoke.py"), str(tmp_path)]

    # When smoke-importing it with a bare interpreter
    result = subprocess.run(
        [*smoke, "functions", "functions.demo.handler.main"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )

    # Then it fails naming the handler, before any native round trip is attempted
    assert result.returncode != 0
    assert "functions.demo.handler.main: functions.demo.handler has no callable main" in (
        result.stderr
    )


def test_the_smoke_test_imports_what_handlers_load_lazily(tmp_path: Path) -> None:
    # Given a functions artefact whose handler imports fine, but whose image code (loaded only
    # when the first photo arrives) needs a library the artefact lacks, and whose Chalice
    # routes need chalice, which only the API artefact carries
    modules = {
        "functions/demo/__init__.py": "",
        "functions/demo/handler.py": "def handler(e, c): ...\n",
        "chalicelib/__init__.py": "",
        "chalicelib/imaging/__init__.py": "",
        "chalicelib/imaging/qr.py": "from pyzbar import pyzbar\n",
        "chalicelib/api/__init__.py": "",
        "chalicelib/api/routes.py": "import chalice\n",
    }
    for name, text in modules.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    smoke = [sys.executable, "-S", "-E", str(ROOT / "infra" / "smoke.py"), str(tmp_path)]

    # When smoke-testing it
    result = subprocess.run(
        [*smoke, "functions", "functions.demo.handler.handler"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )

    # Then it fails on the image module only
    assert result.returncode != 0
    assert "import functions.demo.handler.handler" in result.stdout
    assert "chalicelib.imaging.qr: ModuleNotFoundError: No module named 'pyzbar'" in result.stderr
    assert "chalicelib.api" not in result.stderr


def test_the_api_artefact_is_resolved_without_image_libraries(infra_path: None) -> None:
    # reportlab requires Pillow, so it is image work and stays out of the API with Pillow.
    import artefacts

    requirements = artefacts.runtime_requirements(ROOT / "pyproject.toml")
    api = {line.split("=")[0].split("[")[0].lower() for line in requirements.api}
    functions = {line.split("=")[0].split("[")[0].lower() for line in requirements.functions}
    assert not api & {"pillow", "reportlab", "zxing-cpp", "pyzbar", "chalice"}
    assert {"pillow", "reportlab", "zxing-cpp"} <= functions
    assert not functions & {"pyzbar", "chalice"}
