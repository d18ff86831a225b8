"""Messages, their runs, opt-outs and newsletters in DynamoDB (key scheme: :mod:`.keys`).

Exactly once: :meth:`MessageRepository.claim` is one conditional UpdateItem that succeeds only
for a message never claimed, or one that failed retryably with attempts left. Whoever wins the
claim sends; everybody else (a re-fired schedule, a retried Lambda, a second dispatch after a
status toggle) sees the claim fail and sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import condition_failed
from chalicelib.adapters.dynamo.models import (
    MessageItem,
    NewsletterItem,
    OptOutItem,
    StepRunsItem,
    TableItem,
)
from chalicelib.adapters.dynamo.pages import Page, query_page
from chalicelib.domain.communication import Audience, Channel, Newsletter, OptOuts
from chalicelib.domain.communication.audience import normalize_email
from chalicelib.domain.communication.delivery import (
    MAX_SEND_ATTEMPTS,
    MessageClaim,
    MessageRecord,
    MessageState,
    StepRuns,
)
from chalicelib.errors import NotFound


def _record(item: MessageItem) -> MessageRecord:
    return MessageRecord(
        job_id=item.job_id,
        step_id=item.step_id,
        message_key=item.message_key,
        recipient_id=item.recipient_id,
        channel=item.channel,
        address=item.address,
        state=item.state,
        attempts=int(item.attempts or 0),
        claimed_at=item.claimed_at,
        finished_at=item.finished_at,
        reason=item.reason,
        retryable=bool(item.retryable),
        subject=item.subject,
        provider_message_id=item.provider_message_id,
    )


def _key(job_id: str, step_id: str, message_key: str) -> MessageItem:
    return MessageItem(keys.job_messages_pk(job_id), keys.message_sk(step_id, message_key))


class MessageRepository:
    def claim(self, claim: MessageClaim) -> int | None:
        """Claim one message for sending: the number of this attempt, or None when the
        message is (or was) someone else's."""
        may_retry = (
            (MessageItem.state == MessageState.FAILED.value)
            & (MessageItem.retryable == True)  # noqa: E712 - a PynamoDB condition
            & (MessageItem.attempts < MAX_SEND_ATTEMPTS)
        )
        item = _key(claim.job_id, claim.step_id, claim.message_key)
        try:
            item.update(
                actions=[
                    MessageItem.kind.set(MessageItem),
                    MessageItem.job_id.set(claim.job_id),
                    MessageItem.studio_id.set(claim.studio_id),
                    MessageItem.step_id.set(claim.step_id),
                    MessageItem.message_key.set(claim.message_key),
                    MessageItem.recipient_id.set(claim.recipient_id),
                    MessageItem.channel.set(claim.channel),
                    MessageItem.address.set(claim.address),
                    MessageItem.state.set(MessageState.SENDING.value),
                    MessageItem.attempts.add(1),
                    MessageItem.claimed_at.set(claim.claimed_at),
                    MessageItem.reason.remove(),
                    MessageItem.retryable.remove(),
                    MessageItem.finished_at.remove(),
                ],
                condition=MessageItem.pk.does_not_exist() | may_retry,
            )
        except UpdateError as exc:
            if condition_failed(exc):
                return None
            raise
        return int(item.attempts or 1)

    def finish(
        self,
        claim: MessageClaim,
        *,
        state: MessageState,
        at: datetime,
        reason: str | None = None,
        retryable: bool = False,
        subject: str | None = None,
        provider_message_id: str | None = None,
    ) -> None:
        """Record how a claimed message ended (``sent`` or ``failed``)."""
        actions: list[Any] = [
            MessageItem.state.set(state.value),
            MessageItem.finished_at.set(at),
            MessageItem.retryable.set(retryable),
        ]
        optional = (
            (MessageItem.reason, reason),
            (MessageItem.subject, subject),
            (MessageItem.provider_message_id, provider_message_id),
        )
        actions.extend(attr.set(value) for attr, value in optional if value is not None)
        _key(claim.job_id, claim.step_id, claim.message_key).update(actions=actions)

    def settled_keys(self, job_id: str, step_id: str) -> set[str]:
        """Message keys of a step that no run will send again (see ``MessageRecord.settled``):
        read once per run so that a re-run does not even try to claim them."""
        results = TableItem.query(
            keys.job_messages_pk(job_id),
            TableItem.sk.startswith(keys.step_messages_prefix(step_id)),
        )
        return {
            item.message_key
            for item in results
            if isinstance(item, MessageItem) and _record(item).settled
        }

    def log(
        self,
        job_id: str,
        *,
        step_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[MessageRecord]:
        """A job's messages, by step, then recipient."""
        prefix = keys.step_messages_prefix(step_id) if step_id else keys.MESSAGE_PREFIX
        page = query_page(
            keys.job_messages_pk(job_id), prefix, MessageItem, limit=limit, cursor=cursor
        )
        return page.map(_record)

    def delete_job(self, job_id: str) -> int:
        """Delete a deleted job's message log and run counters; returns how many items."""
        items = list(TableItem.query(keys.job_messages_pk(job_id)))
        with TableItem.batch_write() as batch:
            for item in items:
                batch.delete(item)
        return len(items)

    # runs ---------------------------------------------------------------------------------
    def record_run(
        self,
        job_id: str,
        step_id: str,
        *,
        at: datetime,
        outcome: str,
        sent: int = 0,
        failed: int = 0,
        already_handled: int = 0,
        skipped: Mapping[str, int] | None = None,
    ) -> None:
        """Count one run of a step (every fire and dispatch is a run, even a stale one)."""
        item = StepRunsItem(keys.job_messages_pk(job_id), keys.step_runs_sk(step_id))
        item.update(
            actions=[
                StepRunsItem.kind.set(StepRunsItem),
                StepRunsItem.job_id.set(job_id),
                StepRunsItem.step_id.set(step_id),
                StepRunsItem.runs.add(1),
                StepRunsItem.sent.add(sent),
                StepRunsItem.failed.add(failed),
                StepRunsItem.already_handled.add(already_handled),
                StepRunsItem.skipped.set(dict(skipped or {})),
                StepRunsItem.last_run_at.set(at),
                StepRunsItem.last_outcome.set(outcome),
            ]
        )

    def step_runs(self, job_id: str) -> list[StepRuns]:
        results = TableItem.query(
            keys.job_messages_pk(job_id), TableItem.sk.startswith(keys.STEP_RUNS_PREFIX)
        )
        return [
            StepRuns(
                step_id=item.step_id,
                runs=int(item.runs or 0),
                sent=int(item.sent or 0),
                failed=int(item.failed or 0),
                already_handled=int(item.already_handled or 0),
                skipped={
                    str(k): int(v)
                    for k, v in (item.skipped.as_dict() if item.skipped else {}).items()
                },
                last_run_at=item.last_run_at,
                last_outcome=item.last_outcome,
            )
            for item in results
            if isinstance(item, StepRunsItem)
        ]


class OptOutRepository:
    """Addresses that opted out of a studio's messages (its unsubscribe links)."""

    def add(
        self,
        studio_id: str,
        channel: Channel,
        address: str,
        *,
        at: datetime,
        customer_id: str | None = None,
        source: str = "unsubscribe_link",
    ) -> None:
        """Record an opt-out (again is harmless)."""
        normalized = normalize_email(address) if channel == Channel.EMAIL else address.strip()
        OptOutItem(
            keys.opt_outs_pk(studio_id),
            keys.opt_out_sk(channel.value, normalized),
            studio_id=studio_id,
            channel=channel.value,
            address=normalized,
            customer_id=customer_id,
            source=source,
            opted_out_at=at,
        ).save()

    def of_studio(self, studio_id: str) -> OptOuts:
        emails: set[str] = set()
        phones: set[str] = set()
        for item in TableItem.query(keys.opt_outs_pk(studio_id)):
            if isinstance(item, OptOutItem):
                (emails if item.channel == Channel.EMAIL.value else phones).add(item.address)
        return OptOuts(frozenset(emails), frozenset(phones))


class NewsletterRepository:
    def save(
        self,
        newsletter: Newsletter,
        *,
        job_id: str,
        studio_id: str,
        created_by: str,
        at: datetime,
    ) -> None:
        NewsletterItem(
            keys.job_pk(job_id),
            keys.newsletter_sk(newsletter.newsletter_id),
            newsletter_id=newsletter.newsletter_id,
            job_id=job_id,
            studio_id=studio_id,
            subject=newsletter.subject,
            body=newsletter.body,
            channel=newsletter.channel.value,
            audience=newsletter.audience.value,
            state="draft",
            created_at=at,
            created_by=created_by,
        ).save()

    def get(self, job_id: str, newsletter_id: str) -> tuple[Newsletter, str]:
        """The newsletter and its state (``draft`` or ``sending``)."""
        try:
            item = NewsletterItem.get(keys.job_pk(job_id), keys.newsletter_sk(newsletter_id))
        except DoesNotExist as exc:
            raise NotFound(
                f"newsletter {newsletter_id} not found", newsletter_id=newsletter_id
            ) from exc
        return _newsletter(item), item.state

    def mark_sending(self, job_id: str, newsletter_id: str, at: datetime) -> None:
        NewsletterItem(keys.job_pk(job_id), keys.newsletter_sk(newsletter_id)).update(
            actions=[NewsletterItem.state.set("sending"), NewsletterItem.sent_at.set(at)]
        )

    def delete_job(self, job_id: str) -> None:
        with TableItem.batch_write() as batch:
            for item in TableItem.query(
                keys.job_pk(job_id), TableItem.sk.startswith(keys.NEWSLETTER_PREFIX)
            ):
                batch.delete(item)

    def of_job(self, job_id: str) -> list[tuple[Newsletter, str]]:
        results = TableItem.query(
            keys.job_pk(job_id), TableItem.sk.startswith(keys.NEWSLETTER_PREFIX)
        )
        return [(_newsletter(i), i.state) for i in results if isinstance(i, NewsletterItem)]


def _newsletter(item: NewsletterItem) -> Newsletter:
    return Newsletter(
        newsletter_id=item.newsletter_id,
        subject=item.subject,
        body=item.body,
        channel=Channel(item.channel),
        audience=Audience(item.audience),
    )
