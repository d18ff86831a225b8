"""The photographer's view of a job's messages: what is planned (in the job's local time) and
for how many recipients, what was sent or failed, previews of any step for a sample customer,
and newsletters (a draft is previewed first, then sent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.adapters.dynamo.messages_repository import (
    MessageRepository,
    NewsletterRepository,
    OptOutRepository,
)
from chalicelib.adapters.dynamo.pages import Page
from chalicelib.adapters.scheduler import ExistingSchedule, MessageScheduler
from chalicelib.domain import validation as v
from chalicelib.domain.communication import (
    Channel,
    Customer,
    MessageJob,
    Newsletter,
    RenderedEmail,
    RenderedSms,
    SchedulePlan,
    Step,
    render_newsletter,
    render_step,
    select_recipients,
)
from chalicelib.domain.communication.delivery import MessageRecord, StepRuns
from chalicelib.domain.communication.l10n import DEFAULT_LOCALE
from chalicelib.domain.communication.library import StudioProfile, parse_newsletter
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.services.message_audience import JobAudience
from chalicelib.services.message_scheduling import MessageScheduling, Replanned
from chalicelib.services.messages import (
    NEWSLETTER_KIND,
    NEWSLETTER_STATUSES,
    MessageComposer,
    newsletter_selection,
    newsletter_skipped,
)

SAMPLE_CUSTOMER = Customer(
    customer_id="sample",
    name="Alex",
    email="parent@example.com",
    phone="+4915112345678",
    access_code="K7Q2-M9XW-4P3R",
)


class JobsOfStudio(Protocol):
    def get(self, studio_id: str, job_id: str) -> Job: ...


class StudioNames(Protocol):
    def get(self, studio_id: str) -> Any: ...


class SendNow(Protocol):
    def start(self, payload: dict[str, Any]) -> None: ...


class NoProfile(Conflict):
    code = "no_communication_profile"


class NewsletterNotAllowed(Conflict):
    code = "newsletter_not_allowed"


@dataclass(frozen=True)
class StepAudience:
    step_id: str
    recipients: int
    skipped: dict[str, int]


@dataclass(frozen=True)
class JobMessagesView:
    job: Job
    profile: StudioProfile | None
    plan: SchedulePlan
    scheduled: tuple[ExistingSchedule, ...]
    audiences: dict[str, StepAudience]
    runs: tuple[StepRuns, ...]
    log: Page[MessageRecord]


@dataclass(frozen=True)
class Preview:
    step_id: str | None
    customer_id: str
    channel: Channel
    rendered: RenderedEmail | RenderedSms


@dataclass(frozen=True)
class NewsletterDraft:
    newsletter: Newsletter
    state: str
    preview: Preview | None
    recipients: int
    skipped: dict[str, int]


class JobMessages:
    def __init__(
        self,
        *,
        jobs: JobsOfStudio,
        studios: StudioNames,
        scheduling: MessageScheduling,
        scheduler: MessageScheduler,
        messages: MessageRepository,
        newsletters: NewsletterRepository,
        opt_outs: OptOutRepository,
        audience: JobAudience,
        composer: MessageComposer,
        send_now: SendNow,
        clock: Clock = utc_now,
    ) -> None:
        self._jobs = jobs
        self._studios = studios
        self._scheduling = scheduling
        self._scheduler = scheduler
        self._messages = messages
        self._newsletters = newsletters
        self._opt_outs = opt_outs
        self._audience = audience
        self._composer = composer
        self._send_now = send_now
        self._clock = clock

    def overview(
        self,
        who: Principal,
        job_id: str,
        *,
        step_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> JobMessagesView:
        job = self._jobs.get(who.studio_id, job_id)
        profile = self._scheduling.profile_of(job)
        plan = self._scheduling.plan(job, profile)
        audiences: dict[str, StepAudience] = {}
        if profile is not None:
            audience = self._audience.of(job)
            opt_outs = self._opt_outs.of_studio(job.studio_id)
            for step in profile.profile.steps:
                selection = select_recipients(step, audience.customers, audience.orders, opt_outs)
                audiences[step.step_id] = StepAudience(
                    step.step_id, len(selection.recipients), selection.skipped_counts()
                )
        return JobMessagesView(
            job=job,
            profile=profile,
            plan=plan,
            scheduled=tuple(self._scheduler.job_schedules(job_id)),
            audiences=audiences,
            runs=tuple(self._messages.step_runs(job_id)),
            log=self._messages.log(job_id, step_id=step_id, limit=limit, cursor=cursor),
        )

    def replan(self, who: Principal, job_id: str) -> Replanned:
        """Apply the job's plan again (e.g. after an outage left schedules behind)."""
        return self._scheduling.replan_job(self._jobs.get(who.studio_id, job_id))

    def preview(self, who: Principal, job_id: str, body: Any) -> Preview:
        """A step of the job's profile as one customer (or a sample customer) would get it."""
        fields = v.collect(
            v.require_object(body),
            {"step_id": lambda x: v.text(x, max_length=20), "customer_id": v.optional_text},
            required=("step_id",),
        )
        job = self._jobs.get(who.studio_id, job_id)
        profile = self._scheduling.profile_of(job)
        if profile is None:
            raise NoProfile("the job has no communication profile", job_id=job_id)
        step = profile.profile.step(fields["step_id"])
        if step is None:
            raise ValidationFailed([{"field": "step_id", "reason": "no such step in the profile"}])
        customer = self._customer(job, fields.get("customer_id"))
        rendered = self._render(job, profile, step, customer)
        return Preview(step.step_id, customer.customer_id, step.channel, rendered)

    # newsletters ----------------------------------------------------------------------------
    def create_newsletter(self, who: Principal, job_id: str, body: Any) -> NewsletterDraft:
        """Store a draft and return it rendered for the first recipient, with the audience."""
        job = self._jobs.get(who.studio_id, job_id)
        newsletter = parse_newsletter(body, newsletter_id=new_id())
        self._newsletters.save(
            newsletter,
            job_id=job.job_id,
            studio_id=job.studio_id,
            created_by=who.email or who.user_id,
            at=self._clock(),
        )
        return self._draft(job, newsletter, "draft")

    def newsletters(self, who: Principal, job_id: str) -> list[NewsletterDraft]:
        job = self._jobs.get(who.studio_id, job_id)
        return [
            NewsletterDraft(newsletter, state, None, 0, {})
            for newsletter, state in self._newsletters.of_job(job.job_id)
        ]

    def send_newsletter(self, who: Principal, job_id: str, newsletter_id: str) -> NewsletterDraft:
        """Send a previewed draft (sending it again sends nobody a second copy)."""
        job = self._jobs.get(who.studio_id, job_id)
        newsletter, _ = self._newsletters.get(job.job_id, newsletter_id)
        if job.status not in NEWSLETTER_STATUSES:
            raise NewsletterNotAllowed(
                f"a job in {job.status} sends no messages", status=job.status
            )
        self._newsletters.mark_sending(job.job_id, newsletter_id, self._clock())
        self._send_now.start(
            {
                "kind": NEWSLETTER_KIND,
                "studio_id": job.studio_id,
                "job_id": job.job_id,
                "newsletter_id": newsletter_id,
            }
        )
        return self._draft(job, newsletter, "sending", with_preview=False)

    # helpers --------------------------------------------------------------------------------
    def _draft(
        self, job: Job, newsletter: Newsletter, state: str, *, with_preview: bool = True
    ) -> NewsletterDraft:
        audience = self._audience.of(job)
        opt_outs = self._opt_outs.of_studio(job.studio_id)
        selection, no_consent = newsletter_selection(newsletter, audience, opt_outs)
        skipped = newsletter_skipped(selection, no_consent)
        preview = None
        if with_preview:
            first = selection.recipients[0].customer if selection.recipients else SAMPLE_CUSTOMER
            profile = self._scheduling.profile_of(job)
            message_job = self._message_job(job, profile.locale if profile else DEFAULT_LOCALE)
            rendered = render_newsletter(
                newsletter, message_job, first, unsubscribe_url=self._link(job, first)
            )
            preview = Preview(None, first.customer_id, newsletter.channel, rendered)
        return NewsletterDraft(newsletter, state, preview, len(selection.recipients), skipped)

    def _customer(self, job: Job, customer_id: str | None) -> Customer:
        if customer_id is None:
            return SAMPLE_CUSTOMER
        for customer in self._audience.of(job).customers:
            if customer.customer_id == customer_id:
                return customer
        raise NotFound(f"customer {customer_id} not found", customer_id=customer_id)

    def _render(
        self, job: Job, profile: StudioProfile, step: Step, customer: Customer
    ) -> RenderedEmail | RenderedSms:
        message_job = self._message_job(job, profile.locale)
        return render_step(step, message_job, customer, unsubscribe_url=self._link(job, customer))

    def _message_job(self, job: Job, locale: str) -> MessageJob:
        return self._composer.message_job(job, self._studios.get(job.studio_id).name, locale)

    def _link(self, job: Job, customer: Customer) -> str:
        return self._composer.links.url_for(
            studio_id=job.studio_id,
            customer_id=customer.customer_id,
            address=customer.email or "",
            channel=Channel.EMAIL,
        )
