"""Parent contacts from a name list: e-mail addresses and phone numbers (normalised to E.164)."""

from __future__ import annotations

import re

# Several contacts in one cell: "a@x.de; b@y.de" or "0170 123, 0171 456". Not "/" or spaces:
# phone numbers are written with those ("0170/1234567").
_LIST_SEPARATORS = re.compile(r"[;,\n|]+")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_PHONE_CHARS = re.compile(r"^[0-9+()\s./-]+$")
# "+49 (0)170 ..." is a common way of writing a German number; the (0) is not dialled.
_TRUNK_ZERO = re.compile(r"^(\+\d{1,3})\s*\(0\)")
# E.164: a country code not starting with 0, at most 15 digits in all. Fewer than 7 digits is
# not a reachable subscriber anywhere.
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class ContactError(ValueError):
    """A contact that cannot be used; the message says why, for the row's error."""


def split_contacts(cell: str) -> list[str]:
    """The non-empty parts of a cell that may hold several contacts."""
    return [part.strip() for part in _LIST_SEPARATORS.split(cell) if part.strip()]


def normalize_email(text: str) -> str:
    """The address with its domain in lower case, or ``ContactError``."""
    candidate = text.strip().removeprefix("mailto:")
    if candidate.count("@") != 1 or not _EMAIL.match(candidate):
        raise ContactError(f"'{text.strip()}' is not a valid e-mail address")
    local, domain = candidate.split("@")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise ContactError(f"'{text.strip()}' is not a valid e-mail address")
    return f"{local}@{domain.lower()}"


def normalize_phone(text: str, default_country_code: str) -> str:
    """The number in E.164 (``+4917012345678``), or ``ContactError``.

    ``00`` and ``+`` start an international number; a leading ``0`` is a national number in
    `default_country_code` (e.g. ``"+49"``). Digits without either come from spreadsheets that
    stored the number as a number and dropped the ``+`` or ``0``: they count as international
    when they begin with the default country code and are long enough, as national otherwise.
    """
    country = "+" + default_country_code.strip().lstrip("+")
    if not _E164.match(country + "0000000") or len(country) > 4:
        raise ValueError(f"bad default country code {default_country_code!r}")
    raw = text.strip()
    if not raw or not _PHONE_CHARS.match(raw) or raw.count("+") > 1 or "+" in raw[1:]:
        raise ContactError(f"'{raw}' is not a phone number")
    raw = _TRUNK_ZERO.sub(r"\1", raw)
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        number = "+" + digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    elif digits.startswith("0"):
        number = country + digits[1:]
    elif digits.startswith(country[1:]) and len(digits) >= 11:
        number = "+" + digits
    else:
        number = country + digits
    if not _E164.match(number):
        raise ContactError(f"'{raw}' is not a possible phone number")
    if number.startswith(country + "0"):
        raise ContactError(f"'{raw}' has a 0 after the country code")
    return number
