"""What a parent was not shown can neither be picked nor ordered: the refusal names each line,
and each photo once."""

from __future__ import annotations

import pytest

from chalicelib.domain.pricing import CartLine
from chalicelib.errors import NotFound
from chalicelib.services.shop_gallery import require_shown


def test_lines_of_photos_not_shown_are_named_and_each_photo_once():
    lines = [
        CartLine("MINE", "print-13x18", 1),
        CartLine("OTHER", "print-13x18", 2),
        CartLine("OTHER", "download", 1),
    ]
    with pytest.raises(NotFound) as refused:
        require_shown(lines, {"MINE"})
    assert refused.value.message == "photos not found in this gallery: OTHER"
    assert refused.value.details["fields"] == ["lines[1].photo_id", "lines[2].photo_id"]
