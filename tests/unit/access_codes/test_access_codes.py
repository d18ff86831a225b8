import re

import pytest

from chalicelib.domain.access_codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ENTROPY_BITS,
    InvalidAccessCode,
    format_code,
    is_generated_code_format,
    new_access_code,
    normalize_any_code,
    normalize_code,
    normalize_imported_code,
    suggest_modified_code,
)
from chalicelib.errors import DomainError

GENERATED_SHAPE = re.compile(
    rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$"
)


def test_generated_codes_have_enough_entropy_and_no_look_alikes():
    assert ENTROPY_BITS >= 50
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_new_codes_are_grouped_valid_and_distinct():
    codes = [new_access_code() for _ in range(2000)]

    assert all(GENERATED_SHAPE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(normalize_code(code) == code.replace("-", "") for code in codes)
    assert all(is_generated_code_format(code) for code in codes)


def test_normalize_accepts_case_spaces_dashes_and_full_width():
    code = normalize_code(new_access_code())
    a, b, c = code[:4], code[4:8], code[8:]
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    variants = [
        f"{a}-{b}-{c}".lower(),
        f" {a} {b} {c} ",
        code,
        f"{a}--{b}-{c[:2]}-{c[2:]}",
        f"{a}\u2013{b}\u2014{c}",
        full_width,
    ]

    assert [normalize_code(typed) for typed in variants] == [code] * len(variants)


def test_every_single_character_typo_is_caught():
    for _ in range(20):
        code = normalize_code(new_access_code())
        for position in range(CODE_LENGTH):
            for replacement in CODE_ALPHABET:
                if replacement == code[position]:
                    continue
                typo = code[:position] + replacement + code[position + 1 :]
                with pytest.raises(InvalidAccessCode) as error:
                    normalize_code(typo)
                assert error.value.reason == "check_failed"


def test_every_transposition_is_caught():
    for _ in range(50):
        code = normalize_code(new_access_code())
        for i in range(CODE_LENGTH):
            for j in range(i + 1, CODE_LENGTH):
                if code[i] == code[j]:
                    continue
                swapped = list(code)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                with pytest.raises(InvalidAccessCode, match="typo"):
                    normalize_code("".join(swapped))


@pytest.mark.parametrize("look_alike", ["O", "0", "I", "1", "L", "o", "l"])
def test_look_alikes_are_rejected_with_a_reason_not_guessed(look_alike):
    with pytest.raises(InvalidAccessCode) as error:
        normalize_code("K7M4-Q9PX-2HT" + look_alike)

    assert error.value.reason == "ambiguous_character"
    assert error.value.message.startswith("Character 12 ")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("  - ", "empty"),
        ("K7M4-Q9PX", "wrong_length"),
        ("K7M4-Q9PX-2HTRR", "wrong_length"),
        ("K7M4-Q9PX-2HT#", "bad_character"),
        ("K7M4-Q9PX-2HTÄ", "bad_character"),
    ],
)
def test_normalize_rejects_malformed_codes(typed, reason):
    with pytest.raises(InvalidAccessCode) as error:
        normalize_code(typed)

    assert error.value.reason == reason
    assert isinstance(error.value, DomainError)
    assert error.value.code == "invalid_access_code"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("abc1232026", "ABC1232026"),
        ("abc-123", "ABC123"),
        (" Smith 2024 ", "SMITH2024"),
        ("o0o0", "O0O0"),
        ("x" * 32, "X" * 32),
    ],
)
def test_imported_codes_are_case_insensitive_and_may_use_any_letter_or_digit(typed, key):
    assert normalize_imported_code(typed) == key
    assert not is_generated_code_format(typed)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "wrong_length"),
        ("x" * 33, "wrong_length"),
        ("abc!23", "bad_character"),
        ("straße1", "bad_character"),
        ("", "empty"),
    ],
)
def test_imported_codes_are_validated(typed, reason):
    with pytest.raises(InvalidAccessCode) as error:
        normalize_imported_code(typed)

    assert error.value.reason == reason


def test_imported_code_shaped_like_a_generated_one_needs_a_valid_check():
    valid = normalize_code(new_access_code())
    broken = valid[:-1] + next(ch for ch in CODE_ALPHABET if ch != valid[-1])

    assert normalize_imported_code(valid.lower()) == valid
    with pytest.raises(InvalidAccessCode) as error:
        normalize_imported_code(broken)
    assert error.value.reason == "looks_generated"


def test_login_normalisation_tells_the_two_kinds_apart():
    generated = new_access_code()
    typo = generated[:-1] + next(ch for ch in CODE_ALPHABET if ch != generated[-1])

    assert normalize_any_code(generated.lower()) == generated.replace("-", "")
    assert normalize_any_code("abc1232026") == "ABC1232026"
    with pytest.raises(InvalidAccessCode) as error:
        normalize_any_code(typo)
    assert error.value.reason == "check_failed"


def test_a_subject_tag_is_never_an_access_code():
    with pytest.raises(InvalidAccessCode):
        normalize_any_code("PJ1:0123456789AB:0123456789AB:ABCD")


def test_format_code_groups_generated_codes_only():
    code = normalize_code(new_access_code())

    assert format_code(code) == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert format_code("abc1232026") == "ABC1232026"


def test_suggested_code_appends_the_year():
    assert suggest_modified_code("abc123", 2026) == "ABC1232026"


def test_suggested_code_avoids_taken_codes():
    taken = {"ABC1232026", "ABC1232026A"}

    assert suggest_modified_code("abc-123", 2026, taken=taken.__contains__) == "ABC1232026B"


def test_suggested_code_is_always_a_valid_imported_code():
    for code in ["x" * 32, "ab", new_access_code(), "abc-123"]:
        suggestion = suggest_modified_code(code, 2026)
        assert normalize_imported_code(suggestion) == suggestion
        assert "2026" in suggestion
