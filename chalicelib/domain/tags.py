"""Subject tags: the non-secret QR value printed on the front of a card and photographed.

Format: ``PJ1:<JOB_ID>:<SUBJECT_ID>:<CHECK>``, upper case so it fits QR alphanumeric mode (a
smaller, easier-to-read symbol). The check lets us tell our tags from foreign codes and from
misreads. A tag is never an access code: photographing a card must not open a gallery.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from chalicelib.domain.ids import ID_ALPHABET, is_id

TAG_PREFIX = "PJ1"
CHECK_LENGTH = 4


@dataclass(frozen=True)
class SubjectTag:
    job_id: str
    subject_id: str

    @property
    def value(self) -> str:
        body = f"{TAG_PREFIX}:{self.job_id}:{self.subject_id}"
        return f"{body}:{_check(body)}"


def make_tag(job_id: str, subject_id: str) -> str:
    return SubjectTag(job_id, subject_id).value


def parse_tag(value: str) -> SubjectTag | None:
    """The tag encoded in a QR value, or None when the value is not one of ours."""
    parts = value.strip().split(":")
    if len(parts) != 4 or parts[0] != TAG_PREFIX:
        return None
    _, job_id, subject_id, check = parts
    if not (is_id(job_id) and is_id(subject_id)):
        return None
    if check != _check(f"{TAG_PREFIX}:{job_id}:{subject_id}"):
        return None
    return SubjectTag(job_id, subject_id)


def _check(body: str) -> str:
    crc = zlib.crc32(body.encode("ascii"))
    chars = []
    for _ in range(CHECK_LENGTH):
        chars.append(ID_ALPHABET[crc % len(ID_ALPHABET)])
        crc //= len(ID_ALPHABET)
    return "".join(chars)
