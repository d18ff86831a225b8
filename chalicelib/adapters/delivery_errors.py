"""What a provider's (SES, SNS) exception means for one message: a :class:`DeliveryFailed`
that says whether another attempt later may succeed.

A refusal (``ClientError``) is retryable only for the provider's throttling and outage codes.
A connection that could not be opened (after botocore's own retries) never reached the
provider: nothing was sent, so it is retryable too. A timeout while waiting for the answer is
not translated: the message may have gone out, and at-most-once wins over a second copy."""

from __future__ import annotations

from collections.abc import Collection

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from chalicelib.domain.communication.delivery import DeliveryFailed

NOT_REACHED = (EndpointConnectionError, ConnectTimeoutError)
UNREACHABLE_CODE = "ProviderUnreachable"


def delivery_failure(
    exc: ClientError | EndpointConnectionError | ConnectTimeoutError,
    retryable_codes: Collection[str],
) -> DeliveryFailed:
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", "ClientError"))
        message = str(exc.response.get("Error", {}).get("Message", ""))
        return DeliveryFailed(code, retryable=code in retryable_codes, detail=message)
    return DeliveryFailed(UNREACHABLE_CODE, retryable=True, detail=str(exc))
