"""Review decisions in DynamoDB: one item per photo decided about, one per accepted flag.

An action changes only the fields it decides (field-level updates, no read first), all photos of
one action in one transaction: an action is stored completely or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.models import FlagDecisionItem, PhotoDecisionItem, TableItem
from chalicelib.domain.gallery_model import ManualDecisions
from chalicelib.domain.review import (
    ActionKind,
    PhotoDecision,
    ReviewAction,
    Role,
    manual_decisions,
)
from chalicelib.errors import ConcurrentUpdate

D = PhotoDecisionItem


def _texts(values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())


def _stored(values: tuple[str, ...] | None) -> Any:
    """A list of strings as a ``ListAttribute(of=UnicodeAttribute)`` value."""
    return list(values or ())


def _decision(item: PhotoDecisionItem) -> PhotoDecision:
    return PhotoDecision(
        photo_id=item.photo_id,
        role=Role(item.role) if item.role else None,
        role_subjects=_texts(item.role_subjects),
        group_class=item.group_class,
        assigned=None if item.assigned is None else _texts(item.assigned),
        album=item.album,
    )


def _field_actions(action: ReviewAction) -> list[Any]:
    """What `action` sets on each photo's decision item; a role replaces the previous role."""
    kind = action.kind
    if kind is ActionKind.MOVE_PHOTO and action.album is not None:
        return [D.album.set(action.album)]
    if kind is ActionKind.MOVE_PHOTO:
        return [D.assigned.set(_stored(action.subject_ids))]
    if kind is ActionKind.ASSIGN_SUBJECT:
        role = Role.CARD if action.card else Role.FIRST
        subjects = _stored(action.subject_ids)
        return [D.role.set(str(role)), D.role_subjects.set(subjects), D.group_class.remove()]
    if kind is ActionKind.MARK_GROUP:
        group_class = (
            D.group_class.set(action.class_name) if action.class_name else D.group_class.remove()
        )
        return [D.role.set(str(Role.GROUP)), group_class, D.role_subjects.remove()]
    if kind is ActionKind.EXCLUDE_PHOTO:
        return [D.role.set(str(Role.EXCLUDED)), D.role_subjects.remove(), D.group_class.remove()]
    raise ValueError(f"{kind} changes no photo decision")


class ReviewDecisionRepository:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def load(self, job_id: str) -> ManualDecisions:
        photos: list[PhotoDecision] = []
        flags: list[str] = []
        for item in TableItem.query(
            keys.job_pk(job_id), TableItem.sk.startswith(keys.DECISION_PREFIX)
        ):
            if isinstance(item, PhotoDecisionItem):
                photos.append(_decision(item))
            elif isinstance(item, FlagDecisionItem):
                flags.append(item.flag_key)
        return manual_decisions(photos, flags)

    def record(self, job_id: str, action: ReviewAction, decided_by: str, now: datetime) -> None:
        """Store the decisions of one validated action, all or nothing."""
        pk = keys.job_pk(job_id)
        try:
            with TransactWrite(connection=self._connection or Connection()) as transaction:
                if action.kind is ActionKind.ACCEPT_FLAG:
                    assert action.flag_key is not None
                    transaction.save(
                        FlagDecisionItem(
                            pk,
                            keys.flag_decision_sk(action.flag_key),
                            flag_key=action.flag_key,
                            decided_by=decided_by,
                            decided_at=now,
                        )
                    )
                elif action.kind is ActionKind.CLEAR and action.flag_key is not None:
                    transaction.delete(FlagDecisionItem(pk, keys.flag_decision_sk(action.flag_key)))
                elif action.kind is ActionKind.CLEAR:
                    for photo_id in action.photo_ids:
                        transaction.delete(PhotoDecisionItem(pk, keys.photo_decision_sk(photo_id)))
                else:
                    fields = _field_actions(action)
                    for photo_id in action.photo_ids:
                        transaction.update(
                            PhotoDecisionItem(pk, keys.photo_decision_sk(photo_id)),
                            actions=[
                                D.kind.set(PhotoDecisionItem),
                                D.photo_id.set(photo_id),
                                D.decided_by.set(decided_by),
                                D.decided_at.set(now),
                                *fields,
                            ],
                        )
        except TransactWriteError as exc:
            raise ConcurrentUpdate(
                "these photos were changed by someone else at the same time; try again"
            ) from exc

    def delete_all(self, job_id: str) -> None:
        items = TableItem.query(
            keys.job_pk(job_id),
            TableItem.sk.startswith(keys.DECISION_PREFIX),
            attributes_to_get=["pk", "sk", "kind"],
        )
        with TableItem.batch_write() as batch:
            for item in items:
                batch.delete(item)
