"""Test data: valid identity numbers computed independently of python-stdnum, and patients."""

from datetime import date

from carebridge.wechat.models import Follower

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(born: date, sex: str = "female", region: str = "110101", seq: int = 12) -> str:
    """A GB 11643 number: region, birth date, sequence (odd for men), check character."""
    order = seq * 2 + (1 if sex == "male" else 0)
    return with_check(f"{region}{born:%Y%m%d}{order:03d}")


def with_check(body: str) -> str:
    """17 characters + the GB 11643 check character (weights 2^(17-i) mod 11)."""
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def follower(account, openid: str) -> Follower:
    return Follower.objects.get_or_create(account=account, openid=openid)[0]


def patient(owner, **fields):
    """A patient row written directly (the validation path is tested through the actions)."""
    from carebridge.patients.models import Patient

    born = fields.pop("birth_date", date(1990, 3, 7))
    sex = fields.pop("sex", "female")
    id_number = fields.pop("id_number", None) or resident_id(born, sex)
    phone = fields.pop("phone", "13812345678")
    row = Patient(
        owner=owner,
        name=fields.pop("name", "王小红"),
        sex=sex,
        birth_date=born,
        id_type=fields.pop("id_type", "resident_id"),
        relation=fields.pop("relation", "self"),
        **fields,
    )
    row.set_id_number(id_number)
    row.set_phone(phone)
    row.save()
    return row
