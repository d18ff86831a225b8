"""What message templates see: only what parents may see of a job (its public name and
dates), the studio, the customer's name and code, the shop link and the unsubscribe link.
Never a job's internal name or the name of a price or communication profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from urllib.parse import quote

from chalicelib.domain.communication.audience import Customer
from chalicelib.domain.communication.l10n import normalize_locale, ui_strings

# Inline styles shared by the templates: mail clients drop <style> blocks.
STYLES = {
    "p": "margin:0 0 16px 0;",
    "strong": "color:#111827;",
    "note": "margin:0 0 16px 0;padding:12px 16px;background-color:#fef3c7;border-radius:6px;",
}


class PublicJob(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def archive_date(self) -> date | None: ...
    @property
    def voucher_deadline(self) -> date | None: ...
    @property
    def prepay_deadline(self) -> date | None: ...


@dataclass(frozen=True)
class MessageJob:
    """What a message may show of a job: only what parents see (never its internal name or
    the name of its price or communication profile)."""

    name: str
    locale: str
    shop_url: str
    studio_name: str
    archive_date: date | None = None
    voucher_deadline: date | None = None
    prepay_deadline: date | None = None
    voucher_text: str | None = None  # "15% off all prints"
    studio_email: str | None = None

    @classmethod
    def from_job(
        cls,
        job: PublicJob,
        *,
        locale: str,
        shop_url: str,
        studio_name: str,
        voucher_text: str | None = None,
        studio_email: str | None = None,
    ) -> MessageJob:
        """Take only the public fields of a job (``chalicelib.domain.jobs.Job`` fits)."""
        return cls(
            name=job.name,
            locale=locale,
            shop_url=shop_url,
            studio_name=studio_name,
            archive_date=job.archive_date,
            voucher_deadline=job.voucher_deadline,
            prepay_deadline=job.prepay_deadline,
            voucher_text=voucher_text,
            studio_email=studio_email,
        )


def shop_link(shop_url: str, access_code: str | None) -> str:
    """``{shop_url}/?code={code}``: opens the customer's gallery directly."""
    base = shop_url.rstrip("/") + "/"
    return f"{base}?code={quote(access_code, safe='')}" if access_code else base


def message_context(
    job: MessageJob, customer: Customer, *, unsubscribe_url: str | None
) -> dict[str, Any]:
    """The variables every template sees."""
    locale = normalize_locale(job.locale)
    words = ui_strings(locale)
    name = (customer.name or "").strip()
    return {
        "locale": locale,
        "s": STYLES,
        "ui": {
            **words,
            "footer": words["footer" if customer.registered else "footer_name_list"].format(
                job=job.name, studio=job.studio_name
            ),
            "unsubscribe_text": words["unsubscribe_text"].format(studio=job.studio_name),
            "sent_by": words["sent_by"].format(studio=job.studio_name),
        },
        "greeting": f"{words['hello']} {name}," if name else f"{words['hello']},",
        "job": {
            "name": job.name,
            "archive_date": job.archive_date,
            "voucher_deadline": job.voucher_deadline,
            "prepay_deadline": job.prepay_deadline,
            "voucher_text": job.voucher_text,
        },
        "studio": {"name": job.studio_name, "email": job.studio_email},
        "customer": {"name": name or None, "access_code": customer.access_code},
        "shop_link": shop_link(job.shop_url, customer.access_code),
        "unsubscribe_url": unsubscribe_url,
    }
