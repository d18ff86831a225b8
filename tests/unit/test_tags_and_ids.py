from __future__ import annotations

from chalicelib.domain.ids import ID_ALPHABET, is_id, new_id
from chalicelib.domain.tags import make_tag, parse_tag


def test_ids_are_unambiguous_and_distinct():
    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(is_id(i) for i in ids)
    assert not set("ILOU") & set(ID_ALPHABET)


def test_tags_round_trip_and_reject_foreign_or_damaged_values():
    job, subject = new_id(), new_id()
    tag = make_tag(job, subject)
    parsed = parse_tag(tag)
    assert parsed is not None and (parsed.job_id, parsed.subject_id) == (job, subject)
    assert parse_tag("https://example.com/x") is None
    damaged = tag[:-1] + ("0" if tag[-1] != "0" else "1")
    assert parse_tag(damaged) is None
    swapped = make_tag(subject, job).rsplit(":", 1)[0] + ":" + tag.rsplit(":", 1)[1]
    assert parse_tag(swapped) is None
