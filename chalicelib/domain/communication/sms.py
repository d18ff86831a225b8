"""SMS length: GSM-7 (160 characters per single message; ``€^{}[]~|\\`` count twice) or,
for any other character, UCS-2 (70). Longer texts are split into 153 / 67 per part."""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
SINGLE_LIMITS = {"GSM-7": 160, "UCS-2": 70}
PART_LIMITS = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2

    @property
    def segments(self) -> int:
        if self.units <= SINGLE_LIMITS[self.encoding]:
            return 1
        return math.ceil(self.units / PART_LIMITS[self.encoding])


def sms_size(text: str) -> SmsSize:
    """How ``text`` is encoded and how long it is in that encoding."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        return SmsSize("GSM-7", sum(2 if ch in GSM7_EXTENDED else 1 for ch in text))
    return SmsSize("UCS-2", len(text.encode("utf-16-le")) // 2)
