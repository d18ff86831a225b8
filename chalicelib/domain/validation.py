"""Small, strict field parsers for request bodies. Each returns the parsed value or raises
``FieldError``; :func:`collect` gathers every field's error into one ``ValidationFailed``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.errors import ValidationFailed

T = TypeVar("T")

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+[1-9]\d{6,14}$")


class FieldError(ValueError):
    pass


def text(value: Any, *, max_length: int = 200, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise FieldError("must be a string")
    value = value.strip()
    if not value and not allow_empty:
        raise FieldError("must not be empty")
    if len(value) > max_length:
        raise FieldError(f"must be at most {max_length} characters")
    return value


def optional_text(value: Any, *, max_length: int = 200) -> str | None:
    if value is None or value == "":
        return None
    return text(value, max_length=max_length)


def iso_date(value: Any) -> date:
    if not isinstance(value, str):
        raise FieldError("must be a date string YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise FieldError("must be a date YYYY-MM-DD") from exc


def optional_date(value: Any) -> date | None:
    return None if value is None else iso_date(value)


def integer(value: Any, *, minimum: int = 0, maximum: int = 1_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError("must be an integer")
    if not minimum <= value <= maximum:
        raise FieldError(f"must be between {minimum} and {maximum}")
    return value


def number(value: Any, *, minimum: float, maximum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError("must be a number")
    if not minimum <= value <= maximum:
        raise FieldError(f"must be between {minimum} and {maximum}")
    return float(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError("must be true or false")
    return value


def choice(value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise FieldError("must be one of " + ", ".join(options))
    return str(value)


def timezone(value: Any) -> str:
    name = text(value, max_length=64)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FieldError("must be an IANA time zone such as Europe/Berlin") from exc
    return name


def email(value: Any) -> str | None:
    if value is None or value == "":
        return None
    address = text(value, max_length=254)
    if not EMAIL_PATTERN.match(address):
        raise FieldError("must be an email address")
    return address


def phone(value: Any) -> str | None:
    if value is None or value == "":
        return None
    number_text = re.sub(r"[\s()./-]", "", text(value, max_length=32))
    if not PHONE_PATTERN.match(number_text):
        raise FieldError("must be an international phone number such as +49 30 1234567")
    return number_text


def require_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise ValidationFailed([{"field": "body", "reason": "must be a JSON object"}])
    return body


def collect(
    body: Mapping[str, Any],
    parsers: Mapping[str, Callable[[Any], Any]],
    *,
    required: tuple[str, ...] = (),
    prefix: str = "",
) -> dict[str, Any]:
    """Parse the fields of ``body`` that have parsers; unknown fields and missing required
    fields are errors. Every problem is reported at once, each naming its field."""
    errors: list[dict[str, str]] = []
    parsed: dict[str, Any] = {}
    for name in body:
        if name not in parsers:
            errors.append({"field": prefix + name, "reason": "unknown field"})
    for name in required:
        if body.get(name) is None:
            errors.append({"field": prefix + name, "reason": "is required"})
    for name, parse in parsers.items():
        if name not in body or (name in required and body.get(name) is None):
            continue
        try:
            parsed[name] = parse(body[name])
        except FieldError as exc:
            errors.append({"field": prefix + name, "reason": str(exc)})
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return parsed
