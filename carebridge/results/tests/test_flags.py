"""Flags: the HIS's when it sends one, else computed from the range that fits the patient's sex
and age on the day the specimen was taken; text values against a text range."""

from decimal import Decimal

import pytest

from carebridge.results.flags import Range
from carebridge.results.models import Flag, Observation, RangeType

from .helpers import item, push

pytestmark = pytest.mark.django_db

# Haemoglobin (g/L): men 130–175, women 115–150, children under 14 110–160; critical below 50.
HAEMOGLOBIN = [
    Range(low=Decimal(130), high=Decimal(175), applies_to=("male",)),
    Range(low=Decimal(115), high=Decimal(150), applies_to=("female",)),
    Range(low=Decimal(110), high=Decimal(160), age_high=13),
    Range(type=RangeType.CRITICAL, low=Decimal(50), high=Decimal(200)),
]


def hb(value) -> Observation:
    return Observation(
        value_quantity=Decimal(value), reference_ranges=[r.to_stored() for r in HAEMOGLOBIN]
    )


@pytest.mark.parametrize(
    "value, sex, age, flag",
    [
        (140, "male", 40, Flag.NORMAL),
        (125, "male", 40, Flag.LOW),
        (125, "female", 40, Flag.NORMAL),
        (155, "female", 40, Flag.HIGH),
        (155, "male", 40, Flag.NORMAL),
        (130, "male", 40, Flag.NORMAL),  # both ends of a range are inside it
        (175, "male", 40, Flag.NORMAL),
        (112, "female", 8, Flag.NORMAL),  # a child's range is the more specific for her age
        (112, "female", 14, Flag.LOW),
        (45, "female", 40, Flag.CRITICAL_LOW),
        (50, "female", 40, Flag.LOW),
        (201, "male", 40, Flag.CRITICAL_HIGH),
    ],
)
def test_a_number_is_flagged_against_the_range_for_the_patients_sex_and_age(value, sex, age, flag):
    assert hb(value).computed_flag(sex, age) == flag


def test_the_most_specific_range_wins():
    ranges = [
        Range(low=Decimal(1), high=Decimal(10)),
        Range(low=Decimal(5), high=Decimal(10), applies_to=("male",)),
    ]
    obs = Observation(value_quantity=Decimal(3), reference_ranges=[r.to_stored() for r in ranges])
    assert obs.computed_flag("male", 30) == Flag.LOW
    assert obs.computed_flag("female", 30) == Flag.NORMAL
    assert obs.applicable_range("male", 30).label() == "5–10"


def test_no_fitting_range_means_no_flag():
    only_children = [Range(low=Decimal(1), high=Decimal(2), age_high=13).to_stored()]
    assert (
        Observation(value_quantity=Decimal(9), reference_ranges=only_children).computed_flag(
            "male", 40
        )
        == ""
    )
    assert Observation(value_quantity=Decimal(9)).computed_flag("male", 40) == ""
    assert Observation(value_string="阳性").computed_flag("male", 40) == ""


@pytest.mark.parametrize(
    "value, flag",
    [
        ("阴性", Flag.NORMAL),
        (" 阴 性 ", Flag.NORMAL),
        ("阳性(+)", Flag.ABNORMAL),
        ("阳性(+++)", Flag.CRITICAL_ABNORMAL),
    ],
)
def test_a_text_value_is_read_against_the_ranges_text(value, flag):
    ranges = [Range(text="阴性"), Range(type=RangeType.CRITICAL, text="阳性(+++)")]
    obs = Observation(value_string=value, reference_ranges=[r.to_stored() for r in ranges])
    assert obs.computed_flag("female", 30) == flag


def test_text_matching_sets_case_and_full_width_forms_aside():
    obs = Observation(value_string="ＮＥＧ", reference_ranges=[Range(text="neg").to_stored()])
    assert obs.computed_flag(None, None) == Flag.NORMAL


def test_a_range_label_reads_as_printed():
    assert Range(low=Decimal("3.500000"), high=Decimal("9.5")).label() == "3.5–9.5"
    assert Range(low=Decimal("1.04")).label() == "≥ 1.04"
    assert Range(high=Decimal("5.20")).label() == "≤ 5.2"
    assert Range(text="阴性").label() == "阴性"


def test_a_pushed_item_is_flagged_for_the_patient_it_is_about(alice_self, alice_mother):
    """alice (born 1990) and her mother (born 1962) have the same value read against an
    age-dependent range: 45–59 years 3.1–6.0, 60 and over 3.5–6.5 (mmol/L)."""
    ranges = [
        {"low": {"value": 3.1}, "high": {"value": 6.0}, "age": {"low": 18, "high": 59}},
        {"low": {"value": 3.5}, "high": {"value": 6.5}, "age": {"low": 60}},
    ]
    glucose = [item("葡萄糖", 6.2, "mmol/L", referenceRange=ranges)]
    mine = push(alice_self, identifier="A-1", result=glucose).version.observations.get()
    mother = push(alice_mother, identifier="M-1", result=glucose).version.observations.get()
    assert (mine.flag, mother.flag) == (Flag.HIGH, Flag.NORMAL)
    assert mine.his_flag == mother.his_flag == ""


def test_the_his_flag_wins_over_the_computed_one(alice_self):
    sent = [item("白细胞计数", 6.1, "10^9/L", 3.5, 9.5, interpretation="H")]
    obs = push(alice_self, result=sent).version.observations.get()
    assert (obs.his_flag, obs.flag, obs.computed_flag("female", 36)) == ("H", "H", "N")
