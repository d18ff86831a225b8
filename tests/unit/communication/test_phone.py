from __future__ import annotations

import pytest

from chalicelib.domain.communication import InvalidPhoneNumber, normalize_phone
from chalicelib.domain.communication.phone import is_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+4915112345678", "+4915112345678"),
        ("+49 151 1234-5678", "+4915112345678"),
        ("+49 (0)30 1234567", "+49301234567"),
        ("0049 30 1234567", "+49301234567"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("+44.20.7946.0958", "+442079460958"),
    ],
)
def test_numbers_are_normalised_to_e164(raw, expected):
    assert normalize_phone(raw) == expected
    assert is_e164(expected)


def test_a_national_number_needs_a_default_country():
    assert normalize_phone("0151 12345678", default_country_code="49") == "+4915112345678"
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone("0151 12345678")


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "+0151123456", "+49151", "+1234567890123456", "+49 151 CALL ME", "++49151123456"],
)
def test_invalid_numbers_are_typed_errors(raw):
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_phone(raw)
    assert caught.value.code == "invalid_phone_number"
