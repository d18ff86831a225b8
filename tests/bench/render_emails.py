"""Render every default email (each email step of the default profile, the archived note and a
newsletter) for a sample job and parent, in every locale, to HTML and to PNG with the system's
headless Chromium, so that a person can look at them before calling them done.

    python -m tests.bench.render_emails [--out /tmp/photojobs-emails] [--width 700]

Writes ``<locale>-<template>.html`` and ``.png`` (plus ``.txt``, the plain-text part) and an
``index.html`` linking them. Only Debian's ``/usr/bin/chromium`` is used, never a downloaded
browser; ``--no-png`` writes the HTML only.
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from chalicelib.domain.communication import (
    Channel,
    Customer,
    MessageJob,
    Newsletter,
    RenderedEmail,
    default_profile,
    render_email,
    render_newsletter,
)
from chalicelib.domain.communication.l10n import SUPPORTED_LOCALES
from chalicelib.domain.communication.unsubscribe import make_unsubscribe_token, unsubscribe_url

CHROMIUM = "/usr/bin/chromium"
DEFAULT_OUT = Path("/tmp/photojobs-emails")
UNSUBSCRIBE_ENDPOINT = "https://api.sunshine-photo.com/shop/unsubscribe"
SAMPLE_KEY = b"sample-key-for-rendering-only-32b"

SAMPLE_JOB = MessageJob(
    name="St. John Primary School",
    locale="en",
    shop_url="https://shop.sunshine-photo.com",
    studio_name="Sunshine Photography",
    archive_date=date(2026, 12, 4),
    voucher_deadline=date(2026, 11, 27),
    prepay_deadline=date(2026, 11, 20),
    voucher_text="15% off all prints",
    studio_email="hello@sunshine-photo.com",
)
SAMPLE_PARENT = Customer(
    customer_id="CUST00000001",
    name="Anna",
    email="anna.berg@example.com",
    phone="+4915112345678",
    access_code="K7Q2-M9XW-4P3R",
)
# A contact of a recreated job's name list (seed 004): no name, never registered.
SAMPLE_CONTACT = Customer(
    customer_id="nl-SUBJECT00001-0",
    email="mia.parent@example.com",
    access_code="MIA1232026",
    registered=False,
)
SAMPLE_NEWSLETTER = Newsletter(
    newsletter_id="NL1",
    subject="Group photos added to {job}",
    body="Hello {name},\n\nthe class and group photos are online now.\n\n"
    "Open your gallery: {shop_link}\n\nSee you soon!",
)
EXTRA_TEMPLATES = ("archived",)  # a template without a default step (see defaults.py)


@dataclass(frozen=True)
class SampleEmail:
    name: str  # <locale>-<template>[-<variant>]
    email: RenderedEmail


def _link(customer: Customer) -> str:
    token = make_unsubscribe_token(
        SAMPLE_KEY,
        studio_id="STUDIO000001",
        customer_id=customer.customer_id,
        address=customer.email or "",
        channel=Channel.EMAIL,
    )
    return unsubscribe_url(UNSUBSCRIBE_ENDPOINT, token)


def sample_emails(locales: tuple[str, ...] = SUPPORTED_LOCALES) -> list[SampleEmail]:
    """Every default email as the sample parent gets it, in each locale; "photos back online"
    also as a recreated job's name-list contact gets it."""
    email_steps = [s for s in default_profile("STUDIO000001").steps if s.channel == Channel.EMAIL]
    templates = [s.template_id for s in email_steps] + list(EXTRA_TEMPLATES)
    samples = []
    for locale in locales:
        job = replace(SAMPLE_JOB, locale=locale)
        for template_id in dict.fromkeys(templates):
            rendered = render_email(
                template_id, job, SAMPLE_PARENT, unsubscribe_url=_link(SAMPLE_PARENT)
            )
            samples.append(SampleEmail(f"{locale}-{template_id}", rendered))
        contact = render_email(
            "photos_back_online", job, SAMPLE_CONTACT, unsubscribe_url=_link(SAMPLE_CONTACT)
        )
        samples.append(SampleEmail(f"{locale}-photos_back_online-name_list", contact))
        letter = render_newsletter(
            SAMPLE_NEWSLETTER, job, SAMPLE_PARENT, unsubscribe_url=_link(SAMPLE_PARENT)
        )
        assert isinstance(letter, RenderedEmail)
        samples.append(SampleEmail(f"{locale}-newsletter", letter))
    return samples


def write_html(samples: list[SampleEmail], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for sample in samples:
        page = out / f"{sample.name}.html"
        page.write_text(sample.email.html, encoding="utf-8")
        (out / f"{sample.name}.txt").write_text(
            f"Subject: {sample.email.subject}\n\n{sample.email.text}", encoding="utf-8"
        )
        pages.append(page)
    links = "\n".join(
        f'<li><a href="{p.name}">{html.escape(s.name)}</a> - {html.escape(s.email.subject)}</li>'
        for p, s in zip(pages, samples, strict=True)
    )
    (out / "index.html").write_text(f"<!DOCTYPE html><ul>{links}</ul>\n", encoding="utf-8")
    return pages


def screenshot(pages: list[Path], width: int) -> list[Path]:
    """A full-page PNG of each page, taken with the system's Chromium."""
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            for path in pages:
                page.goto(path.resolve().as_uri())
                shot = path.with_suffix(".png")
                page.screenshot(path=str(shot), full_page=True)
                shots.append(shot)
        finally:
            browser.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--width", type=int, default=700, help="viewport width in CSS pixels")
    parser.add_argument("--no-png", action="store_true", help="write the HTML only")
    args = parser.parse_args()
    pages = write_html(sample_emails(), args.out)
    if not args.no_png:
        if not Path(CHROMIUM).exists():
            print(f"{CHROMIUM} not found: install Debian's chromium, or use --no-png")
            return 1
        screenshot(pages, args.width)
    print(f"{len(pages)} emails in {args.out} (open {args.out / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
