"""Failed-login counters of the shop in DynamoDB: one item per counter and fixed window
(``keys.throttle_pk`` / ``throttle_sk``), changed only with ``UpdateItem ADD`` and removed by
the table's TTL (``expires_at``). See :mod:`chalicelib.domain.login_throttle` for the rule."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import condition_failed
from chalicelib.adapters.dynamo.models import LoginAttemptsItem
from chalicelib.domain.login_throttle import Counter, Window


def _item(counter: Counter, window: Window) -> LoginAttemptsItem:
    return LoginAttemptsItem(
        keys.throttle_pk(counter.scope, counter.value), keys.throttle_sk(window.key)
    )


class LoginAttemptCounters:
    def reserve(self, counter: Counter, window: Window, *, limit: int) -> bool:
        """Count one attempt unless the counter has reached ``limit`` in ``window``: one
        conditional ``ADD``, so concurrent attempts can never pass the limit. False: over it."""
        try:
            _item(counter, window).update(
                actions=[
                    LoginAttemptsItem.attempts.add(1),
                    LoginAttemptsItem.expires_at.set(window.expires_at),
                    LoginAttemptsItem.kind.set(LoginAttemptsItem),
                ],
                condition=LoginAttemptsItem.attempts.does_not_exist()
                | (LoginAttemptsItem.attempts < limit),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def give_back(self, counter: Counter, window: Window) -> None:
        """Undo a reservation (the attempt succeeded); never below zero, never re-created."""
        try:
            _item(counter, window).update(
                actions=[LoginAttemptsItem.attempts.add(-1)],
                condition=LoginAttemptsItem.attempts > 0,
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise

    def attempts(self, counter: Counter, window: Window) -> int:
        try:
            item = LoginAttemptsItem.get(
                keys.throttle_pk(counter.scope, counter.value),
                keys.throttle_sk(window.key),
                consistent_read=True,
            )
        except DoesNotExist:
            return 0
        return int(item.attempts or 0)
