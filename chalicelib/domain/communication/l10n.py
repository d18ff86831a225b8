"""Small locale formatting for messages (``en`` and ``de``; anything else falls back to en):
long and short dates, money in minor units, and the few words of the shared email layout."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

SUPPORTED_LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"

_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}
_SHORT_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
}
_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "de": (
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ),
}  # fmt: skip
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
CURRENCY_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0}

UI_STRINGS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "hello": "Hello",
        "view_photos": "View your photos",
        "your_code": "Your access code",
        "unsubscribe": "Unsubscribe",
        "footer": "You receive this email because you registered for the photos of {job}.",
        "footer_name_list": "You receive this email because your address is on the name list "
        "of {job}, given to {studio} for the photos.",
        "unsubscribe_text": "No more emails about photos from {studio}?",
        "sent_by": "Sent by {studio}",
    },
    "de": {
        "hello": "Hallo",
        "view_photos": "Zu Ihren Fotos",
        "your_code": "Ihr Zugangscode",
        "unsubscribe": "Abmelden",
        "footer": "Sie erhalten diese E-Mail, weil Sie sich für die Fotos von {job} registriert "
        "haben.",
        "footer_name_list": "Sie erhalten diese E-Mail, weil Ihre Adresse auf der Namensliste "
        "von {job} steht, die {studio} für die Fotos erhalten hat.",
        "unsubscribe_text": "Keine E-Mails mehr zu Fotos von {studio}?",
        "sent_by": "Gesendet von {studio}",
    },
}


def normalize_locale(locale: str | None) -> str:
    """``de-AT``, ``de_DE`` -> ``de``; unknown or empty -> ``en``."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in SUPPORTED_LOCALES else DEFAULT_LOCALE


def format_date(value: date, locale: str | None) -> str:
    """``Friday, 4 December 2026`` / ``Freitag, 4. Dezember 2026``."""
    lang = normalize_locale(locale)
    day = _DAYS[lang][value.weekday()]
    month = _MONTHS[lang][value.month - 1]
    if lang == "de":
        return f"{day}, {value.day}. {month} {value.year}"
    return f"{day}, {value.day} {month} {value.year}"


def format_date_short(value: date, locale: str | None) -> str:
    """``Fri 4 Dec`` / ``Fr. 4.12.`` (for SMS)."""
    lang = normalize_locale(locale)
    day = _SHORT_DAYS[lang][value.weekday()]
    if lang == "de":
        return f"{day} {value.day}.{value.month}."
    return f"{day} {value.day} {_MONTHS[lang][value.month - 1][:3]}"


def format_money(amount_minor: int, currency: str, locale: str | None) -> str:
    """``€1,234.50`` / ``1.234,50 €``; currencies without a symbol show their code."""
    lang = normalize_locale(locale)
    code = currency.upper()
    exponent = CURRENCY_EXPONENTS.get(code, 2)
    whole, fraction = divmod(abs(amount_minor), 10**exponent)
    grouped = f"{whole:,}"
    decimals = f"{fraction:0{exponent}d}" if exponent else ""
    sign = "-" if amount_minor < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(code)
    if lang == "de":
        number = grouped.replace(",", ".") + ("," + decimals if decimals else "")
        return f"{sign}{number} {symbol or code}"
    number = grouped + ("." + decimals if decimals else "")
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{code} {number}"


def ui_strings(locale: str | None) -> Mapping[str, str]:
    return UI_STRINGS[normalize_locale(locale)]
