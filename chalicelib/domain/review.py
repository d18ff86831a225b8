"""Review of a gallery build: the actions a photographer takes and the decisions they leave.

Decisions are stored per photo (and per accepted flag) and become ``ManualDecisions`` for every
build, so they win on each rebuild. Per photo, its *role* in sorting is one of group photo, card,
first photo of a subject (manual tagging) or excluded; a newer role replaces an older one. Moving
it to subjects or to another album is independent of its role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NoReturn

from chalicelib.domain import validation as v
from chalicelib.domain.gallery_model import ManualDecisions
from chalicelib.errors import ValidationFailed

MAX_PHOTOS_PER_ACTION = 100
MAX_SUBJECTS_PER_PHOTO = 10  # siblings photographed together


class Role(StrEnum):
    GROUP = "group"  # a group photo of a class: in the gallery of every subject of it
    CARD = "card"  # shows a card the decoder could not read: starts a run, hidden
    FIRST = "first"  # manual tagging: the first portrait of a subject starts its run
    EXCLUDED = "excluded"  # a bad shot: in no gallery, takes no part in sorting


class ActionKind(StrEnum):
    MOVE_PHOTO = "move_photo"
    ASSIGN_SUBJECT = "assign_subject"
    MARK_GROUP = "mark_group"
    EXCLUDE_PHOTO = "exclude_photo"
    ACCEPT_FLAG = "accept_flag"
    CLEAR = "clear"


@dataclass(frozen=True)
class PhotoDecision:
    photo_id: str
    role: Role | None = None
    role_subjects: tuple[str, ...] = ()
    group_class: str | None = None  # for a group photo; None: the class of its album
    assigned: tuple[str, ...] | None = None  # None: no decision; (): in no gallery
    album: str | None = None


@dataclass(frozen=True)
class ReviewAction:
    kind: ActionKind
    photo_ids: tuple[str, ...] = ()
    subject_ids: tuple[str, ...] | None = None
    album: str | None = None
    class_name: str | None = None
    card: bool = False
    flag_key: str | None = None


def manual_decisions(
    photo_decisions: Iterable[PhotoDecision], accepted_flags: Iterable[str]
) -> ManualDecisions:
    """The stored decisions as the gallery builder takes them."""
    assignments: dict[str, tuple[str, ...]] = {}
    group: dict[str, str | None] = {}
    moved: dict[str, str] = {}
    excluded: set[str] = set()
    cards: dict[str, tuple[str, ...]] = {}
    firsts: dict[str, tuple[str, ...]] = {}
    for d in photo_decisions:
        if d.assigned is not None:
            assignments[d.photo_id] = d.assigned
        if d.album is not None:
            moved[d.photo_id] = d.album
        if d.role is Role.GROUP:
            group[d.photo_id] = d.group_class
        elif d.role is Role.EXCLUDED:
            excluded.add(d.photo_id)
        elif d.role is Role.CARD:
            cards[d.photo_id] = d.role_subjects
        elif d.role is Role.FIRST:
            firsts[d.photo_id] = d.role_subjects
    return ManualDecisions(
        assignments=assignments,
        group_photos=group,
        moved=moved,
        excluded=frozenset(excluded),
        card_marks=cards,
        first_photos=firsts,
        accepted_flags=frozenset(accepted_flags),
    )


def merged(base: ManualDecisions, *, group_photos: Mapping[str, str]) -> ManualDecisions:
    """`base` plus group photos found by convention; a person's decisions about a photo win."""
    decided = {*base.group_photos, *base.card_marks, *base.first_photos, *base.excluded}
    found = {photo: cls for photo, cls in group_photos.items() if photo not in decided}
    if not found:
        return base
    return ManualDecisions(
        assignments=base.assignments,
        group_photos={**found, **base.group_photos},
        moved=base.moved,
        excluded=base.excluded,
        card_marks=base.card_marks,
        first_photos=base.first_photos,
        accepted_flags=base.accepted_flags,
    )


