from __future__ import annotations

from chalicelib.domain.communication import (
    Channel,
    Newsletter,
    RenderedEmail,
    RenderedSms,
    render_newsletter,
)

UNSUBSCRIBE = "https://api.example.com/shop/unsubscribe?token=t"


def test_a_newsletter_preview_fills_placeholders_and_formats_text(message_job, anna):
    letter = Newsletter(
        "n1",
        "News for {name}",
        "Hello {name},\n\n**Group photos** of {job} are in: {shop_link}\n"
        "See https://sunshine-photo.com/faq. Orders until {archive_date}.\n\n<script>x</script>",
    )
    email = render_newsletter(letter, message_job, anna, unsubscribe_url=UNSUBSCRIBE)
    assert isinstance(email, RenderedEmail)
    assert email.subject == "News for Anna"
    assert "<strong" in email.html and ">Group photos</strong>" in email.html
    assert '<a href="https://sunshine-photo.com/faq"' in email.html  # the full stop is not linked
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "Friday, 4 December 2026" in email.text and "**" not in email.text
    assert "?code=K7Q2M9XW4P3R" in email.text and UNSUBSCRIBE in email.text
    assert (
        "{unknown}"
        in render_newsletter(
            Newsletter("n2", "s", "{unknown}"), message_job, anna, unsubscribe_url=UNSUBSCRIBE
        ).text
    )


def test_a_newsletter_link_with_special_characters_stays_one_link(message_job, anna):
    letter = Newsletter("n1", "s", 'Look: "https://x.example/?a=1&b=2"')
    email = render_newsletter(letter, message_job, anna, unsubscribe_url=UNSUBSCRIBE)
    assert isinstance(email, RenderedEmail)
    assert '<a href="https://x.example/?a=1&amp;b=2"' in email.html


def test_a_newsletter_by_sms(message_job, anna):
    letter = Newsletter("n1", "", "Last day for {job}: {shop_link}", channel=Channel.SMS)
    sms = render_newsletter(letter, message_job, anna, unsubscribe_url=UNSUBSCRIBE)
    assert isinstance(sms, RenderedSms)
    assert sms.text.startswith(
        "Sunshine Photography: Last day for St. John Primary School: https://"
    )


def test_a_german_newsletter_uses_the_german_layout(message_job, anna):
    from dataclasses import replace

    email = render_newsletter(
        Newsletter("n1", "Neuigkeiten", "Hallo {name}"),
        replace(message_job, locale="de"),
        anna,
        unsubscribe_url=UNSUBSCRIBE,
    )
    assert "Abmelden" in email.text and "Zugangscode" in email.text
