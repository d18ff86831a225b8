"""EXIF orientation applied to sizes and boxes (the pixels are turned in derivatives.py)."""

from __future__ import annotations

Box = tuple[int, int, int, int]

# Orientations 5-8 swap width and height.
_SWAPS_AXES = frozenset({5, 6, 7, 8})


def oriented_size(size: tuple[int, int], orientation: int | None) -> tuple[int, int]:
    width, height = size
    return (height, width) if orientation in _SWAPS_AXES else (width, height)


def orient_box(box: Box, stored_size: tuple[int, int], orientation: int | None) -> Box:
    """`box` (x, y, w, h) in stored pixels, expressed in the upright frame of the same photo."""
    x, y, w, h = box
    width, height = stored_size
    right, bottom = width - x - w, height - y - h
    match orientation:
        case 2:  # mirrored horizontally
            return (right, y, w, h)
        case 3:  # rotated 180
            return (right, bottom, w, h)
        case 4:  # mirrored vertically
            return (x, bottom, w, h)
        case 5:  # transposed (mirror across the main diagonal)
            return (y, x, h, w)
        case 6:  # camera turned clockwise: the stored top becomes the upright right side
            return (bottom, x, h, w)
        case 7:  # transversed
            return (bottom, right, h, w)
        case 8:  # camera turned counter-clockwise
            return (y, right, h, w)
        case _:
            return box
