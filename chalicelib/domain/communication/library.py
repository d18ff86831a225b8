"""A studio's library of communication profiles: the built-in default (read-only, copyable)
and the studio's own profiles, each with the settings its messages are sent with (the locale
of the templates and the quiet hours). Parsing of admin requests lives here too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.domain.communication.defaults import DEFAULT_PROFILE_ID, default_profile
from chalicelib.domain.communication.l10n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from chalicelib.domain.communication.newsletter import (
    MAX_BODY_LENGTH,
    MAX_SUBJECT_LENGTH,
    Newsletter,
)
from chalicelib.domain.communication.profiles import (
    MAX_NAME_LENGTH,
    Audience,
    Channel,
    CommunicationProfile,
    profile_from_dict,
)
from chalicelib.domain.communication.quiet_hours import DEFAULT_QUIET_HOURS, QuietHours
from chalicelib.domain.communication.render import unknown_templates
from chalicelib.errors import Conflict, ValidationFailed

BUILTIN_PROFILE_ID = DEFAULT_PROFILE_ID


class BuiltinProfileReadOnly(Conflict):
    """The shipped default profile is shared by every studio: copy it, then edit the copy."""

    code = "builtin_profile_read_only"


class CommunicationProfileInUse(Conflict):
    """A profile that jobs still use cannot be deleted; ``jobs`` names them."""

    code = "communication_profile_in_use"


@dataclass(frozen=True)
class StudioProfile:
    """A stored profile and how its messages are sent: ``locale`` picks the templates and the
    date formats, ``quiet_hours`` (local time of each job) hold messages back at night."""

    profile: CommunicationProfile
    locale: str = DEFAULT_LOCALE
    quiet_hours: QuietHours = DEFAULT_QUIET_HOURS
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    @property
    def profile_id(self) -> str:
        return self.profile.profile_id

    @property
    def builtin(self) -> bool:
        return self.profile.profile_id == BUILTIN_PROFILE_ID

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.profile.as_dict(),
            "locale": self.locale,
            "quiet_hours": quiet_hours_dict(self.quiet_hours),
            "builtin": self.builtin,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


def builtin_profile(studio_id: str) -> StudioProfile:
    """The shipped default profile as it appears in ``studio_id``'s library."""
    return StudioProfile(default_profile(studio_id, BUILTIN_PROFILE_ID))


def quiet_hours_dict(quiet: QuietHours) -> dict[str, str] | None:
    if not quiet.enabled:
        return None
    return {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M")}


def _clock_time(value: Any) -> time:
    if not isinstance(value, str):
        raise v.FieldError("must be a time HH:MM")
    try:
        parsed = time.fromisoformat(value)
    except ValueError as exc:
        raise v.FieldError("must be a time HH:MM") from exc
    if parsed.second or parsed.microsecond or parsed.minute % 15:
        raise v.FieldError("must be a whole quarter hour HH:MM")
    return parsed


def _quiet_hours(value: Any) -> QuietHours:
    """``{"start": "21:00", "end": "08:00"}``; ``null`` turns quiet hours off."""
    if value is None:
        return QuietHours(time(0), time(0))
    body = v.require_object(value)
    parsed = v.collect(
        body,
        {"start": _clock_time, "end": _clock_time},
        required=("start", "end"),
        prefix="quiet_hours.",
    )
    return QuietHours(parsed["start"], parsed["end"])


def _locale(value: Any) -> str:
    return v.choice(value, SUPPORTED_LOCALES)


def _name(value: Any) -> str:
    return v.text(value, max_length=MAX_NAME_LENGTH)


def _steps(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise v.FieldError("must be a list of steps")
    return value


_PARSERS: Mapping[str, Any] = {
    "name": _name,
    "steps": _steps,
    "locale": _locale,
    "quiet_hours": _quiet_hours,
}


def parse_profile_body(
    body: Any,
    *,
    studio_id: str,
    profile_id: str,
    now: datetime,
    current: StudioProfile | None = None,
) -> StudioProfile:
    """A new profile (``current`` None: ``name`` and ``steps`` required) or ``current``
    changed by the fields given (``steps``, when given, replace the whole list). Every step's
    template must exist for its channel. Raises ``ValidationFailed`` naming every problem."""
    required = ("name", "steps") if current is None else ()
    fields = v.collect(v.require_object(body), _PARSERS, required=required)
    base = current.profile.as_dict() if current else {}
    profile = profile_from_dict(
        {
            "profile_id": profile_id,
            "studio_id": studio_id,
            "name": fields.get("name", base.get("name")),
            "steps": fields.get("steps", base.get("steps", [])),
        }
    )
    missing = unknown_templates(profile)
    if missing:
        raise ValidationFailed(
            [
                {
                    "field": f"steps[{index}].template_id",
                    "reason": f"no {step.channel} template {step.template_id!r}",
                }
                for index, step in enumerate(profile.steps)
                if step.step_id in missing
            ]
        )
    if current is None:
        return StudioProfile(
            profile,
            locale=fields.get("locale", DEFAULT_LOCALE),
            quiet_hours=fields.get("quiet_hours", DEFAULT_QUIET_HOURS),
            created_at=now,
            updated_at=now,
        )
    return replace(
        current,
        profile=profile,
        locale=fields.get("locale", current.locale),
        quiet_hours=fields.get("quiet_hours", current.quiet_hours),
        updated_at=now,
    )


def parse_copy_body(body: Any) -> str | None:
    """The name of a copy, if the request gives one."""
    parser = {"name": lambda x: v.optional_text(x, max_length=MAX_NAME_LENGTH)}
    parsed = v.collect(v.require_object(body), parser)
    return parsed.get("name")


def copied_profile(
    source: StudioProfile, *, studio_id: str, profile_id: str, name: str | None, now: datetime
) -> StudioProfile:
    """An editable copy of ``source`` (the built-in default or one of the studio's)."""
    copy_name = name or f"{source.profile.name} (copy)"[:MAX_NAME_LENGTH]
    profile = replace(source.profile, profile_id=profile_id, studio_id=studio_id, name=copy_name)
    return replace(source, profile=profile, created_at=now, updated_at=now, version=0)


def parse_newsletter(body: Any, *, newsletter_id: str) -> Newsletter:
    """A newsletter from an admin request: ``subject`` (email), ``body``, and optionally
    ``channel`` (email) and ``audience`` (all_registered)."""
    fields = v.collect(
        v.require_object(body),
        {
            "subject": lambda x: v.text(x, max_length=MAX_SUBJECT_LENGTH, allow_empty=True),
            "body": lambda x: v.text(x, max_length=MAX_BODY_LENGTH),
            "channel": lambda x: Channel(v.choice(x, tuple(c.value for c in Channel))),
            "audience": lambda x: Audience(v.choice(x, tuple(a.value for a in Audience))),
        },
        required=("body",),
    )
    newsletter = Newsletter(
        newsletter_id=newsletter_id,
        subject=fields.get("subject", ""),
        body=fields["body"],
        channel=fields.get("channel", Channel.EMAIL),
        audience=fields.get("audience", Audience.ALL_REGISTERED),
    )
    if newsletter.channel == Channel.EMAIL and not newsletter.subject:
        raise ValidationFailed([{"field": "subject", "reason": "an email needs a subject"}])
    return newsletter
