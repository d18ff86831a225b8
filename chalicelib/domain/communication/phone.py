"""E.164 phone numbers for SMS: ``+``, a country code not starting with 0, 8-15 digits."""

from __future__ import annotations

import re

from chalicelib.domain.communication.errors import InvalidPhoneNumber

E164_PATTERN = re.compile(r"\+[1-9]\d{7,14}")
_SEPARATORS = re.compile(r"[\s().\-/]")


def is_e164(number: str) -> bool:
    return E164_PATTERN.fullmatch(number) is not None


def normalize_phone(raw: str, *, default_country_code: str | None = None) -> str:
    """The E.164 form of ``raw`` (``+49 (0)30 123-4567`` and ``0049 30 1234567`` become
    ``+49301234567``). A national number (leading single 0) needs ``default_country_code``
    such as ``"49"``. Raises ``InvalidPhoneNumber``."""
    # "+49 (0)30 ...": the bracketed trunk zero is not dialled from abroad.
    number = _SEPARATORS.sub("", (raw or "").replace("(0)", ""))
    if number.startswith("00"):
        number = "+" + number[2:]
    elif number.startswith("0") and default_country_code and default_country_code.isdigit():
        number = f"+{default_country_code}{number[1:]}"
    if not is_e164(number):
        raise InvalidPhoneNumber(f"not an E.164 phone number: {raw!r}", phone=raw)
    return number
