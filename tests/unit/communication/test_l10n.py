from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.communication import format_date, format_money
from chalicelib.domain.communication.l10n import format_date_short, normalize_locale


def test_dates():
    day = date(2026, 12, 4)
    assert format_date(day, "en") == "Friday, 4 December 2026"
    assert format_date(day, "de") == "Freitag, 4. Dezember 2026"
    assert format_date(date(2026, 3, 1), "de") == "Sonntag, 1. März 2026"
    assert format_date_short(day, "en") == "Fri 4 Dec"
    assert format_date_short(day, "de") == "Fr. 4.12."


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (1250, "EUR", "en", "€12.50"),
        (1250, "EUR", "de", "12,50 €"),
        (123450, "EUR", "de", "1.234,50 €"),
        (123450, "USD", "en", "$1,234.50"),
        (-500, "GBP", "en", "-£5.00"),
        (1250, "CHF", "de", "12,50 CHF"),
        (1250, "CHF", "en", "CHF 12.50"),
        (1500, "JPY", "en", "JPY 1,500"),
    ],
)
def test_money(minor, currency, locale, expected):
    assert format_money(minor, currency, locale) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("de-AT", "de"), ("de_DE", "de"), ("EN", "en"), ("fr", "en"), (None, "en")],
)
def test_locales(given, expected):
    assert normalize_locale(given) == expected
