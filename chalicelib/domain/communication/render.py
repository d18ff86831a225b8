"""Rendering messages from the jinja2 templates in ``chalicelib/templates/messages/``.

A template id has up to four files per locale (``<locale>/<id>.subject.txt``, ``.html``,
``.txt`` for email; ``.sms.txt`` for SMS); a locale without its own copy falls back to
English. HTML is autoescaped, undefined variables fail loudly, and the environment is
sandboxed so that studio-edited templates can be rendered later with the same code.
Templates see ``context.message_context`` and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.exceptions import TemplateNotFound
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from chalicelib.domain.communication.audience import Customer
from chalicelib.domain.communication.context import MessageJob, message_context
from chalicelib.domain.communication.errors import UnknownTemplate
from chalicelib.domain.communication.l10n import (
    DEFAULT_LOCALE,
    format_date,
    format_date_short,
    format_money,
    normalize_locale,
)
from chalicelib.domain.communication.profiles import Channel, CommunicationProfile, Step
from chalicelib.domain.communication.sms import sms_size

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "messages"
EMAIL_PARTS = ("subject.txt", "html", "txt")
SMS_PART = "sms.txt"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    unsubscribe_url: str

    @property
    def headers(self) -> dict[str, str]:
        """One-click unsubscribe headers (RFC 8058), expected by large mailbox providers."""
        return {
            "List-Unsubscribe": f"<{self.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


@dataclass(frozen=True)
class RenderedSms:
    text: str

    @property
    def encoding(self) -> str:
        return sms_size(self.text).encoding

    @property
    def segments(self) -> int:
        return sms_size(self.text).segments


def _require_date(value: Any) -> date:
    if not isinstance(value, date):
        raise ValueError("this template needs a date the job does not have")
    return value


@pass_context
def _date_long(context: Context, value: Any) -> str:
    return format_date(_require_date(value), context["locale"])


@pass_context
def _date_short(context: Context, value: Any) -> str:
    return format_date_short(_require_date(value), context["locale"])


@pass_context
def _money(context: Context, amount_minor: int, currency: str) -> str:
    return format_money(amount_minor, currency, context["locale"])


def make_environment(loader: BaseLoader | None = None) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment: HTML autoescaped, text not, undefined names are errors."""
    env = ImmutableSandboxedEnvironment(
        loader=loader or FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(date_long=_date_long, date_short=_date_short, money=_money)
    return env


@cache
def default_environment() -> ImmutableSandboxedEnvironment:
    return make_environment()


def _template_names(template_id: str, locale: str, part: str) -> list[str]:
    names = [f"{locale}/{template_id}.{part}"]
    if locale != DEFAULT_LOCALE:
        names.append(f"{DEFAULT_LOCALE}/{template_id}.{part}")
    return names


def _render(
    env: ImmutableSandboxedEnvironment, template_id: str, part: str, context: Mapping[str, Any]
) -> str:
    try:
        template = env.select_template(_template_names(template_id, context["locale"], part))
    except TemplateNotFound as exc:
        raise UnknownTemplate(f"no template {template_id}.{part}", template_id=template_id) from exc
    return template.render(context)


def render_email(
    template_id: str,
    job: MessageJob,
    customer: Customer,
    *,
    unsubscribe_url: str,
    environment: ImmutableSandboxedEnvironment | None = None,
    extra: Mapping[str, Any] | None = None,
) -> RenderedEmail:
    """Subject, HTML and plain text of an email; every email carries ``unsubscribe_url``."""
    if not unsubscribe_url:
        raise ValueError("every email needs an unsubscribe link")
    env = environment or default_environment()
    context = {**message_context(job, customer, unsubscribe_url=unsubscribe_url), **(extra or {})}
    subject = " ".join(_render(env, template_id, "subject.txt", context).split())
    context["subject"] = subject
    html = _render(env, template_id, "html", context)
    text = _tidy_text(_render(env, template_id, "txt", context))
    return RenderedEmail(subject, html, text, unsubscribe_url)


def render_sms(
    template_id: str,
    job: MessageJob,
    customer: Customer,
    *,
    environment: ImmutableSandboxedEnvironment | None = None,
    extra: Mapping[str, Any] | None = None,
) -> RenderedSms:
    """The text of an SMS, on one line (check ``segments`` before sending)."""
    env = environment or default_environment()
    context = {**message_context(job, customer, unsubscribe_url=None), **(extra or {})}
    return RenderedSms(" ".join(_render(env, template_id, SMS_PART, context).split()))


def render_step(
    step: Step,
    job: MessageJob,
    customer: Customer,
    *,
    unsubscribe_url: str,
    environment: ImmutableSandboxedEnvironment | None = None,
) -> RenderedEmail | RenderedSms:
    """The message of ``step`` for one customer, on the step's channel."""
    if step.channel == Channel.SMS:
        return render_sms(step.template_id, job, customer, environment=environment)
    return render_email(
        step.template_id, job, customer, unsubscribe_url=unsubscribe_url, environment=environment
    )


def template_exists(
    template_id: str,
    channel: Channel,
    locale: str = DEFAULT_LOCALE,
    environment: ImmutableSandboxedEnvironment | None = None,
) -> bool:
    """Whether ``template_id`` can be rendered on ``channel`` in ``locale`` (or in English)."""
    env = environment or default_environment()
    parts = (SMS_PART,) if channel == Channel.SMS else EMAIL_PARTS
    try:
        for part in parts:
            env.select_template(_template_names(template_id, normalize_locale(locale), part))
    except TemplateNotFound:
        return False
    return True


def unknown_templates(
    profile: CommunicationProfile, environment: ImmutableSandboxedEnvironment | None = None
) -> list[str]:
    """Step ids whose template cannot be rendered on their channel (check before saving)."""
    return [
        s.step_id
        for s in profile.steps
        if not template_exists(s.template_id, s.channel, environment=environment)
    ]


_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"
