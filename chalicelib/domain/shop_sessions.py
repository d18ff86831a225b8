"""Shop sessions: what a parent's access codes opened, carried in a short-lived signed token.

A session belongs to one studio and holds up to :data:`MAX_ENTRIES` entries, one per code: a
subject of a job (``per_person`` access) or a whole job (``shared`` access, ``subject_id``
None). Adding a sibling's code keeps the session id, so orders placed earlier stay readable.
The token carries ids only, never an access code: a leaked token expires within
:data:`SESSION_SECONDS`, a code lives as long as its job. Signing is the tokens adapter's job;
this module turns sessions into claims and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.subjects import AccessCodeClaim
from chalicelib.errors import BadRequest, Unauthorized

SESSION_SECONDS = 2 * 3600
MAX_ENTRIES = 10  # children (or shared jobs) in one cart
ISSUER = "photojobs-shop"
AUDIENCE = "photojobs-shop"


class DifferentStudio(BadRequest):
    """A code of another studio cannot join a session: one cart, one studio."""

    code = "different_studio"


class SessionFull(BadRequest):
    code = "session_full"


@dataclass(frozen=True)
class SessionEntry:
    job_id: str
    subject_id: str | None  # None: a shared job's one code opens the whole job

    @property
    def registration_key(self) -> str:
        """Which registration covers this entry (see ``keys.registration_sk``)."""
        return self.subject_id or "*"


@dataclass(frozen=True)
class ShopSession:
    session_id: str
    studio_id: str
    entries: tuple[SessionEntry, ...]
    issued_at: datetime
    expires_at: datetime
    # (job, run): the published gallery build run of each job when the token was issued. Only a
    # hint that lets the gallery listing read the galleries with the job in one request; the
    # build record read with them decides which run is shown.
    build_runs: tuple[tuple[str, str], ...] = ()

    @property
    def job_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.job_id for e in self.entries))

    def entries_of(self, job_id: str) -> tuple[SessionEntry, ...]:
        return tuple(e for e in self.entries if e.job_id == job_id)


def with_code(
    session: ShopSession | None,
    claim: AccessCodeClaim,
    *,
    session_id: str,
    now: datetime,
    seconds: int = SESSION_SECONDS,
) -> ShopSession:
    """``session`` (or a new one with ``session_id``) with what ``claim`` opens, valid for
    ``seconds`` from ``now``. The same code twice changes nothing but the expiry."""
    entry = SessionEntry(claim.job_id, claim.subject_id)
    expires = now + timedelta(seconds=seconds)
    if session is None:
        return ShopSession(session_id, claim.studio_id, (entry,), now, expires)
    if claim.studio_id != session.studio_id:
        raise DifferentStudio(
            "this code belongs to another photographer's shop; "
            "open it in a separate session (one cart holds one studio's photos)"
        )
    entries = session.entries if entry in session.entries else (*session.entries, entry)
    if len(entries) > MAX_ENTRIES:
        raise SessionFull(f"a session holds at most {MAX_ENTRIES} codes", limit=MAX_ENTRIES)
    return replace(session, entries=entries, issued_at=now, expires_at=expires)


def with_build_runs(session: ShopSession, published: Mapping[str, str]) -> ShopSession:
    """``session`` with the published build run of each of its jobs that has one."""
    runs = tuple((job, published[job]) for job in session.job_ids if job in published)
    return replace(session, build_runs=runs)


def session_claims(session: ShopSession) -> dict[str, Any]:
    """The JWT claims of a session (registered claims plus ``studio``, ``entries``, ``runs``)."""
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": session.session_id,
        "iat": int(session.issued_at.timestamp()),
        "exp": int(session.expires_at.timestamp()),
        "studio": session.studio_id,
        "entries": [[e.job_id, e.subject_id] for e in session.entries],
        "runs": dict(session.build_runs),
    }


def session_from_claims(claims: Mapping[str, Any]) -> ShopSession:
    """The session of verified claims; ``Unauthorized`` if they do not describe one."""
    try:
        entries = tuple(
            SessionEntry(str(job), None if s is None else str(s)) for job, s in claims["entries"]
        )
        studio_id = claims["studio"]
        session_id = claims["sub"]
        issued = datetime.fromtimestamp(int(claims["iat"]), UTC)
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
        runs = tuple((str(job), str(run)) for job, run in dict(claims.get("runs") or {}).items())
    except (KeyError, TypeError, ValueError) as exc:
        raise Unauthorized("the shop session is not valid: enter your code again") from exc
    if not entries or not isinstance(studio_id, str) or not isinstance(session_id, str):
        raise Unauthorized("the shop session is not valid: enter your code again")
    return ShopSession(session_id, studio_id, entries, issued, expires, runs)
