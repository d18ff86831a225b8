"""SMS through SNS (``Publish`` to a phone number) and SNS's account-wide opt-out list (people
who answered STOP). Provider errors become :class:`DeliveryFailed` with SNS's code."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.delivery_errors import NOT_REACHED, delivery_failure

RETRYABLE_CODES = frozenset({"Throttling", "ThrottledException", "InternalError", "KMSThrottling"})
# Reminders about photos for sale are promotional; SNS routes them accordingly (and cheaper).
SMS_TYPE = "Promotional"


class SmsSender:
    def __init__(self, client: Any = None, *, sender_id: str | None = None) -> None:
        self._client = client
        self._sender_id = sender_id

    @cached_property
    def _sns(self) -> Any:
        if self._client is not None:
            return self._client
        from chalicelib.adapters.aws import client

        return client("sns")

    def send(self, phone: str, text: str) -> str:
        """Send one SMS to an E.164 number; returns SNS's message id. Raises ``DeliveryFailed``."""
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": SMS_TYPE}}
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {
                "DataType": "String",
                "StringValue": self._sender_id,
            }
        try:
            answer = self._sns.publish(
                PhoneNumber=phone, Message=text, MessageAttributes=attributes
            )
        except (ClientError, *NOT_REACHED) as exc:
            raise delivery_failure(exc, RETRYABLE_CODES) from exc
        return str(answer["MessageId"])

    def opted_out_numbers(self) -> frozenset[str]:
        """Every number that opted out of SMS from this account (answered STOP)."""
        numbers: set[str] = set()
        kwargs: dict[str, Any] = {}
        while True:
            page = self._sns.list_phone_numbers_opted_out(**kwargs)
            numbers.update(page.get("phoneNumbers", []))
            token = page.get("nextToken")
            if not token:
                return frozenset(numbers)
            kwargs["nextToken"] = token
