"""Access codes: the secret a parent types (or scans from the card stub) to open a gallery.

Two kinds share one namespace of canonical keys (upper case letters and digits, separators
dropped), so the storage layer can claim every code with one conditional write:

* **Generated** codes: 11 random characters from a 31-character alphabet without look-alikes
  plus one check character, shown as ``K7M4-Q9PX-2HTR``. 11 * log2(31) = 54.5 bits of entropy.
  The check is a weighted sum modulo 31 (a prime), so every single-character typo and every
  transposition of two characters (adjacent or not) is caught before any lookup.
* **Imported** codes: a studio's own codes from an older system (``abc1232026``), 4-32 letters
  and digits, compared case-insensitively, without our check character.

An access code is never a subject tag (see ``tags.py``): the tag is photographed, the code is not.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from collections.abc import Callable

from chalicelib.errors import DomainError

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
RANDOM_LENGTH = 11
CODE_LENGTH = RANDOM_LENGTH + 1
GROUP_SIZE = 4
ENTROPY_BITS = RANDOM_LENGTH * math.log2(len(CODE_ALPHABET))  # 54.5

IMPORTED_MIN_LENGTH = 4
IMPORTED_MAX_LENGTH = 32

_VALUES = {ch: i for i, ch in enumerate(CODE_ALPHABET)}
_MODULUS = len(CODE_ALPHABET)  # 31 is prime: that is what makes the check catch every swap
_LOOK_ALIKES = {"0": "O/0", "O": "O/0", "1": "1/I/L", "I": "1/I/L", "L": "1/I/L"}
# What a parent may type between characters; all of it is ignored.
_SEPARATORS = re.compile(r"[\s\-_./\u00b7\u2013\u2014]+")  # also middle dot, en/em dash
_IMPORTED_CHARS = re.compile(r"^[A-Z0-9]+$")


class InvalidAccessCode(DomainError):
    """A code that cannot be valid. ``reason`` is machine-readable, ``message`` is for people.

    Reasons: ``empty``, ``bad_character``, ``ambiguous_character``, ``wrong_length``,
    ``check_failed`` (a typo in a generated code), ``looks_generated`` (an imported code that has
    the shape of a generated one but not its check character).
    """

    code = "invalid_access_code"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, reason=reason)
        self.reason = reason


def new_access_code() -> str:
    """A fresh generated code in display form, e.g. ``K7M4-Q9PX-2HTR``.

    Uniqueness is the storage layer's job (claim the key with a conditional write, retry on
    conflict); collisions are negligible at 54 bits but must still be handled there.
    """
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(RANDOM_LENGTH))
    return format_code(body + _check_char(body))


def code_key(text: str) -> str:
    """The compact upper-case form with separators dropped. No validation: see the normalisers.

    NFKC first, so that full-width letters from a phone keyboard count as the ASCII ones.
    """
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def format_code(key: str) -> str:
    """Display form: generated codes in groups of four, imported codes as their key."""
    if is_generated_code_format(key):
        compact = code_key(key)
        return "-".join(compact[i : i + GROUP_SIZE] for i in range(0, CODE_LENGTH, GROUP_SIZE))
    return code_key(key)


def is_generated_code_format(text: str) -> bool:
    """True when `text` has the shape of a generated code (12 alphabet characters, any case,
    any separators), whether or not its check character is right."""
    compact = code_key(text)
    return len(compact) == CODE_LENGTH and all(ch in _VALUES for ch in compact)


def normalize_code(text: str) -> str:
    """The canonical key of a generated code typed by a person, or ``InvalidAccessCode``.

    Accepts lower case, spaces and missing or extra dashes. Characters that never occur in
    generated codes (O, 0, I, 1, L) are rejected with a reason rather than guessed: each could
    stand for two different letters.
    """
    compact = _ascii_key(text)
    if not compact:
        raise InvalidAccessCode("empty", "Please enter your access code.")
    for position, ch in enumerate(compact, start=1):
        if ch in _LOOK_ALIKES:
            raise InvalidAccessCode(
                "ambiguous_character",
                f"Character {position} ('{ch}') never appears in access codes "
                f"(they contain no {_LOOK_ALIKES[ch]}); please check the code on the card.",
            )
        if ch not in _VALUES:
            raise InvalidAccessCode(
                "bad_character", f"Character {position} ('{ch}') is not used in access codes."
            )
    if len(compact) != CODE_LENGTH:
        raise InvalidAccessCode(
            "wrong_length",
            f"An access code has {CODE_LENGTH} characters; this one has {len(compact)}.",
        )
    if _weighted_sum(compact) != 0:
        raise InvalidAccessCode(
            "check_failed",
            "This access code contains a typo; please check it character by character.",
        )
    return compact


def normalize_imported_code(text: str) -> str:
    """The canonical key of a studio-supplied code, or ``InvalidAccessCode``.

    Letters A-Z and digits, 4-32 of them, case-insensitive; separators are dropped. A code with
    the exact shape of a generated one must also carry a valid check character, otherwise a
    parent typing it would be told it has a typo.
    """
    compact = _ascii_key(text)
    if not compact:
        raise InvalidAccessCode("empty", "The access code is empty.")
    if not _IMPORTED_CHARS.match(compact):
        bad = next(ch for ch in compact if not ("A" <= ch <= "Z" or "0" <= ch <= "9"))
        raise InvalidAccessCode(
            "bad_character", f"'{bad}' is not allowed in access codes (letters A-Z and digits)."
        )
    if not IMPORTED_MIN_LENGTH <= len(compact) <= IMPORTED_MAX_LENGTH:
        raise InvalidAccessCode(
            "wrong_length",
            f"Access codes need {IMPORTED_MIN_LENGTH} to {IMPORTED_MAX_LENGTH} letters or digits; "
            f"'{compact}' has {len(compact)}.",
        )
    if is_generated_code_format(compact) and _weighted_sum(compact) != 0:
        raise InvalidAccessCode(
            "looks_generated",
            f"'{compact}' looks like one of our generated codes but is not one; "
            "add or remove a character (e.g. the year).",
        )
    return compact


def normalize_any_code(text: str) -> str:
    """The canonical key of either kind: what the login looks up.

    Input with the shape of a generated code is checked as one (typos are caught here, before a
    lookup); anything else is validated as an imported code.
    """
    if is_generated_code_format(text):
        return normalize_code(text)
    return normalize_imported_code(text)


def suggest_modified_code(
    code: str, year: int, *, taken: Callable[[str], bool] | None = None
) -> str:
    """A replacement for a retired or taken code: the old code with `year` appended.

    As the studio help pages suggest (``abc123`` -> ``ABC1232026``): parents recognise their old
    code. When that is taken too (``taken`` says so), a letter is appended (``ABC1232026B``...).
    The result is always a valid imported code.
    """
    base = "".join(ch for ch in code_key(code) if "A" <= ch <= "Z" or "0" <= ch <= "9")
    year_text = str(year)
    # Leave room for one suffix letter within the maximum length.
    stem = base[: IMPORTED_MAX_LENGTH - len(year_text) - 1] + year_text
    stem = stem.rjust(IMPORTED_MIN_LENGTH, "X")
    letters = [ch for ch in CODE_ALPHABET if ch.isalpha()]
    for candidate in [stem, *(stem + letter for letter in letters)]:
        if is_generated_code_format(candidate) and _weighted_sum(candidate) != 0:
            continue
        if taken is None or not taken(candidate):
            return candidate
    # Every variant taken means something else is wrong; a fresh code always works.
    return code_key(new_access_code())


def _ascii_key(text: str) -> str:
    # Checked before upper-casing, which would turn "ß" into "SS" and a Turkish dotless i into "I".
    raw = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    bad = next((ch for ch in raw if not ch.isascii()), None)
    if bad is not None:
        raise InvalidAccessCode(
            "bad_character", f"'{bad}' is not used in access codes (letters A-Z and digits)."
        )
    return raw.upper()


def _check_char(body: str) -> str:
    # Choose c so that sum(weight_i * value_i) over all 12 positions is 0 mod 31. Weights 1..12
    # are distinct and non-zero mod 31, so a changed character or two swapped characters (with
    # different values) always change the sum.
    partial = sum((i + 1) * _VALUES[ch] for i, ch in enumerate(body)) % _MODULUS
    weight = CODE_LENGTH
    value = (-partial * pow(weight, -1, _MODULUS)) % _MODULUS
    return CODE_ALPHABET[value]


def _weighted_sum(compact: str) -> int:
    return sum((i + 1) * _VALUES[ch] for i, ch in enumerate(compact)) % _MODULUS
