"""Communication profiles, pure: what to send, when, to whom, and how it reads.

No AWS here. Adapters apply ``plan_schedules``/``diff_schedules`` to EventBridge Scheduler,
claim ``message_key`` in DynamoDB before sending, and hand rendered messages to SES / SNS.
"""

from chalicelib.domain.communication.audience import (
    Customer,
    OptOuts,
    OrderSummary,
    Recipient,
    Selection,
    SkippedRecipient,
    SkipReason,
    select_recipients,
)
from chalicelib.domain.communication.context import MessageJob, message_context, shop_link
from chalicelib.domain.communication.defaults import DEFAULT_STEPS, default_profile
from chalicelib.domain.communication.errors import (
    CommunicationError,
    InvalidOffset,
    InvalidPhoneNumber,
    InvalidUnsubscribeToken,
    UnknownTemplate,
)
from chalicelib.domain.communication.events import StepDispatch, dispatch_for_event
from chalicelib.domain.communication.fire import FireCheck, check_fire
from chalicelib.domain.communication.keys import message_key, newsletter_message_key
from chalicelib.domain.communication.l10n import format_date, format_money
from chalicelib.domain.communication.names import (
    event_schedule_name,
    schedule_name,
    schedule_prefix,
)
from chalicelib.domain.communication.newsletter import Newsletter, render_newsletter
from chalicelib.domain.communication.offsets import Offset, format_offset, parse_offset
from chalicelib.domain.communication.phone import normalize_phone
from chalicelib.domain.communication.profiles import (
    Audience,
    Channel,
    CommunicationProfile,
    Step,
    Trigger,
    is_date_relative,
    profile_from_dict,
    triggers_for_status_change,
    validate_profile,
)
from chalicelib.domain.communication.quiet_hours import DEFAULT_QUIET_HOURS, QuietHours
from chalicelib.domain.communication.render import (
    RenderedEmail,
    RenderedSms,
    render_email,
    render_sms,
    render_step,
)
from chalicelib.domain.communication.schedule import (
    PlannedSchedule,
    ScheduleDiff,
    SchedulePlan,
    SkippedStep,
    diff_schedules,
    plan_schedules,
)
from chalicelib.domain.communication.unsubscribe import (
    UnsubscribeRequest,
    make_unsubscribe_token,
    unsubscribe_url,
    verify_unsubscribe_token,
)

__all__ = [
    "DEFAULT_QUIET_HOURS",
    "DEFAULT_STEPS",
    "Audience",
    "Channel",
    "CommunicationError",
    "CommunicationProfile",
    "Customer",
    "FireCheck",
    "InvalidOffset",
    "InvalidPhoneNumber",
    "InvalidUnsubscribeToken",
    "MessageJob",
    "Newsletter",
    "Offset",
    "OptOuts",
    "OrderSummary",
    "PlannedSchedule",
    "QuietHours",
    "Recipient",
    "RenderedEmail",
    "RenderedSms",
    "ScheduleDiff",
    "SchedulePlan",
    "Selection",
    "SkipReason",
    "SkippedRecipient",
    "SkippedStep",
    "Step",
    "StepDispatch",
    "Trigger",
    "UnknownTemplate",
    "UnsubscribeRequest",
    "check_fire",
    "default_profile",
    "diff_schedules",
    "dispatch_for_event",
    "event_schedule_name",
    "format_date",
    "format_money",
    "format_offset",
    "is_date_relative",
    "make_unsubscribe_token",
    "message_context",
    "message_key",
    "newsletter_message_key",
    "normalize_phone",
    "parse_offset",
    "plan_schedules",
    "profile_from_dict",
    "render_email",
    "render_newsletter",
    "render_sms",
    "render_step",
    "schedule_name",
    "schedule_prefix",
    "select_recipients",
    "shop_link",
    "triggers_for_status_change",
    "unsubscribe_url",
    "validate_profile",
    "verify_unsubscribe_token",
]
