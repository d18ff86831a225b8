"""Calling our own Lambda functions synchronously (RequestResponse), e.g. the PDF renderer,
whose libraries (reportlab, Pillow) the API Lambda does not carry.

The client honours ``AWS_ENDPOINT_URL_LAMBDA`` like every other: locally it points at
:mod:`chalicelib.local.lambda_endpoint`, which runs the same handlers in-process.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from botocore.config import Config

# One attempt only: a render that timed out would only time out again, and the API Gateway
# deadline (29 s) leaves no room for a second try. The read timeout covers the longest render.
_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=60
)


class FunctionFailed(RuntimeError):
    """The function raised: our bug or an outage, never the caller's input (a 500)."""


class FunctionInvoker:
    def __init__(self, client: Any = None) -> None:
        self._client = client

    @cached_property
    def _lambda(self) -> Any:
        if self._client is not None:
            return self._client
        import boto3

        return boto3.session.Session().client("lambda", config=_CONFIG)

    def call(self, function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Invoke `function_name` with `payload` and return what it returned."""
        response = self._lambda.invoke(
            FunctionName=function_name,
            InvocationType="RequestResponse",
            Payload=json.dumps(payload).encode(),
        )
        raw = response["Payload"].read()
        body = json.loads(raw) if raw else None
        if response.get("FunctionError"):
            detail = body.get("errorMessage") if isinstance(body, dict) else raw[:200]
            raise FunctionFailed(f"{function_name} failed: {detail}")
        if not isinstance(body, dict):
            raise FunctionFailed(f"{function_name} returned {type(body).__name__}, not an object")
        return body
