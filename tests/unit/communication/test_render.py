from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from jinja2 import DictLoader
from jinja2.exceptions import SecurityError, UndefinedError

from chalicelib.domain.communication import (
    Channel,
    Customer,
    RenderedEmail,
    RenderedSms,
    UnknownTemplate,
    render_email,
    render_sms,
    render_step,
)
from chalicelib.domain.communication.context import message_context, shop_link
from chalicelib.domain.communication.render import make_environment
from chalicelib.domain.communication.sms import sms_size

UNSUBSCRIBE = "https://api.sunshine-photo.com/shop/unsubscribe?token=1.abc.def"
EMAIL_TEMPLATES = (
    "registration_welcome",
    "selling_started",
    "photos_back_online",
    "voucher_ending",
    "archive_due",
    "archived",
    "prepay_due",
    "abandoned_cart",
)
SMS_TEMPLATES = (
    "selling_started",
    "photos_back_online",
    "voucher_ending",
    "archive_due",
    "prepay_due",
)
LINK = "https://shop.sunshine-photo.com/?code=K7Q2M9XW4P3R"


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("template_id", EMAIL_TEMPLATES)
def test_every_email_renders_with_the_unsubscribe_link(message_job, anna, locale, template_id):
    email = render_email(
        template_id, replace(message_job, locale=locale), anna, unsubscribe_url=UNSUBSCRIBE
    )
    assert email.subject and "\n" not in email.subject
    assert f'href="{UNSUBSCRIBE}"' in email.html.replace("&amp;", "&")
    assert UNSUBSCRIBE in email.text
    assert email.headers["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert "St. John Primary School" in email.html and "St. John Primary School" in email.text
    assert "Anna" in email.text
    if template_id != "archived":  # the shop is closed: no link to it
        assert f'href="{LINK}"' in email.html
        assert LINK in email.text
    assert "http://" not in email.html and "<img" not in email.html  # no external resources


def test_english_and_german_wording_and_dates(message_job, anna):
    en = render_email("archive_due", message_job, anna, unsubscribe_url=UNSUBSCRIBE)
    de = render_email(
        "archive_due", replace(message_job, locale="de-DE"), anna, unsubscribe_url=UNSUBSCRIBE
    )
    assert "Friday, 4 December 2026" in en.subject and "Hello Anna," in en.text
    assert "Freitag, 4. Dezember 2026" in de.subject and "Hallo Anna," in de.text
    assert 'lang="de"' in de.html and "Abmelden" in de.html


def test_an_unknown_locale_falls_back_to_english(message_job, anna):
    email = render_email(
        "selling_started", replace(message_job, locale="fr"), anna, unsubscribe_url=UNSUBSCRIBE
    )
    assert email.subject == "Your photos of St. John Primary School are online"


def test_no_internal_name_or_profile_name_reaches_the_customer(profile, message_job, anna):
    internal = "SJ-2026-INTERNAL"
    secret_profile = replace(profile, name="Aggressive upsell plan")
    context = message_context(message_job, anna, unsubscribe_url=UNSUBSCRIBE)
    assert set(context["job"]) == {
        "name",
        "archive_date",
        "voucher_deadline",
        "prepay_deadline",
        "voucher_text",
    }
    for step in secret_profile.steps:
        for locale in ("en", "de"):
            message = render_step(
                step, replace(message_job, locale=locale), anna, unsubscribe_url=UNSUBSCRIBE
            )
            parts = (
                [message.subject, message.html, message.text]
                if isinstance(message, RenderedEmail)
                else [message.text]
            )
            for part in parts:
                assert internal not in part and secret_profile.name not in part


def test_customer_data_is_escaped_in_html_but_not_in_text(message_job):
    sneaky = Customer("C9", name="<b>Eve</b> & co", email="eve@example.com", access_code="A B&C")
    email = render_email("selling_started", message_job, sneaky, unsubscribe_url=UNSUBSCRIBE)
    assert "<b>Eve</b>" not in email.html and "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in email.html
    assert "<b>Eve</b> & co" in email.text
    assert "?code=A%20B%26C" in email.text


def test_a_customer_without_name_or_code(message_job):
    email = render_email(
        "selling_started", message_job, Customer("C9", email="x@example.com"), unsubscribe_url="u"
    )
    assert "Hello," in email.text
    assert "https://shop.sunshine-photo.com/\n" in email.text


def test_shop_link_shape():
    assert shop_link("https://shop.example.com/", "ABC") == "https://shop.example.com/?code=ABC"
    assert shop_link("https://shop.example.com", None) == "https://shop.example.com/"


def test_an_email_without_unsubscribe_link_is_refused(message_job, anna):
    with pytest.raises(ValueError):
        render_email("selling_started", message_job, anna, unsubscribe_url="")


def test_unknown_templates_are_typed_errors(message_job, anna):
    with pytest.raises(UnknownTemplate):
        render_email("nope", message_job, anna, unsubscribe_url=UNSUBSCRIBE)
    with pytest.raises(UnknownTemplate):
        render_sms("archived", message_job, anna)  # no SMS version


def test_templates_fail_loudly_and_run_sandboxed(message_job, anna):
    env = make_environment(
        DictLoader(
            {
                "en/typo.sms.txt": "{{ job.nmae }}",
                "en/evil.sms.txt": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
            }
        )
    )
    with pytest.raises(UndefinedError):
        render_sms("typo", message_job, anna, environment=env)
    with pytest.raises(SecurityError):
        render_sms("evil", message_job, anna, environment=env)


def test_a_template_needing_a_missing_date_fails(message_job, anna):
    with pytest.raises(ValueError):
        render_email(
            "archive_due", replace(message_job, archive_date=None), anna, unsubscribe_url="u"
        )


# --- SMS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("template_id", SMS_TEMPLATES)
def test_sms_fit_one_gsm7_message_with_typical_values(message_job, anna, locale, template_id):
    job = replace(message_job, locale=locale, archive_date=date(2026, 12, 30))
    sms = render_sms(template_id, job, anna)
    assert isinstance(sms, RenderedSms)
    assert sms.encoding == "GSM-7"
    assert len(sms.text) <= 160 and sms.segments == 1, (len(sms.text), sms.text)
    assert LINK in sms.text and "\n" not in sms.text


def test_render_step_picks_the_channel(profile, message_job, anna):
    sms_step = next(s for s in profile.steps if s.channel == Channel.SMS)
    assert isinstance(render_step(sms_step, message_job, anna, unsubscribe_url="u"), RenderedSms)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("Grüße für 5 €", "GSM-7", 14, 1),  # € counts twice
        ("a" * 70 + "ł", "UCS-2", 71, 2),
        ("\u00a0", "UCS-2", 1, 1),
    ],
)
def test_sms_size(text, encoding, units, segments):
    size = sms_size(text)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


