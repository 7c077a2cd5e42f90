"""The scoring of 《中医体质分类与判定》 (ZYYXH/T157-2009), pinned to worked examples computed by
hand from the standard: transformed score = (raw − n) / (4n) × 100, the balanced type's
negatively worded items reversed, shared items counted for both types, and the verdicts."""

from decimal import Decimal

import pytest

from carebridge.engagement import constitution as standard
from carebridge.engagement.constitution import Verdict, assess, items_for, type_items, verdicts

D = Decimal


def answers_all(value: int, sex: str = "female") -> dict[str, int]:
    return {item.key: value for item in items_for(sex)}


def test_the_questionnaire_has_the_standards_items():
    # 60 questions for each sex; 66 item slots: 8 8 7 8 8 6 7 7 7.
    assert len(items_for("female")) == len(items_for("male")) == 60
    counts = {key: len(type_items(key, "female")) for key in standard.TYPES}
    assert counts == {"pinghe": 8, "qixu": 8, "yangxu": 7, "yinxu": 8, "tanshi": 8,
                      "shire": 6, "xueyu": 7, "qiyu": 7, "tebing": 7}  # fmt: skip
    assert sum(counts.values()) == 66
    reversed_items = [i.key for i in standard.ITEMS if i.reversed_for]
    assert reversed_items == ["a2", "a3", "a4", "a5", "a7", "a8"]  # 精力充沛, 适应 are not
    shared = {i.key: i.types for i in standard.ITEMS if len(i.types) > 1}
    assert shared == {
        "a2": ("pinghe", "qixu"),  # 容易疲乏
        "a3": ("pinghe", "qixu"),  # 说话声音低弱无力
        "a4": ("pinghe", "qiyu"),  # 闷闷不乐
        "a5": ("pinghe", "yangxu"),  # 耐受不了寒冷
        "a8": ("pinghe", "xueyu"),  # 忘事
        "b5": ("qixu", "yangxu"),  # 容易患感冒
    }


def test_the_damp_heat_item_differs_by_sex():
    female = [i.key for i in type_items("shire", "female")]
    male = [i.key for i in type_items("shire", "male")]
    assert female[-1] == "f6" and "带下" in str(standard.ITEM_BY_KEY["f6"].text)
    assert male[-1] == "f7" and "阴囊" in str(standard.ITEM_BY_KEY["f7"].text)
    assert female[:5] == male[:5]


def test_all_never_is_the_balanced_type():
    # 平和: 精力充沛 1 + 适应 1 + six reversed items 6−1 = 5 each → raw 32, n 8:
    # (32 − 8) / 32 × 100 = 75.0. Every other type: raw = n → 0.
    result = assess(answers_all(1), "female")
    assert result.raw["pinghe"] == (32, 8)
    assert result.scores["pinghe"] == D("75.0")
    assert all(result.scores[k] == 0 for k in standard.TYPES if k != "pinghe")
    assert result.verdicts["pinghe"] == Verdict.YES
    assert result.identified == ["pinghe"]


def test_all_sometimes_is_every_unbalanced_type():
    # 平和: 2×3 + 6×(6−3) = 24 → (24 − 8) / 32 = 50.0 (< 60: 否); each other (3n − n) / 4n = 50.0.
    result = assess(answers_all(3, "male"), "male")
    assert result.scores["pinghe"] == D("50.0")
    assert result.verdicts["pinghe"] == Verdict.NO
    assert {result.scores[k] for k in standard.TYPES if k != "pinghe"} == {D("50.0")}
    assert all(result.verdicts[k] == Verdict.YES for k in standard.TYPES if k != "pinghe")


