"""Newsletters (seed 000, "Sales Promotion"): one-off messages a photographer writes, sent to
the same audiences as profile steps, previewable before sending (a pure render).

The body is plain text, never a template (a photographer's text must not run code): blank
lines separate paragraphs, ``**bold**`` is bold, web addresses become links, and a few
placeholders are filled in per customer: ``{name}``, ``{job}``, ``{shop_link}``, ``{code}``,
``{archive_date}``. Unknown placeholders stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from chalicelib.domain.communication.audience import Customer
from chalicelib.domain.communication.context import STYLES, MessageJob, shop_link
from chalicelib.domain.communication.l10n import format_date
from chalicelib.domain.communication.profiles import Audience, Channel
from chalicelib.domain.communication.render import (
    RenderedEmail,
    RenderedSms,
    render_email,
    render_sms,
)

NEWSLETTER_TEMPLATE = "newsletter"
MAX_SUBJECT_LENGTH = 150
MAX_BODY_LENGTH = 20_000
_PLACEHOLDER = re.compile(r"\{(name|job|shop_link|code|archive_date)\}")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Newsletter:
    """A one-off message; ``channel`` and ``audience`` work as for a profile step."""

    newsletter_id: str
    subject: str
    body: str
    channel: Channel = Channel.EMAIL
    audience: Audience = Audience.ALL_REGISTERED


def _values(job: MessageJob, customer: Customer) -> Mapping[str, str]:
    return {
        "name": (customer.name or "").strip(),
        "job": job.name,
        "shop_link": shop_link(job.shop_url, customer.access_code),
        "code": customer.access_code or "",
        "archive_date": format_date(job.archive_date, job.locale) if job.archive_date else "",
    }


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _bold(escaped: str) -> str:
    return _BOLD.sub(lambda m: f'<strong style="{STYLES["strong"]}">{m.group(1)}</strong>', escaped)


def _inline_html(text: str) -> str:
    """Escape ``text``; links and bold are added around already-escaped pieces only."""
    pieces, last = [], 0
    for match in _URL.finditer(text):
        url = escape(match.group(0))
        pieces.append(_bold(str(escape(text[last : match.start()]))))
        pieces.append(f'<a href="{url}" style="color:#1d4ed8;">{url}</a>')
        last = match.end()
    pieces.append(_bold(str(escape(text[last:]))))
    return "".join(pieces).replace("\n", "<br>\n")


def body_to_html(text: str) -> Markup:
    """Paragraphs of escaped text with bold and links: safe to put into the HTML layout."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup(  # noqa: S704 - every piece is escaped by _inline_html first
        "\n".join(f'<p style="{STYLES["p"]}">{_inline_html(p)}</p>' for p in paragraphs)
    )


def body_to_text(text: str) -> str:
    return _BOLD.sub(r"\1", text.strip())


def render_newsletter(
    newsletter: Newsletter,
    job: MessageJob,
    customer: Customer,
    *,
    unsubscribe_url: str,
) -> RenderedEmail | RenderedSms:
    """The newsletter as one customer will get it (use any customer for a preview)."""
    values = _values(job, customer)
    subject = fill_placeholders(newsletter.subject, values).strip()
    body = fill_placeholders(newsletter.body, values)
    if not subject and newsletter.channel == Channel.EMAIL:
        raise ValueError("a newsletter email needs a subject")
    if len(subject) > MAX_SUBJECT_LENGTH or len(body) > MAX_BODY_LENGTH:
        raise ValueError("the newsletter is too long")
    extra = {
        "newsletter": {
            "subject": subject,
            "body_html": body_to_html(body),
            "body_text": body_to_text(body),
        }
    }
    if newsletter.channel == Channel.SMS:
        return render_sms(NEWSLETTER_TEMPLATE, job, customer, extra=extra)
    return render_email(
        NEWSLETTER_TEMPLATE, job, customer, unsubscribe_url=unsubscribe_url, extra=extra
    )
