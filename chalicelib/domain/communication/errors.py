"""Typed errors of the communication domain. The HTTP edge and the sender map them once."""

from __future__ import annotations

from chalicelib.errors import DomainError


class CommunicationError(DomainError):
    code = "communication_error"


class InvalidOffset(CommunicationError):
    """An offset such as ``-P3D`` or ``3 days before`` that cannot be read."""

    code = "invalid_offset"


class InvalidPhoneNumber(CommunicationError):
    """Not an E.164 number: the sender records the message as failed, never as sent."""

    code = "invalid_phone_number"


class InvalidUnsubscribeToken(CommunicationError):
    """Malformed, tampered with, or signed with another key."""

    code = "invalid_unsubscribe_token"


class UnknownTemplate(CommunicationError):
    """No template of this id for this channel."""

    code = "unknown_template"
