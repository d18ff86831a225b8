"""Sending a step (or a newsletter) of a job: what ``functions/send_messages`` does when a
schedule fires or a status change dispatches a step.

At send time: check the fire is still current (``check_fire``), expand the audience (orders
placed meanwhile count), leave out opt-outs (ours and SNS's STOP list), then per recipient
claim the message (exactly once), render, send through SES or SNS, and record the outcome.
A run with retryable failures raises :class:`RetryLater` after recording everything, so that
Lambda runs it again; the claims make the re-run send only what is still owed.

An ``abandoned_cart`` step goes to the cart's owner only, and only while that cart still
waits: not ordered (the order deleted it), not emptied, not changed after the schedule's
anchor (the later change has its own schedule). Otherwise its run is recorded as
``stale:<reason>``; the message is claimed per cart, so a cart is nudged at most once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from chalicelib.adapters.dynamo.messages_repository import (
    MessageRepository,
    NewsletterRepository,
    OptOutRepository,
)
from chalicelib.domain.carts import Cart, CartOwner, CartOwnerKind, nudge_block
from chalicelib.domain.communication import (
    Channel,
    InvalidPhoneNumber,
    MessageJob,
    Newsletter,
    OptOuts,
    Recipient,
    RenderedEmail,
    RenderedSms,
    Selection,
    Trigger,
    UnknownTemplate,
    check_fire,
    message_key,
    newsletter_message_key,
    normalize_phone,
    render_newsletter,
    render_step,
    select_recipients,
)
from chalicelib.domain.communication.delivery import (
    MAX_SEND_ATTEMPTS,
    DeliveryFailed,
    MessageClaim,
    MessageState,
)
from chalicelib.domain.communication.events import PER_SUBJECT_TRIGGERS
from chalicelib.domain.communication.l10n import DEFAULT_LOCALE
from chalicelib.domain.jobs import Job
from chalicelib.domain.principal import Clock, utc_now
from chalicelib.errors import NotFound
from chalicelib.services.communication_profiles import ProfileResolver, job_profile
from chalicelib.services.message_audience import Audience, JobAudience
from chalicelib.services.unsubscribe_links import UnsubscribeLinks

NEWSLETTER_KIND = "newsletter"
NO_CONSENT = "no_marketing_consent"
# Statuses in which a newsletter may go out: planning shows and sends nothing (seeds 001/002).
NEWSLETTER_STATUSES = frozenset({"selling", "prepay", "archived"})


class RetryLater(RuntimeError):
    """Some messages failed retryably; raised after everything was recorded so that Lambda's
    asynchronous retry runs the step again (the claims make that safe). ``report`` is what
    this run did (sent, failed, pending a retry)."""

    def __init__(self, message: str, report: SendReport) -> None:
        super().__init__(message)
        self.report = report


class JobsById(Protocol):
    def get(self, studio_id: str, job_id: str) -> Job: ...


class StudioNames(Protocol):
    def get(self, studio_id: str) -> Any: ...  # has .name


class Carts(Protocol):
    def get(self, job_id: str, owner: CartOwner, *, now: datetime) -> Cart | None: ...


class Email(Protocol):
    def send(self, to: str, email: RenderedEmail) -> str: ...


class Sms(Protocol):
    def send(self, phone: str, text: str) -> str: ...
    def opted_out_numbers(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class SendReport:
    job_id: str
    step_id: str
    outcome: str  # sent | stale:<reason> | job_gone | no_profile | unknown_payload | ...
    sent: int = 0
    failed: int = 0
    already_handled: int = 0
    retry_pending: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class MessageComposer:
    """Renders a job's messages as a customer will see them."""

    shop_url: str
    sender_email: str | None
    links: UnsubscribeLinks

    def message_job(self, job: Job, studio_name: str, locale: str) -> MessageJob:
        return MessageJob.from_job(
            job,
            locale=locale,
            shop_url=self.shop_url,
            studio_name=studio_name,
            studio_email=self.sender_email,
        )


Render = Callable[[Recipient, str], RenderedEmail | RenderedSms]