def test_templates_can_format_money_and_dates_in_the_job_locale(message_job, anna):
    env = make_environment(
        DictLoader(
            {
                "de/price.sms.txt": "{{ 1250 | money('EUR') }} bis "
                "{{ job.archive_date | date_short }}"
            }
        )
    )
    sms = render_sms("price", replace(message_job, locale="de"), anna, environment=env)
    assert sms.text == "12,50 € bis Fr. 4.12."


def test_a_message_job_takes_only_the_public_fields_of_a_job(anna):
    from datetime import UTC, datetime

    from chalicelib.domain.communication import MessageJob
    from chalicelib.domain.jobs import Job

    now = datetime(2026, 1, 1, tzinfo=UTC)
    job = Job(
        job_id="JOB0000000AB",
        studio_id="STUDIO000001",
        name="St. John Primary School",
        shooting_date=date(2026, 10, 1),
        job_type="school",
        internal_name="SJ-2026-INTERNAL",
        created_at=now,
        updated_at=now,
        archive_date=date(2026, 12, 4),
    )
    public = MessageJob.from_job(
        job, locale="en", shop_url="https://shop.example.com", studio_name="Sunshine"
    )
    email = render_email("archive_due", public, anna, unsubscribe_url=UNSUBSCRIBE)
    assert "St. John Primary School" in email.text
    assert "SJ-2026-INTERNAL" not in email.html + email.text + email.subject


def test_unknown_templates_are_found_before_saving(profile):
    from chalicelib.domain.communication.render import unknown_templates

    assert unknown_templates(profile) == []
    broken = replace(
        profile,
        steps=tuple(
            replace(s, template_id="archived") if s.channel == Channel.SMS else s
            for s in profile.steps
        ),
    )
    assert unknown_templates(broken) == ["archive-1d-sms"]
