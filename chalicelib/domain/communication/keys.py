"""Message identity for exactly-once sending: the storage layer claims ``message_key`` with a
conditional write before sending, and sends only if the claim succeeded.

The key is (job, step, recipient[, occurrence]) and deliberately NOT the planned date:

- a schedule that fires twice, or a status toggled selling -> planning -> selling, yields
  the same key, so nobody ever gets a second copy;
- a date that moves (the archive date pushed back a week) does not make an already-sent
  reminder new: the parent was already told "7 days left" and would read a second one as
  a mistake. Steps not sent yet simply follow the new date. To re-announce an extension,
  the photographer sends a newsletter (its own key).
- ``occurrence`` separates repeatable steps: the cart id for ``abandoned_cart`` (one nudge
  per cart, however often it changes). Steps that happen once per job leave it empty.
"""

from __future__ import annotations

from urllib.parse import quote

KEY_VERSION = "m1"


def _part(value: str) -> str:
    if not value:
        raise ValueError("message key parts must not be empty")
    return quote(value, safe="")


def message_key(job_id: str, step_id: str, recipient_id: str, occurrence: str = "") -> str:
    """The stable identity of one message to one recipient (see the module docstring)."""
    parts = [KEY_VERSION, _part(job_id), _part(step_id), _part(recipient_id)]
    if occurrence:
        parts.append(_part(occurrence))
    return "#".join(parts)


def newsletter_message_key(job_id: str, newsletter_id: str, recipient_id: str) -> str:
    """The identity of one newsletter to one recipient (a resend of the same one is a no-op)."""
    return message_key(job_id, f"newsletter:{newsletter_id}", recipient_id)