def parse_review_action(body: Any) -> ReviewAction:
    """A review action from a request body; every problem is named with its field."""
    data = v.require_object(body)
    try:
        kind = ActionKind(str(data.get("action")))
    except ValueError as exc:
        reason = "must be one of " + ", ".join(ActionKind)
        raise ValidationFailed([{"field": "action", "reason": reason}]) from exc
    fields = {k: value for k, value in data.items() if k != "action"}
    if kind is ActionKind.ACCEPT_FLAG:
        parsed = v.collect(fields, {"flag": _flag_key}, required=("flag",))
        return ReviewAction(kind, flag_key=parsed["flag"])
    if kind is ActionKind.CLEAR:
        parsed = v.collect(
            fields, {"photo_id": _photo_id, "photo_ids": _photo_ids, "flag": _flag_key}
        )
        if "flag" in parsed:
            if "photo_id" in parsed or "photo_ids" in parsed:
                _fail("flag", "give either photos or a flag")
            return ReviewAction(kind, flag_key=parsed["flag"])
        return ReviewAction(kind, photo_ids=_photos_of(parsed))
    if kind is ActionKind.MOVE_PHOTO:
        return _move(fields)
    if kind is ActionKind.ASSIGN_SUBJECT:
        parsed = v.collect(
            fields,
            {
                "photo_id": _photo_id,
                "subject_id": _subject_id,
                "subject_ids": _subject_ids,
                "card": v.boolean,
            },
            required=("photo_id",),
        )
        subjects = _subjects_of(parsed)
        if not subjects:
            _fail("subject_ids", "name at least one subject")
        return ReviewAction(
            kind, (parsed["photo_id"],), subject_ids=subjects, card=parsed.get("card", False)
        )
    if kind is ActionKind.MARK_GROUP:
        parsed = v.collect(
            fields,
            {
                "photo_id": _photo_id,
                "photo_ids": _photo_ids,
                "class_name": lambda x: v.optional_text(x, max_length=100),
            },
        )
        return ReviewAction(kind, _photos_of(parsed), class_name=parsed.get("class_name"))
    parsed = v.collect(fields, {"photo_id": _photo_id, "photo_ids": _photo_ids})
    return ReviewAction(kind, _photos_of(parsed))


def _move(fields: Mapping[str, Any]) -> ReviewAction:
    parsed = v.collect(
        fields,
        {
            "photo_id": _photo_id,
            "photo_ids": _photo_ids,
            "subject_id": _subject_id,
            "subject_ids": _subject_ids,
            "album": lambda x: v.text(x, max_length=120),
        },
    )
    photos = _photos_of(parsed)
    targets = [name for name in ("subject_id", "subject_ids", "album") if name in parsed]
    if len(targets) != 1:
        _fail("subject_ids", "give exactly one of subject_id, subject_ids ([] for nobody), album")
    if "album" in parsed:
        return ReviewAction(ActionKind.MOVE_PHOTO, photos, album=parsed["album"])
    return ReviewAction(ActionKind.MOVE_PHOTO, photos, subject_ids=_subjects_of(parsed))


def _fail(field: str, reason: str) -> NoReturn:
    raise ValidationFailed([{"field": field, "reason": reason}])


def _id(value: Any) -> str:
    text = v.text(value, max_length=64)
    if not text.isalnum():
        raise v.FieldError("must be an id")
    return text


_photo_id = _id
_subject_id = _id


def _ids(value: Any, *, maximum: int, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise v.FieldError(
            "must be a non-empty list of ids" if not allow_empty else "must be a list"
        )
    if len(value) > maximum:
        raise v.FieldError(f"must have at most {maximum} ids")
    try:
        return tuple(dict.fromkeys(_id(item) for item in value))
    except v.FieldError as exc:
        raise v.FieldError(f"has a bad id: {exc}") from exc


def _photo_ids(value: Any) -> tuple[str, ...]:
    return _ids(value, maximum=MAX_PHOTOS_PER_ACTION, allow_empty=False)


def _subject_ids(value: Any) -> tuple[str, ...]:
    return _ids(value, maximum=MAX_SUBJECTS_PER_PHOTO, allow_empty=True)


def _flag_key(value: Any) -> str:
    return v.text(value, max_length=300)


def _photos_of(parsed: Mapping[str, Any]) -> tuple[str, ...]:
    if ("photo_id" in parsed) == ("photo_ids" in parsed):
        _fail("photo_ids", "give either photo_id or photo_ids")
    if "photo_id" in parsed:
        return (parsed["photo_id"],)
    return tuple(parsed["photo_ids"])


def _subjects_of(parsed: Mapping[str, Any]) -> tuple[str, ...]:
    if "subject_id" in parsed and "subject_ids" in parsed:
        _fail("subject_ids", "give either subject_id or subject_ids")
    if "subject_id" in parsed:
        return (parsed["subject_id"],)
    return tuple(parsed.get("subject_ids", ()))
