"""Starting ``functions/send_messages`` now: an asynchronous Lambda invoke (``Event``).

Chosen over a queue for status-change triggers and newsletters: the payload is the one a
schedule delivers, Lambda retries a failed run twice by itself, and no extra queue is needed.
Locally ``AWS_ENDPOINT_URL_LAMBDA`` points at :mod:`chalicelib.local.lambda_endpoint`, which
runs the handler in a thread, as Lambda would.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any


class MessagesFunction:
    def __init__(self, function_arn: str, client: Any = None) -> None:
        self._function_arn = function_arn
        self._client = client

    @cached_property
    def _lambda(self) -> Any:
        if self._client is not None:
            return self._client
        from chalicelib.adapters.aws import client

        return client("lambda")

    def start(self, payload: dict[str, Any]) -> None:
        """Queue one run of the function with ``payload`` (returns once Lambda accepted it)."""
        self._lambda.invoke(
            FunctionName=self._function_arn,
            InvocationType="Event",
            Payload=json.dumps(payload, sort_keys=True).encode(),
        )
