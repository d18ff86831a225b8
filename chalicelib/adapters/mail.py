"""Email through SES (v2 ``SendEmail`` with ``Simple`` content): the message is rendered in the
app; SES only delivers it. Provider errors become :class:`DeliveryFailed` with SES's code."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.delivery_errors import NOT_REACHED, delivery_failure
from chalicelib.domain.communication import RenderedEmail

# SES error codes worth another attempt later; every other refusal is final for this message.
RETRYABLE_CODES = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "Throttling", "ServiceUnavailable"}
)


class EmailSender:
    def __init__(self, sender: str, client: Any = None) -> None:
        self.sender = sender
        self._client = client

    @cached_property
    def _ses(self) -> Any:
        if self._client is not None:
            return self._client
        from chalicelib.adapters.aws import client

        return client("sesv2")

    def send(self, to: str, email: RenderedEmail) -> str:
        """Send one email; returns SES's message id. Raises ``DeliveryFailed``."""
        content = {
            "Simple": {
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                },
                "Headers": [{"Name": k, "Value": v} for k, v in email.headers.items()],
            }
        }
        try:
            answer = self._ses.send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": [to]},
                Content=content,
            )
        except (ClientError, *NOT_REACHED) as exc:
            raise delivery_failure(exc, RETRYABLE_CODES) from exc
        return str(answer["MessageId"])
