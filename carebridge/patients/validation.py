"""Checks for identity documents and phone numbers. Each failure is a ValidationError with a
message a patient can act on; each success returns the number in its stored form."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from .choices import IdType, Sex

# Passports: Chinese ones are E/G + 8 characters; foreign ones vary, so accept 5–17 letters and
# digits with at least one digit (ICAO 9303 allows up to 9 in the MRZ, some states use more).
_PASSPORT = re.compile(r"^(?=.*\d)[A-Z0-9]{5,17}$")
# 港澳居民来往内地通行证: H (Hong Kong) or M (Macau) + 8 digits (+ 2 digits on older cards).
_HK_MACAU = re.compile(r"^[HM]\d{8}(\d{2})?$")
# 台湾居民来往大陆通行证: 8 digits since 2015; older booklets had 10.
_TAIWAN = re.compile(r"^\d{8}(\d{2})?$")
# Mainland mobile numbers: 11 digits starting 13–19.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

# Types whose number carries the holder's birth date and sex (GB 11643); the social security
# number (社会保障号码) of a mainland resident is the resident ID number.
GB11643_TYPES = {IdType.RESIDENT_ID, IdType.SOCIAL_SECURITY}
_GB11643_BODY = re.compile(r"^[0-9]{17}$")
# The six-digit region code is not checked. First-generation cards were numbered by the region
# that issued them, whose code may be younger than the holder (a 320505… number, 虎丘区 since
# 2000, with a 1960 birth date) or gone from python-stdnum's table: stdnum.cn.ric.validate()
# refuses those valid numbers, so the checks are made here from its parts (issue 10).
# A birth date further back than this many years is a typing error, not a patient.
OLDEST_YEARS = 130


@dataclass(frozen=True)
class IdFacts:
    birth_date: date
    sex: str


def compact(number: str) -> str:
    return re.sub(r"[\s\-()（）]", "", number or "").upper()


def validate_id_number(id_type: str, number: str) -> str:
    """The number in stored form, or a ValidationError saying what is wrong with it."""
    number = compact(number)
    if not number:
        raise ValidationError(_("请填写证件号码"), code="required")
    if id_type in GB11643_TYPES:
        return _validate_gb11643(number)
    patterns = {
        IdType.PASSPORT: (_PASSPORT, _("护照号码应为5至17位字母和数字")),
        IdType.HK_MACAU_PERMIT: (_HK_MACAU, _("港澳通行证号码应为H或M开头加8位（或10位）数字")),
        IdType.TAIWAN_PERMIT: (_TAIWAN, _("台湾居民来往大陆通行证号码应为8位（或10位）数字")),
    }
    if id_type not in patterns:
        raise ValidationError(_("不支持的证件类型"), code="id_type")
    pattern, message = patterns[id_type]
    if not pattern.match(number):
        raise ValidationError(message, code="format")
    return number


def _validate_gb11643(number: str) -> str:
    """Length, digits, check character (ISO 7064 MOD 11-2, ``X`` for 10) and a real birth date
    between OLDEST_YEARS ago and today. Not the region code: see region_note()."""
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位"), code="length")
    if not _GB11643_BODY.match(number[:17]):
        raise ValidationError(_("身份证号码前17位应为数字"), code="format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号码校验位不正确，请核对"), code="checksum")
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError as exc:  # 30 February, month 13…
        raise ValidationError(_("身份证号码中的出生日期无效，请核对"), code="date") from exc
    today = timezone.localdate()
    if born > today:
        raise ValidationError(_("身份证号码中的出生日期晚于今天，请核对"), code="date")
    if born.year < today.year - OLDEST_YEARS:
        message = _("身份证号码中的出生日期早于%(year)s年，请核对")
        raise ValidationError(message, code="date", params={"year": today.year - OLDEST_YEARS})
    return number


def region_note(id_type: str, number: str) -> str:
    """A remark for staff when the region code of a valid GB 11643 number is not a region of
    its birth year in python-stdnum's table (unknown, or created later); "" otherwise. Never a
    reason to refuse the number, and not for the patient's eyes."""
    if id_type not in GB11643_TYPES:
        return ""
    try:
        ric.get_birth_place(number)
    except stdnum_errors.ValidationError:
        return _(
            "地区码不是出生当年的行政区划（第一代身份证按发证地编号，或为新设、调整的地区）；"
            "号码校验无误，可正常使用"
        )
    return ""


def id_facts(id_type: str, number: str) -> IdFacts | None:
    """Birth date and sex read from a valid GB 11643 number; None for other documents."""
    if id_type not in GB11643_TYPES:
        return None
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdFacts(birth_date=ric.get_birth_date(number), sex=sex)


def normalize_phone(value: str) -> str:
    """A mainland mobile number as 11 digits (``+86 138-1234-5678`` → ``13812345678``)."""
    digits = re.sub(r"[\s\-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE.match(digits):
        raise ValidationError(_("请填写11位中国大陆手机号码"), code="phone")
    return digits


def normalize_card_number(value: str) -> str:
    """就诊卡号: letters and digits as the hospital printed them, up to 32."""
    value = compact(value)
    if value and not re.match(r"^[A-Z0-9]{1,32}$", value):
        raise ValidationError(_("就诊卡号只能包含字母和数字"), code="card")
    return value


_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z·•.' \-]{1,50}$")


def validate_name(value: str) -> str:
    value = " ".join((value or "").split())
    if not _NAME.match(value):
        raise ValidationError(_("姓名只能包含汉字、英文字母、空格和·"), code="name")
    return value


def clean_identity(id_type: str, number: str, birth_date: date | None, sex: str | None):
    """(number, birth_date, sex) for a document: a GB 11643 number gives birth date and sex and
    must agree with any entered; other documents need them entered. Errors name their field."""
    try:
        number = validate_id_number(id_type, number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.error_list}) from exc
    facts = id_facts(id_type, number)
    errors = {}
    if facts is not None:
        if birth_date and birth_date != facts.birth_date:
            errors["birth_date"] = _("出生日期与证件号码不一致")
        if sex and sex != facts.sex:
            errors["sex"] = _("性别与证件号码不一致")
        birth_date, sex = birth_date or facts.birth_date, sex or facts.sex
    else:
        if not birth_date:
            errors["birth_date"] = _("请填写出生日期")
        if not sex:
            errors["sex"] = _("请选择性别")
    if birth_date and birth_date > timezone.localdate():
        errors.setdefault("birth_date", _("出生日期不能晚于今天"))
    if errors:
        raise ValidationError(errors)
    return number, birth_date, sex


def field_error(field: str, message, code: str) -> ValidationError:
    """A refusal for one form field that keeps its code (a dict of plain messages loses it)."""
    return ValidationError({field: ValidationError(message, code=code)})
