"""Delivery outcomes of one message, and the bounded retry rule (pure).

A message is claimed before it is sent (``sending``), then ends ``sent`` or ``failed``. A
failure is *retryable* (throttling, a provider outage) or not (an invalid number, an address
the provider refuses). A retryable failure may be claimed again by a later run until
``MAX_SEND_ATTEMPTS`` attempts were made; a claim that never finished (the function died
between sending and recording) is never sent again: at most once beats twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

MAX_SEND_ATTEMPTS = 3


class MessageState(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class DeliveryFailed(Exception):
    """The provider did not take the message. ``reason`` is a stable code (the provider's
    error code, or ours such as ``invalid_phone_number``)."""

    def __init__(self, reason: str, *, retryable: bool, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.retryable = retryable
        self.detail = detail


def may_claim_again(state: str, *, retryable: bool, attempts: int) -> bool:
    """Whether a message in ``state`` may be claimed by another run (see the module docstring)."""
    return state == MessageState.FAILED and retryable and attempts < MAX_SEND_ATTEMPTS


@dataclass(frozen=True)
class MessageClaim:
    """What is recorded when a message is claimed, before it is sent."""

    job_id: str
    studio_id: str
    step_id: str
    message_key: str
    recipient_id: str
    channel: str
    address: str
    claimed_at: datetime


@dataclass(frozen=True)
class MessageRecord:
    """One message of the log: to whom, on which channel, and how it ended (or not yet)."""

    job_id: str
    step_id: str
    message_key: str
    recipient_id: str
    channel: str
    address: str
    state: str
    attempts: int
    claimed_at: datetime
    finished_at: datetime | None = None
    reason: str | None = None
    retryable: bool = False
    subject: str | None = None
    provider_message_id: str | None = None

    @property
    def settled(self) -> bool:
        """Nothing more will happen to it: sent, failed for good, or claimed and unfinished."""
        return not may_claim_again(self.state, retryable=self.retryable, attempts=self.attempts)


@dataclass(frozen=True)
class StepRuns:
    """What the runs of one step (or newsletter) did for a job, across runs."""

    step_id: str
    runs: int = 0
    sent: int = 0
    failed: int = 0
    already_handled: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # of the last run
    last_run_at: datetime | None = None
    last_outcome: str | None = None
