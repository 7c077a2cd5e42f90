"""The pinyin and initials a name is stored under (张三 → zhangsan, zs), for search.

Below the models: ``Department`` and ``Doctor`` compute their search keys with it when saved,
and ``search.py`` ranks queries against those columns.
"""

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's everyday reading, which pypinyin gives
# (单 dan → Shan, 曾 ceng → Zeng). Compound surnames first: they are matched before single ones.
SURNAME_READINGS = {
    "万俟": ["mo", "qi"],
    "尉迟": ["yu", "chi"],
    "长孙": ["zhang", "sun"],
    "单于": ["chan", "yu"],
    "单": ["shan"],
    "曾": ["zeng"],
    "区": ["ou"],
    "解": ["xie"],
    "仇": ["qiu"],
    "查": ["zha"],
    "朴": ["piao"],
    "盖": ["ge"],
    "覃": ["qin"],
    "缪": ["miao"],
    "翟": ["zhai"],
    "员": ["yun"],
    "种": ["chong"],
    "召": ["shao"],
    "繁": ["po"],
    "秘": ["bi"],
    "句": ["gou"],
    "阚": ["kan"],
    "乐": ["yue"],
    "柏": ["bai"],
}

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class PinyinKeys:
    """What a name is stored under: the proper reading, and the everyday reading of a
    polyphonic surname when a patient would type that instead (单 → shan, also dan)."""

    pinyin: str
    initials: str
    pinyin_alt: str = ""
    initials_alt: str = ""


def _syllables(text: str) -> list[str]:
    # v for ü (lü → lv), as on every Chinese phone keyboard.
    return [_clean(s) for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=False) if _clean(s)]


def _clean(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def _keys(syllables: list[str]) -> tuple[str, str]:
    return "".join(syllables), "".join(s[0] for s in syllables)


def pinyin_keys(name: str, *, person: bool = False) -> PinyinKeys:
    """Pinyin and initials for a department name, or a person's name (``person=True``) whose
    surname is read from SURNAME_READINGS."""
    name = (name or "").strip()
    everyday = _syllables(name)
    if not person:
        return PinyinKeys(*_keys(everyday))
    for surname, reading in SURNAME_READINGS.items():
        if name.startswith(surname):
            proper = reading + _syllables(name[len(surname) :])
            if proper != everyday:
                return PinyinKeys(*_keys(proper), *_keys(everyday))
            break
    return PinyinKeys(*_keys(everyday))
