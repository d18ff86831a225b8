"""ISO 4217 currencies: which codes a price list may use, and how many minor units each has.

Money is stored as an integer count of minor units (cents, pence, yen); the exponent only tells a
display how to place the decimal point (1250 EUR minor units = 12.50 EUR, 1250 JPY = 1250 JPY).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain import validation as v

_EXPONENT_0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXPONENT_3 = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENT_4 = "CLF UYW"
_EXPONENT_2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD "
    "KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD "
    "NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP "
    "SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED "
    "VES WST XCD XCG YER ZAR ZMW ZWG"
)

MINOR_UNIT_EXPONENTS: dict[str, int] = {
    code: exponent
    for exponent, codes in ((0, _EXPONENT_0), (2, _EXPONENT_2), (3, _EXPONENT_3), (4, _EXPONENT_4))
    for code in codes.split()
}


def currency(value: Any) -> str:
    """Field parser: an active ISO 4217 code; lower case is accepted and upper-cased."""
    code = v.text(value, max_length=16).upper()
    if code not in MINOR_UNIT_EXPONENTS:
        raise v.FieldError("must be an ISO 4217 currency code such as EUR")
    return code


def minor_unit_exponent(code: str) -> int:
    return MINOR_UNIT_EXPONENTS[code]