class MessageSender:
    def __init__(
        self,
        *,
        jobs: JobsById,
        studios: StudioNames,
        profiles: ProfileResolver,
        audience: JobAudience,
        opt_outs: OptOutRepository,
        messages: MessageRepository,
        newsletters: NewsletterRepository,
        email: Email,
        sms: Sms,
        composer: MessageComposer,
        carts: Carts | None = None,
        clock: Clock = utc_now,
        workers: int = 8,
    ) -> None:
        """``carts`` are the shop's carts, read when an abandoned-cart schedule fires (none:
        no cart is ever found, so no nudge goes out)."""
        self._jobs = jobs
        self._studios = studios
        self._profiles = profiles
        self._audience = audience
        self._opt_outs = opt_outs
        self._messages = messages
        self._newsletters = newsletters
        self._email = email
        self._sms = sms
        self._composer = composer
        self._carts = carts
        self._clock = clock
        self._workers = workers

    def handle(self, payload: Mapping[str, Any]) -> SendReport:
        """Send what ``payload`` (a fired schedule, a dispatch or a newsletter) asks for."""
        job_id, studio_id = payload.get("job_id"), payload.get("studio_id")
        step_id = payload.get("step_id") or (
            f"newsletter:{payload.get('newsletter_id')}" if payload.get("newsletter_id") else None
        )
        if not (isinstance(job_id, str) and isinstance(studio_id, str) and step_id):
            return SendReport(str(job_id), str(step_id), "unknown_payload")
        try:
            job = self._jobs.get(studio_id, job_id)
        except NotFound:  # deleted meanwhile: nothing to send, nothing to record it against
            return SendReport(job_id, str(step_id), "job_gone")
        if payload.get("kind") == NEWSLETTER_KIND:
            return self._newsletter(job, str(payload.get("newsletter_id")))
        return self._step(job, payload)

    # a profile step -------------------------------------------------------------------------
    def _step(self, job: Job, payload: Mapping[str, Any]) -> SendReport:
        step_id = str(payload["step_id"])
        stored = job_profile(self._profiles, job)
        if stored is None:
            return self._record(SendReport(job.job_id, step_id, "no_profile"))
        subject_id = payload.get("subject_id")
        cart = self._cart_of(job, payload)
        check = check_fire(
            payload,
            job,
            stored.profile,
            subject_anchor=cart.updated_at if cart is not None else None,
        )
        if not check.send or check.step is None:
            return self._record(SendReport(job.job_id, step_id, f"stale:{check.reason}"))
        step = check.step
        occurrence = ""
        if step.trigger == Trigger.ABANDONED_CART:
            # Only a cart still waiting, unchanged since this schedule, is worth a nudge.
            block = nudge_block(cart)
            if block is not None or cart is None:
                return self._record(SendReport(job.job_id, step_id, f"stale:{block}"))
            occurrence = cart.cart_id  # one nudge per cart, however often it changed
        audience = self._audience.of(job)
        customers = audience.customers
        if step.trigger in PER_SUBJECT_TRIGGERS:  # the registered customer, the cart's owner
            customers = tuple(c for c in customers if c.customer_id == subject_id)
        selection = select_recipients(
            step, customers, audience.orders, self._opt_outs_for(job, step.channel)
        )
        message_job = self._message_job(job, stored.locale)

        def render(recipient: Recipient, unsubscribe_url: str) -> RenderedEmail | RenderedSms:
            return render_step(
                step, message_job, recipient.customer, unsubscribe_url=unsubscribe_url
            )

        def key(customer_id: str) -> str:
            return message_key(job.job_id, step.step_id, customer_id, occurrence)

        return self._deliver(job, step_id, selection, key, render)

    def _cart_of(self, job: Job, payload: Mapping[str, Any]) -> Cart | None:
        """The customer's cart an abandoned-cart payload was scheduled for, as it is now."""
        subject_id = payload.get("subject_id")
        if payload.get("trigger") != Trigger.ABANDONED_CART.value or not isinstance(
            subject_id, str
        ):
            return None
        if self._carts is None:
            return None
        owner = CartOwner(CartOwnerKind.CUSTOMER, subject_id)
        return self._carts.get(job.job_id, owner, now=self._clock())

    # a newsletter ---------------------------------------------------------------------------
    def _newsletter(self, job: Job, newsletter_id: str) -> SendReport:
        step_id = f"newsletter:{newsletter_id}"
        if job.status not in NEWSLETTER_STATUSES:
            return self._record(SendReport(job.job_id, step_id, "stale:status"))
        try:
            newsletter, _ = self._newsletters.get(job.job_id, newsletter_id)
        except NotFound:
            return self._record(SendReport(job.job_id, step_id, "newsletter_gone"))
        stored = job_profile(self._profiles, job)
        locale = stored.locale if stored else DEFAULT_LOCALE
        audience = self._audience.of(job)
        selection, no_consent = newsletter_selection(
            newsletter, audience, self._opt_outs_for(job, newsletter.channel)
        )
        message_job = self._message_job(job, locale)

        def render(recipient: Recipient, unsubscribe_url: str) -> RenderedEmail | RenderedSms:
            return render_newsletter(
                newsletter, message_job, recipient.customer, unsubscribe_url=unsubscribe_url
            )

        def key(customer_id: str) -> str:
            return newsletter_message_key(job.job_id, newsletter_id, customer_id)

        skipped = newsletter_skipped(selection, no_consent)
        return self._deliver(job, step_id, selection, key, render, skipped=skipped)

    # delivering -----------------------------------------------------------------------------
    def _deliver(
        self,
        job: Job,
        step_id: str,
        selection: Selection,
        key: Callable[[str], str],
        render: Render,
        *,
        skipped: dict[str, int] | None = None,
    ) -> SendReport:
        """``skipped`` counts who was left out (default: the selection's own counts)."""
        settled = self._messages.settled_keys(job.job_id, step_id)
        keyed = ((r, key(r.customer.customer_id)) for r in selection.recipients)
        todo = [(recipient, k) for recipient, k in keyed if k not in settled]

        def send(item: tuple[Recipient, str]) -> str:
            return self._send_one(job, step_id, item[0], item[1], render)

        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            outcomes = Counter(pool.map(send, todo))
        report = SendReport(
            job.job_id,
            step_id,
            "sent",
            sent=outcomes["sent"],
            failed=outcomes["failed"] + outcomes["retry"],
            already_handled=len(selection.recipients) - len(todo) + outcomes["already_handled"],
            retry_pending=outcomes["retry"],
            skipped=selection.skipped_counts() if skipped is None else skipped,
        )
        self._record(report)
        if report.retry_pending:
            raise RetryLater(
                f"{report.retry_pending} message(s) of {step_id} for job {job.job_id} failed "
                "retryably; run again",
                report,
            )
        return report

    def _send_one(
        self, job: Job, step_id: str, recipient: Recipient, key: str, render: Render
    ) -> str:
        """Claim, render, send and record one message; returns its outcome."""
        claim = MessageClaim(
            job_id=job.job_id,
            studio_id=job.studio_id,
            step_id=step_id,
            message_key=key,
            recipient_id=recipient.customer.customer_id,
            channel=recipient.channel.value,
            address=recipient.address,
            claimed_at=self._clock(),
        )
        attempts = self._messages.claim(claim)
        if attempts is None:
            return "already_handled"
        try:
            subject, provider_id = self._send(job, recipient, render)
        except InvalidPhoneNumber:
            self._fail(claim, "invalid_phone_number", retryable=False)
            return "failed"
        except (UnknownTemplate, ValueError) as exc:  # a template the job's data cannot fill
            self._fail(claim, f"render_failed: {exc}"[:200], retryable=False)
            return "failed"
        except DeliveryFailed as exc:
            self._fail(claim, exc.reason, retryable=exc.retryable)
            return "retry" if exc.retryable and attempts < MAX_SEND_ATTEMPTS else "failed"
        self._messages.finish(
            claim,
            state=MessageState.SENT,
            at=self._clock(),
            subject=subject,
            provider_message_id=provider_id,
        )
        return "sent"

    def _send(self, job: Job, recipient: Recipient, render: Render) -> tuple[str | None, str]:
        customer = recipient.customer
        if recipient.channel == Channel.SMS:
            phone = normalize_phone(recipient.address)
            sms = render(recipient, "")
            assert isinstance(sms, RenderedSms)
            return None, self._sms.send(phone, sms.text)
        link = self._composer.links.url_for(
            studio_id=job.studio_id,
            customer_id=customer.customer_id,
            address=recipient.address,
            channel=Channel.EMAIL,
        )
        email = render(recipient, link)
        assert isinstance(email, RenderedEmail)
        return email.subject, self._email.send(recipient.address, email)

    def _fail(self, claim: MessageClaim, reason: str, *, retryable: bool) -> None:
        self._messages.finish(
            claim, state=MessageState.FAILED, at=self._clock(), reason=reason, retryable=retryable
        )

    # helpers --------------------------------------------------------------------------------
    def _opt_outs_for(self, job: Job, channel: Channel) -> OptOuts:
        ours = self._opt_outs.of_studio(job.studio_id)
        if channel != Channel.SMS:
            return ours
        return OptOuts(ours.emails, ours.phones | self._sms.opted_out_numbers())

    def _message_job(self, job: Job, locale: str) -> MessageJob:
        studio = self._studios.get(job.studio_id)
        return self._composer.message_job(job, studio.name, locale)

    def _record(self, report: SendReport) -> SendReport:
        self._messages.record_run(
            report.job_id,
            report.step_id,
            at=self._clock(),
            outcome=report.outcome,
            sent=report.sent,
            failed=report.failed,
            already_handled=report.already_handled,
            skipped=report.skipped,
        )
        return report


def newsletter_selection(
    newsletter: Newsletter, audience: Audience, opt_outs: OptOuts
) -> tuple[Selection, int]:
    """A newsletter's recipients: its audience among customers who agreed to marketing
    messages; also how many were left out for want of that consent."""
    consenting = tuple(c for c in audience.customers if c.customer_id in audience.marketing_consent)
    selection = select_recipients(newsletter, consenting, audience.orders, opt_outs)
    return selection, len(audience.customers) - len(consenting)


def newsletter_skipped(selection: Selection, no_consent: int) -> dict[str, int]:
    """Who a newsletter leaves out and why, those without marketing consent included."""
    skipped = selection.skipped_counts()
    if no_consent:
        skipped[NO_CONSENT] = no_consent
    return skipped
