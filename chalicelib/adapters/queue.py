"""The work queue: asynchronous jobs of the API, consumed by ``functions/build_galleries``."""

from __future__ import annotations

from functools import cached_property
from typing import Any


class WorkQueue:
    def __init__(self, queue_url: str, client: Any = None) -> None:
        self.queue_url = queue_url
        self._client = client

    @cached_property
    def _sqs(self) -> Any:
        if self._client is not None:
            return self._client
        from chalicelib.adapters.aws import client

        return client("sqs")

    def send(self, body: str) -> str:
        """Queue one message; returns its id."""
        answer = self._sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)
        return str(answer["MessageId"])
