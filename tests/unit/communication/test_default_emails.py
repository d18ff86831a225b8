"""Every email the product ships (each email step of the default profile, the archived note, a
newsletter), rendered for a sample job and parent in every locale: nothing left unrendered, no
missing value, the shop link carries the parent's code, and a signed unsubscribe link is there.
(``python -m tests.bench.render_emails`` renders the same set to PNG for a person to look at.)"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from chalicelib.domain.communication import (
    Channel,
    Customer,
    Newsletter,
    RenderedEmail,
    default_profile,
    render_email,
    render_newsletter,
)
from chalicelib.domain.communication.l10n import SUPPORTED_LOCALES
from tests.bench.render_emails import sample_emails

UNSUBSCRIBE = "https://api.sunshine-photo.com/shop/unsubscribe?token=1.abc.def"
SHOP_LINK = "https://shop.sunshine-photo.com/?code=K7Q2M9XW4P3R"
DEFAULT_EMAIL_TEMPLATES = sorted(
    {s.template_id for s in default_profile("S").steps if s.channel == Channel.EMAIL}
)
NO_SHOP_LINK = {"archived"}  # the shop is closed: the note links to the studio instead
LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|\bNone\b|\bUndefined\b|\{(name|job|shop_link)\}")


def assert_complete(email: RenderedEmail, *, shop_link: str | None) -> None:
    for part in (email.subject, email.html, email.text):
        assert not LEFTOVERS.search(part), LEFTOVERS.search(part)
    assert email.subject.strip() and "\n" not in email.subject
    assert re.search(rf'<a href="{re.escape(UNSUBSCRIBE)}"[^>]*>[^<]+</a>', email.html)
    assert UNSUBSCRIBE in email.text
    if shop_link:
        assert f'href="{shop_link}"' in email.html and shop_link in email.text


def test_the_default_profile_sends_these_emails():
    assert DEFAULT_EMAIL_TEMPLATES == [
        "abandoned_cart",
        "archive_due",
        "photos_back_online",
        "prepay_due",
        "registration_welcome",
        "selling_started",
        "voucher_ending",
    ]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("template_id", [*DEFAULT_EMAIL_TEMPLATES, "archived"])
def test_each_default_email_renders_completely(message_job, anna, locale, template_id):
    email = render_email(
        template_id, replace(message_job, locale=locale), anna, unsubscribe_url=UNSUBSCRIBE
    )
    assert_complete(email, shop_link=None if template_id in NO_SHOP_LINK else SHOP_LINK)
    assert f'lang="{locale}"' in email.html


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_newsletter_renders_completely(message_job, anna, locale):
    letter = Newsletter("NL1", "News about {job}", "Hello {name},\n\nsee {shop_link}")
    email = render_newsletter(
        letter, replace(message_job, locale=locale), anna, unsubscribe_url=UNSUBSCRIBE
    )
    assert isinstance(email, RenderedEmail)
    assert_complete(email, shop_link=SHOP_LINK)
    assert email.subject == "News about St. John Primary School"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_back_online_tells_a_name_list_contact_the_new_code_and_where_the_address_came_from(
    message_job, locale
):
    contact = Customer("nl-SUB1-0", email="mia.parent@example.com", access_code="MIA1232026")
    contact = replace(contact, registered=False)
    job = replace(message_job, locale=locale)
    email = render_email("photos_back_online", job, contact, unsubscribe_url=UNSUBSCRIBE)
    link = "https://shop.sunshine-photo.com/?code=MIA1232026"
    assert_complete(email, shop_link=link)
    new_code = {"en": "Your new access code", "de": "Ihr neuer Zugangscode"}[locale]
    assert f"{new_code}: MIA1232026" in email.text
    name_list = {"en": "name list", "de": "Namensliste"}[locale]
    registered = {"en": "registered", "de": "registriert"}[locale]
    assert name_list in email.text and registered not in email.text
    # and a registered parent's footer still says they registered
    anna = render_email(
        "photos_back_online", job, replace(contact, registered=True), unsubscribe_url=UNSUBSCRIBE
    )
    assert registered in anna.text and name_list not in anna.text


def test_the_render_script_covers_every_default_email_in_every_locale():
    names = {sample.name for sample in sample_emails()}
    for locale in SUPPORTED_LOCALES:
        expected = {f"{locale}-{t}" for t in [*DEFAULT_EMAIL_TEMPLATES, "archived", "newsletter"]}
        assert expected <= names
        assert f"{locale}-photos_back_online-name_list" in names
