"""SES/SNS failures as the sender sees them: which ones may be tried again later."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from chalicelib.adapters.delivery_errors import UNREACHABLE_CODE
from chalicelib.adapters.mail import EmailSender
from chalicelib.adapters.sms import SmsSender
from chalicelib.domain.communication.delivery import DeliveryFailed
from chalicelib.domain.communication.render import RenderedEmail
from chalicelib.local.endpoint import free_port

EMAIL = RenderedEmail("Subject", "<p>Hi</p>", "Hi", "https://example.com/unsubscribe")


def client(service: str, endpoint: str = "http://127.0.0.1:9") -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=2),
    )


def send(service: str, transport: Any) -> None:
    if service == "sesv2":
        EmailSender("studio@example.com", client=transport).send("anna@example.com", EMAIL)
    else:
        SmsSender(client=transport).send("+491701234567", "Your photos are online")


@pytest.mark.parametrize("service", ["sesv2", "sns"])
def test_an_unreachable_provider_is_worth_another_attempt(service: str) -> None:
    # A port nobody listens on: botocore cannot even connect, so nothing was sent.
    transport = client(service, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(DeliveryFailed) as failed:
        send(service, transport)
    assert failed.value.reason == UNREACHABLE_CODE and failed.value.retryable


@pytest.mark.parametrize(
    ("service", "operation", "code", "retryable"),
    [
        ("sesv2", "send_email", "TooManyRequestsException", True),
        ("sesv2", "send_email", "MessageRejected", False),
        ("sns", "publish", "Throttling", True),
        ("sns", "publish", "InvalidParameter", False),
    ],
)
def test_provider_refusals_keep_their_code(
    service: str, operation: str, code: str, retryable: bool
) -> None:
    transport = client(service)
    with Stubber(transport) as stub:
        stub.add_client_error(operation, service_error_code=code, service_message="no")
        with pytest.raises(DeliveryFailed) as failed:
            send(service, transport)
    assert (failed.value.reason, failed.value.retryable, failed.value.detail) == (
        code,
        retryable,
        "no",
    )
