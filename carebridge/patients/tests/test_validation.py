"""Identity documents, phones and names: each failure has its own clear error."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from carebridge.patients.validation import (
    clean_identity,
    id_facts,
    normalize_card_number,
    normalize_phone,
    region_note,
    validate_id_number,
    validate_name,
)

from .factories import resident_id, with_check

VALID_RIC = resident_id(date(1990, 3, 7), "female")  # 110101199003070248 style


def codes(exc: ValidationError) -> set:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def test_it_accepts_a_resident_id_with_a_correct_gb11643_checksum():
    assert validate_id_number("resident_id", VALID_RIC) == VALID_RIC
    # The example printed in GB 11643 itself, typed with a lower-case x and spaces.
    assert validate_id_number("resident_id", " 11010519491231002x ") == "11010519491231002X"


def test_it_refuses_a_resident_id_with_a_wrong_check_character():
    wrong = VALID_RIC[:-1] + ("0" if VALID_RIC[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        validate_id_number("resident_id", wrong)
    assert codes(exc.value) == {"checksum"}


@pytest.mark.parametrize(
    "number, code",
    [
        ("11010119900307024", "length"),
        ("1101011990030702A8", "format"),
        ("110101199002300247", "date"),  # 30 February
        ("110101199013010247", "date"),  # month 13
        ("", "required"),
    ],
)
def test_it_refuses_a_malformed_resident_id(number, code):
    if code == "date":
        number = with_check(number[:17])  # a right check character on an impossible date
    with pytest.raises(ValidationError) as exc:
        validate_id_number("resident_id", number)
    assert codes(exc.value) == {code}


# First-generation numbers carry the region that issued the card, which may have been created
# after the holder's birth or have left python-stdnum's table since (issue 10).
OLDER_PATIENTS = [
    ("320503", date(1960, 4, 12), "male"),  # 苏州市姑苏区, since 2012
    ("320505", date(1960, 11, 3), "female"),  # 苏州市虎丘区, since 2000
    ("310115", date(1980, 1, 31), "male"),  # 上海市浦东新区, since 1993
    ("440305", date(1975, 7, 9), "female"),  # 深圳市南山区, since 1990
    ("990101", date(1948, 2, 29), "male"),  # no such region at all: still not a refusal
]


@pytest.mark.parametrize("region, born, sex", OLDER_PATIENTS)
def test_it_accepts_a_valid_number_whatever_its_region_code(region, born, sex):
    number = resident_id(born, sex, region=region, seq=41)
    assert validate_id_number("resident_id", number) == number
    assert clean_identity("resident_id", number, None, "")[1:] == (born, sex)
    assert "地区码" in region_note("resident_id", number)  # for staff only


def test_a_region_of_the_birth_year_needs_no_note():
    assert region_note("resident_id", VALID_RIC) == ""  # 110101 东城区
    assert region_note("passport", "E12345678") == ""


def test_the_region_rule_is_the_only_one_relaxed():
    number = resident_id(date(1960, 4, 12), "male", region="320505", seq=41)
    with pytest.raises(ValidationError) as exc:
        validate_id_number("resident_id", number[:-1] + ("0" if number[-1] != "0" else "1"))
    assert codes(exc.value) == {"checksum"}
    with pytest.raises(ValidationError) as exc:  # a woman's sequence number for a man
        clean_identity("resident_id", number, None, "female")
    assert set(exc.value.error_dict) == {"sex"}


@pytest.mark.parametrize(
    "born, message",
    [
        (date(2026, 3, 2), "晚于今天"),  # tomorrow
        (date(2999, 1, 1), "晚于今天"),
        (date(1895, 12, 31), "早于1896年"),  # 130 years before 2026
    ],
)
def test_it_refuses_a_birth_date_in_the_future_or_too_long_ago(born, message, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 3, 1))
    number = with_check(f"320505{born:%Y%m%d}083")
    with pytest.raises(ValidationError) as exc:
        validate_id_number("resident_id", number)
    assert codes(exc.value) == {"date"} and message in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        clean_identity("resident_id", number, None, "")
    assert set(exc.value.error_dict) == {"id_number"}


def test_the_oldest_and_the_newest_allowed_birth_dates(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 3, 1))
    for born in (date(1896, 1, 1), date(2026, 3, 1)):
        number = resident_id(born, "female", region="320505")
        assert validate_id_number("resident_id", number) == number


def test_it_reads_birth_date_and_sex_from_the_number():
    facts = id_facts("resident_id", resident_id(date(2019, 6, 1), "male"))
    assert facts.birth_date == date(2019, 6, 1)
    assert facts.sex == "male"
    assert id_facts("passport", "E12345678") is None


def test_it_fills_birth_date_and_sex_from_a_resident_id():
    number, born, sex = clean_identity("resident_id", VALID_RIC, None, "")
    assert (number, born, sex) == (VALID_RIC, date(1990, 3, 7), "female")


def test_it_refuses_a_birth_date_that_disagrees_with_the_id():
    with pytest.raises(ValidationError) as exc:
        clean_identity("resident_id", VALID_RIC, date(1990, 3, 8), "female")
    assert set(exc.value.error_dict) == {"birth_date"}


def test_it_refuses_a_sex_that_disagrees_with_the_id():
    with pytest.raises(ValidationError) as exc:
        clean_identity("resident_id", VALID_RIC, date(1990, 3, 7), "male")
    assert set(exc.value.error_dict) == {"sex"}


def test_a_social_security_number_is_checked_like_a_resident_id():
    child = resident_id(date(2022, 5, 20), "male")
    assert clean_identity("social_security", child, None, "")[1:] == (date(2022, 5, 20), "male")
    with pytest.raises(ValidationError) as exc:
        clean_identity("social_security", child[:-1] + "Y", None, "")
    assert set(exc.value.error_dict) == {"id_number"}


@pytest.mark.parametrize(
    "id_type, number",
    [
        ("passport", "E12345678"),
        ("passport", "EA1234567"),
        ("passport", "x1234567"),
        ("hk_macau_permit", "H12345678"),
        ("hk_macau_permit", "M1234567801"),
        ("taiwan_permit", "12345678"),
        ("taiwan_permit", "1234567890"),
    ],
)
def test_it_accepts_well_formed_travel_documents(id_type, number):
    assert validate_id_number(id_type, number) == number.upper()


@pytest.mark.parametrize(
    "id_type, number",
    [
        ("passport", "ABCDEFGH"),  # no digit
        ("passport", "E12"),
        ("passport", "E1234567$"),
        ("hk_macau_permit", "K12345678"),
        ("hk_macau_permit", "H1234567"),
        ("taiwan_permit", "1234567"),
        ("taiwan_permit", "T1234567"),
    ],
)
def test_it_refuses_malformed_travel_documents(id_type, number):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(id_type, number)
    assert codes(exc.value) == {"format"}


def test_travel_documents_need_birth_date_and_sex_entered():
    with pytest.raises(ValidationError) as exc:
        clean_identity("passport", "E12345678", None, "")
    assert set(exc.value.error_dict) == {"birth_date", "sex"}
    assert clean_identity("passport", "E12345678", date(1985, 1, 2), "male")[1] == date(1985, 1, 2)


def test_it_refuses_a_birth_date_in_the_future():
    with pytest.raises(ValidationError) as exc:
        clean_identity("passport", "E12345678", date(2999, 1, 1), "male")
    assert set(exc.value.error_dict) == {"birth_date"}


def test_it_refuses_an_unknown_document_type():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("library_card", "12345")
    assert codes(exc.value) == {"id_type"}


@pytest.mark.parametrize(
    "raw", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "19912345678"]
)
def test_it_accepts_mainland_mobile_numbers(raw):
    assert normalize_phone(raw) in {"13812345678", "19912345678"}


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "010-12345678", "+852 91234567", ""])
def test_it_refuses_other_phone_numbers(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert codes(exc.value) == {"phone"}


def test_names_and_card_numbers():
    assert validate_name(" 阿依古丽·买买提 ") == "阿依古丽·买买提"
    assert validate_name("Mary  Smith") == "Mary Smith"
    with pytest.raises(ValidationError):
        validate_name("<script>")
    assert normalize_card_number(" a1234 5678 ") == "A12345678"
    with pytest.raises(ValidationError):
        normalize_card_number("12#45")