def worked_example(sex: str) -> dict[str, int]:
    """A mostly balanced person with some cold and fatigue."""
    answers = answers_all(1, sex)
    answers.update(a1=4, a6=4, a2=2, a3=1, a4=2, a5=3, a7=2, a8=1)  # 平和's items
    answers.update(b2=2, b3=2, b4=3, b5=3, b6=2, b8=2)  # 气虚
    answers.update(c1=3, c2=2, c3=2, c6=3, c7=1)  # 阳虚
    answers.update(f1=2, f2=1, f3=2, f4=1, f5=1)  # 湿热
    if sex == "male":
        answers["f7"] = 2
    else:
        answers["f6"] = 5
    return answers


def test_a_worked_example_by_hand_basically_balanced_leaning_yang_deficient():
    result = assess(worked_example("male"), "male")
    # 平和: 4 + 4 + (6−2) + (6−1) + (6−2) + (6−3) + (6−2) + (6−1) = 33 → 25/32 = 78.125 → 78.1
    assert result.raw["pinghe"] == (33, 8) and result.scores["pinghe"] == D("78.1")
    # 气虚: 疲乏 2 + 声音 1 + 2 + 2 + 3 + 感冒 3 + 2 + 2 = 17 → 9/32 = 28.125 → 28.1
    assert result.raw["qixu"] == (17, 8) and result.scores["qixu"] == D("28.1")
    # 阳虚: 3 + 2 + 2 + 寒冷 3 + 感冒 3 + 3 + 1 = 17 → 10/28 = 35.714… → 35.7
    assert result.raw["yangxu"] == (17, 7) and result.scores["yangxu"] == D("35.7")
    # 湿热 (male: 阴囊潮湿): 2 + 1 + 2 + 1 + 1 + 2 = 9 → 3/24 = 12.5
    assert result.raw["shire"] == (9, 6) and result.scores["shire"] == D("12.5")
    # 气郁: 闷闷不乐 2 + six 1s = 8 → 1/28 = 3.571… → 3.6; 血瘀: 忘事 1 + six 1s → 0
    assert result.scores["qiyu"] == D("3.6") and result.scores["xueyu"] == D("0.0")
    assert result.verdicts["pinghe"] == Verdict.BASICALLY  # ≥ 60, others < 40, not all < 30
    assert result.verdicts["yangxu"] == Verdict.TENDENCY  # 30–39
    assert result.verdicts["qixu"] == Verdict.NO
    assert result.identified == ["pinghe", "yangxu"]


def test_the_same_answers_for_a_woman_count_her_item():
    # 湿热 (female: 带下色黄 5): 2 + 1 + 2 + 1 + 1 + 5 = 12 → 6/24 = 25.0; 阴囊 is not asked.
    result = assess(worked_example("female"), "female")
    assert result.raw["shire"] == (12, 6) and result.scores["shire"] == D("25.0")


@pytest.mark.parametrize(
    "balanced, others, expected",
    [
        ("60.0", ["29.9"] * 8, Verdict.YES),
        ("60.0", ["30.0"] + ["0"] * 7, Verdict.BASICALLY),
        ("60.0", ["39.9"] + ["0"] * 7, Verdict.BASICALLY),
        ("60.0", ["40.0"] + ["0"] * 7, Verdict.NO),
        ("59.9", ["0"] * 8, Verdict.NO),
    ],
)
def test_the_balanced_types_verdict_at_its_edges(balanced, others, expected):
    keys = [k for k in standard.TYPES if k != "pinghe"]
    scores = {"pinghe": D(balanced), **{k: D(v) for k, v in zip(keys, others, strict=True)}}
    assert verdicts(scores)["pinghe"] == expected


@pytest.mark.parametrize(
    "score, expected",
    [("40.0", Verdict.YES), ("39.9", Verdict.TENDENCY), ("30.0", Verdict.TENDENCY),
     ("29.9", Verdict.NO)],
)  # fmt: skip
def test_an_unbalanced_types_verdict_at_its_edges(score, expected):
    scores = {k: D("0") for k in standard.TYPES}
    scores["qiyu"] = D(score)
    assert verdicts(scores)["qiyu"] == expected
