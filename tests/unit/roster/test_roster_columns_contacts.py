import pytest

from chalicelib.domain.roster_columns import Column, map_columns, match_header
from chalicelib.domain.roster_contacts import (
    ContactError,
    normalize_email,
    normalize_phone,
    split_contacts,
)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("First name", Column.FIRST_NAME),
        ("firstname", Column.FIRST_NAME),
        ("FIRST_NAME", Column.FIRST_NAME),
        ("Vorname", Column.FIRST_NAME),
        ("given name", Column.FIRST_NAME),
        ("Last name", Column.LAST_NAME),
        ("surname", Column.LAST_NAME),
        ("Nachname", Column.LAST_NAME),
        ("Family-Name", Column.LAST_NAME),
        ("Name", Column.FULL_NAME),
        ("Class", Column.CLASS_NAME),
        ("Klasse", Column.CLASS_NAME),
        ("Album", Column.CLASS_NAME),
        ("Group", Column.CLASS_NAME),
        ("Form", Column.CLASS_NAME),
        ("Grade", Column.CLASS_NAME),
        ("Student ID", Column.EXTERNAL_ID),
        ("External ID", Column.EXTERNAL_ID),
        ("ID", Column.EXTERNAL_ID),
        ("Schüler-ID", Column.EXTERNAL_ID),
        ("Access code", Column.ACCESS_CODE),
        ("Code", Column.ACCESS_CODE),
        ("Password", Column.ACCESS_CODE),
        ("Passwort", Column.ACCESS_CODE),
        ("Email", Column.EMAIL),
        ("Email 1", Column.EMAIL),
        ("E-Mail 2", Column.EMAIL),
        ("Parent email", Column.EMAIL),
        ("E-Mail Eltern", Column.EMAIL),
        ("Phone", Column.PHONE),
        ("Phone 2", Column.PHONE),
        ("Telefon", Column.PHONE),
        ("Handy Mutter", Column.PHONE),
        ("Mobile", Column.PHONE),
        ("ParentPhone", Column.PHONE),
        ("Tel.", Column.PHONE),
    ],
)
def test_headers_are_matched_tolerantly(header, column):
    assert match_header(header) == column


@pytest.mark.parametrize("header", ["Titel", "Hobby", "Notes", "Geburtsdatum", "", "  "])
def test_other_headers_are_not_matched(header):
    assert match_header(header) is None


def test_column_map_reports_unknown_and_repeated_columns():
    columns = map_columns(
        ["Vorname", "Nachname", "Name", "Hobby", "Email 1", "Email 2", "Klasse", "Class"]
    )

    assert columns.indexes(Column.EMAIL) == [4, 5]
    assert columns.unknown == ("Hobby", "Name")  # a "Name" next to first/last name is not used
    assert columns.duplicates == ("Class",)
    assert not columns.has(Column.FULL_NAME)


def test_cells_with_several_contacts_are_split():
    assert split_contacts(" a@x.de; b@y.de ,c@z.de ") == ["a@x.de", "b@y.de", "c@z.de"]
    assert split_contacts("0170/123 456") == ["0170/123 456"]


@pytest.mark.parametrize(
    ("text", "email"),
    [("anna@Example.COM", "anna@example.com"), (" mailto:a.b+c@x.de ", "a.b+c@x.de")],
)
def test_emails_are_normalised(text, email):
    assert normalize_email(text) == email


@pytest.mark.parametrize(
    "text", ["anna", "anna@", "@x.de", "a@b", "a b@x.de", "a@@x.de", "a..b@x.de", "a@x.c"]
)
def test_malformed_emails_are_rejected(text):
    with pytest.raises(ContactError):
        normalize_email(text)


@pytest.mark.parametrize(
    ("text", "country", "e164"),
    [
        ("0170 1234567", "+49", "+491701234567"),
        ("0170/1234567", "+49", "+491701234567"),
        ("+49 (0)170 123-4567", "+49", "+491701234567"),
        ("0049 170 1234567", "+49", "+491701234567"),
        ("1701234567", "+49", "+491701234567"),  # a number cell that lost its 0
        ("4917012345678", "+49", "+4917012345678"),  # a number cell that lost its +
        ("+1 (202) 555-0123", "+49", "+12025550123"),
        ("0664 1234567", "43", "+436641234567"),
        ("(202) 555-0123", "+1", "+12025550123"),
    ],
)
def test_phones_are_normalised_to_e164(text, country, e164):
    assert normalize_phone(text, country) == e164


@pytest.mark.parametrize(
    "text",
    [
        "12",
        "abc",
        "0170 12345x",
        "+49 0170 1234567",
        "+1234567890123456",
        "++49170123",
        "0170+123",
        "+0123456789",
    ],
)
def test_impossible_phones_are_rejected(text):
    with pytest.raises(ContactError):
        normalize_phone(text, "+49")


def test_a_bad_default_country_code_is_a_programming_error():
    with pytest.raises(ValueError):
        normalize_phone("0170 1234567", "+0")
