"""中医体质分类与判定 (China Association of Chinese Medicine, ZYYXH/T157-2009): the nine
constitutions' questionnaire and its scoring, as the standard's appendix sets them out.

Each item is answered 1 (没有) to 5 (总是). A type's raw score is the sum of its items; its
transformed score is (raw − n) / (4n) × 100, n being the type's item count. The balanced type's
negatively worded items count reversed (6 − answer). Six items belong to two types (疲乏 to
平和 and 气虚…), so a person answers 60 questions for 66 item slots; one 湿热质 item depends on
sex (带下色黄 for women, 阴囊潮湿 for men), so 湿热质 has 6 items for everyone.

Verdicts: 平和质 是 when its score ≥ 60 and every other type < 30, 基本是 when ≥ 60 and every
other < 40, else 否; each other type 是 at ≥ 40, 倾向是 at 30–39, 否 below 30.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

BALANCED = "pinghe"
# The nine types in the standard's order: key, name, and the content app's tag for advice.
TYPES = {
    "pinghe": _("平和质"),
    "qixu": _("气虚质"),
    "yangxu": _("阳虚质"),
    "yinxu": _("阴虚质"),
    "tanshi": _("痰湿质"),
    "shire": _("湿热质"),
    "xueyu": _("血瘀质"),
    "qiyu": _("气郁质"),
    "tebing": _("特禀质"),
}
SCALE = (
    (1, pgettext_lazy("frequency", "没有")),
    (2, pgettext_lazy("frequency", "很少")),
    (3, pgettext_lazy("frequency", "有时")),
    (4, pgettext_lazy("frequency", "经常")),
    (5, pgettext_lazy("frequency", "总是")),
)


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    types: tuple[str, ...]  # the types it counts for
    reversed_for: tuple[str, ...] = ()  # the types it counts for reversed (6 − answer)
    sex: str = ""  # "female" / "male": asked of that sex only


# Each question once, in the standard's order of types; a shared item sits at its first type.
ITEMS = (
    Item("a1", _("您精力充沛吗？"), ("pinghe",)),
    Item("a2", _("您容易疲乏吗？"), ("pinghe", "qixu"), ("pinghe",)),
    Item("a3", _("您说话声音低弱无力吗？"), ("pinghe", "qixu"), ("pinghe",)),
    Item("a4", _("您感到闷闷不乐、情绪低沉吗？"), ("pinghe", "qiyu"), ("pinghe",)),
    Item(
        "a5",
        _("您比一般人耐受不了寒冷（冬天的寒冷，夏天的冷空调、电扇等）吗？"),
        ("pinghe", "yangxu"),
        ("pinghe",),
    ),
    Item("a6", _("您能适应外界自然和社会环境的变化吗？"), ("pinghe",)),
    Item("a7", _("您容易失眠吗？"), ("pinghe",), ("pinghe",)),
    Item("a8", _("您容易忘事（健忘）吗？"), ("pinghe", "xueyu"), ("pinghe",)),
    Item("b2", _("您容易气短（呼吸短促，接不上气）吗？"), ("qixu",)),
    Item("b3", _("您容易心慌吗？"), ("qixu",)),
    Item("b4", _("您容易头晕或站起时晕眩吗？"), ("qixu",)),
    Item("b5", _("您比别人容易患感冒吗？"), ("qixu", "yangxu")),
    Item("b6", _("您喜欢安静、懒得说话吗？"), ("qixu",)),
    Item("b8", _("您活动量稍大就容易出虚汗吗？"), ("qixu",)),
    Item("c1", _("您手脚发凉吗？"), ("yangxu",)),
    Item("c2", _("您胃脘部、背部或腰膝部怕冷吗？"), ("yangxu",)),
    Item("c3", _("您感到怕冷、衣服比别人穿得多吗？"), ("yangxu",)),
    Item("c6", _("您吃（喝）凉的东西会感到不舒服或者怕吃（喝）凉东西吗？"), ("yangxu",)),
    Item("c7", _("您受凉或吃（喝）凉的东西后，容易腹泻（拉肚子）吗？"), ("yangxu",)),
    Item("d1", _("您感到手脚心发热吗？"), ("yinxu",)),
    Item("d2", _("您感觉身体、脸上发热吗？"), ("yinxu",)),
    Item("d3", _("您皮肤或口唇干吗？"), ("yinxu",)),
    Item("d4", _("您口唇的颜色比一般人红吗？"), ("yinxu",)),
    Item("d5", _("您容易便秘或大便干燥吗？"), ("yinxu",)),
    Item("d6", _("您面部两颧潮红或偏红吗？"), ("yinxu",)),
    Item("d7", _("您感到眼睛干涩吗？"), ("yinxu",)),
    Item("d8", _("您感到口干咽燥、总想喝水吗？"), ("yinxu",)),
    Item("e1", _("您感到胸闷或腹部胀满吗？"), ("tanshi",)),
    Item("e2", _("您感到身体沉重不轻松或不爽快吗？"), ("tanshi",)),
    Item("e3", _("您腹部肥满松软吗？"), ("tanshi",)),
    Item("e4", _("您有额部油脂分泌多的现象吗？"), ("tanshi",)),
    Item("e5", _("您上眼睑比别人肿（上眼睑有轻微隆起的现象）吗？"), ("tanshi",)),
    Item("e6", _("您嘴里有黏黏的感觉吗？"), ("tanshi",)),
    Item("e7", _("您平时痰多，特别是咽喉部总感到有痰堵着吗？"), ("tanshi",)),
    Item("e8", _("您舌苔厚腻或有舌苔厚厚的感觉吗？"), ("tanshi",)),
    Item("f1", _("您面部或鼻部有油腻感或者油亮发光吗？"), ("shire",)),
    Item("f2", _("您易生痤疮或疮疖吗？"), ("shire",)),
    Item("f3", _("您感到口苦或嘴里有异味吗？"), ("shire",)),
    Item("f4", _("您大便黏滞不爽、有解不尽的感觉吗？"), ("shire",)),
    Item("f5", _("您小便时尿道有发热感、尿色浓（深）吗？"), ("shire",)),
    Item("f6", _("您带下色黄（白带颜色发黄）吗？（限女性回答）"), ("shire",), sex="female"),
    Item("f7", _("您的阴囊部位潮湿吗？（限男性回答）"), ("shire",), sex="male"),
    Item("g1", _("您的皮肤在不知不觉中会出现青紫瘀斑（皮下出血）吗？"), ("xueyu",)),
    Item("g2", _("您两颧部有细微红丝吗？"), ("xueyu",)),
    Item("g3", _("您身体上有哪里疼痛吗？"), ("xueyu",)),
    Item("g4", _("您面色晦黯或容易出现褐斑吗？"), ("xueyu",)),
    Item("g5", _("您容易有黑眼圈吗？"), ("xueyu",)),
    Item("g7", _("您口唇颜色偏黯吗？"), ("xueyu",)),
    Item("h2", _("您容易精神紧张、焦虑不安吗？"), ("qiyu",)),
    Item("h3", _("您多愁善感、感情脆弱吗？"), ("qiyu",)),
    Item("h4", _("您容易感到害怕或受到惊吓吗？"), ("qiyu",)),
    Item("h5", _("您胁肋部或乳房胀痛吗？"), ("qiyu",)),
    Item("h6", _("您无缘无故叹气吗？"), ("qiyu",)),
    Item("h7", _("您咽喉部有异物感，且吐之不出、咽之不下吗？"), ("qiyu",)),
    Item("i1", _("您没有感冒时也会打喷嚏吗？"), ("tebing",)),
    Item("i2", _("您没有感冒时也会鼻塞、流鼻涕吗？"), ("tebing",)),
    Item("i3", _("您有因季节变化、温度变化或异味等原因而咳喘的现象吗？"), ("tebing",)),
    Item(
        "i4",
        _("您容易过敏（对药物、食物、气味、花粉或在季节交替、气候变化时）吗？"),
        ("tebing",),
    ),
    Item("i5", _("您的皮肤容易起荨麻疹（风团、风疹块、风疙瘩）吗？"), ("tebing",)),
    Item("i6", _("您的皮肤因过敏出现过紫癜（紫红色瘀点、瘀斑）吗？"), ("tebing",)),
    Item("i7", _("您的皮肤一抓就红，并出现抓痕吗？"), ("tebing",)),
)
ITEM_BY_KEY = {item.key: item for item in ITEMS}


class Verdict:
    YES = "yes"  # 是
    BASICALLY = "basically"  # 基本是 (balanced type only)
    TENDENCY = "tendency"  # 倾向是 (the other types)
    NO = "no"  # 否


VERDICT_LABELS = {
    Verdict.YES: _("是"),
    Verdict.BASICALLY: _("基本是"),
    Verdict.TENDENCY: _("倾向是"),
    Verdict.NO: _("否"),
}


def items_for(sex: str) -> list[Item]:
    """The questions a person of ``sex`` answers (60: one 湿热质 item is the other sex's)."""
    return [item for item in ITEMS if not item.sex or item.sex == sex]


def type_items(type_key: str, sex: str) -> list[Item]:
    return [item for item in items_for(sex) if type_key in item.types]


def transformed(raw: int, n: int) -> Decimal:
    """(raw − n) / (4n) × 100, to one decimal (half up), as the standard's examples print it."""
    value = Decimal(raw - n) * 100 / Decimal(4 * n)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def raw_scores(answers: dict[str, int], sex: str) -> dict[str, tuple[int, int]]:
    """Per type: (raw score, item count). ``answers`` holds every item of ``items_for(sex)``."""
    scores = {}
    for type_key in TYPES:
        items = type_items(type_key, sex)
        raw = sum(
            6 - answers[item.key] if type_key in item.reversed_for else answers[item.key]
            for item in items
        )
        scores[type_key] = (raw, len(items))
    return scores


def verdicts(scores: dict[str, Decimal]) -> dict[str, str]:
    """The standard's verdict for each type from the transformed scores."""
    others = [score for key, score in scores.items() if key != BALANCED]
    balanced = scores[BALANCED]
    if balanced >= 60 and all(s < 30 for s in others):
        result = {BALANCED: Verdict.YES}
    elif balanced >= 60 and all(s < 40 for s in others):
        result = {BALANCED: Verdict.BASICALLY}
    else:
        result = {BALANCED: Verdict.NO}
    for key, score in scores.items():
        if key == BALANCED:
            continue
        if score >= 40:
            result[key] = Verdict.YES
        elif score >= 30:
            result[key] = Verdict.TENDENCY
        else:
            result[key] = Verdict.NO
    return result


@dataclass(frozen=True)
class Assessment:
    raw: dict[str, tuple[int, int]]
    scores: dict[str, Decimal]
    verdicts: dict[str, str]

    @property
    def identified(self) -> list[str]:
        """The types the person is (是 / 基本是) or leans to (倾向是), strongest first; 平和质 only
        when it is 是 or 基本是 (then with any leanings the 基本是 allowed)."""
        found = [k for k, v in self.verdicts.items() if v != Verdict.NO]
        return sorted(found, key=lambda k: (k != BALANCED, -self.scores[k]))


def assess(answers: dict[str, int], sex: str) -> Assessment:
    """Score a complete questionnaire. ``answers`` maps each item key of ``items_for(sex)`` to
    1–5 (the form checks that before calling)."""
    raw = raw_scores(answers, sex)
    scores = {key: transformed(r, n) for key, (r, n) in raw.items()}
    return Assessment(raw, scores, verdicts(scores))
