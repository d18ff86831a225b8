"""The communication profile shipped with the product. A studio copies it and edits the copy.

Sensible, not spammy: besides the welcome on registration and at most one nudge about a cart
left behind, a parent who never orders gets four messages per job (photos online, voucher
ending, a week before the archive date, one SMS the day before); a buyer gets only the first.
"Archived" has a template but no default step: telling non-buyers that they missed out sells
nothing unless the studio reopens the shop.
"""

from __future__ import annotations

from chalicelib.domain.communication.offsets import AT_ONCE, Offset
from chalicelib.domain.communication.profiles import (
    Audience,
    Channel,
    CommunicationProfile,
    Step,
    Trigger,
)

DEFAULT_PROFILE_ID = "default"
DEFAULT_PROFILE_NAME = "Standard (photojobs default)"

DEFAULT_STEPS: tuple[Step, ...] = (
    Step(
        "welcome",
        Trigger.REGISTRATION,
        AT_ONCE,
        Channel.EMAIL,
        Audience.ALL_REGISTERED,
        "registration_welcome",
    ),
    Step(
        "online",
        Trigger.SELLING_STARTED,
        AT_ONCE,
        Channel.EMAIL,
        Audience.ALL_REGISTERED,
        "selling_started",
    ),
    Step(
        "back-online",
        Trigger.PHOTOS_BACK_ONLINE,
        AT_ONCE,
        Channel.EMAIL,
        Audience.ALL_REGISTERED,
        "photos_back_online",
    ),
    Step(
        "voucher-2d",
        Trigger.VOUCHER_ENDING,
        Offset.days(-2),
        Channel.EMAIL,
        Audience.NOT_ORDERED,
        "voucher_ending",
    ),
    Step(
        "archive-7d",
        Trigger.ARCHIVE_DUE,
        Offset.days(-7),
        Channel.EMAIL,
        Audience.NOT_ORDERED,
        "archive_due",
    ),
    Step(
        "archive-1d-sms",
        Trigger.ARCHIVE_DUE,
        Offset.days(-1),
        Channel.SMS,
        Audience.NOT_ORDERED,
        "archive_due",
    ),
    Step(
        "prepay-2d",
        Trigger.PREPAY_DUE,
        Offset.days(-2),
        Channel.EMAIL,
        Audience.NOT_ORDERED,
        "prepay_due",
    ),
    Step(
        "cart-1d",
        Trigger.ABANDONED_CART,
        Offset.days(1),
        Channel.EMAIL,
        Audience.NOT_ORDERED,
        "abandoned_cart",
    ),
)


def default_profile(studio_id: str, profile_id: str = DEFAULT_PROFILE_ID) -> CommunicationProfile:
    """A studio's own copy of the default profile, ready to be stored and edited."""
    return CommunicationProfile(
        profile_id=profile_id, studio_id=studio_id, name=DEFAULT_PROFILE_NAME, steps=DEFAULT_STEPS
    )
