"""Identifiers: short, URL-safe, unambiguous, from a CSPRNG."""

from __future__ import annotations

import secrets

# Crockford base32: no I, L, O, U, so ids read aloud and typed by hand are unambiguous.
ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 12  # 60 bits


def new_id(length: int = ID_LENGTH) -> str:
    """A random identifier of `length` Crockford base32 characters."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def is_id(value: str, length: int = ID_LENGTH) -> bool:
    return len(value) == length and all(ch in ID_ALPHABET for ch in value)
