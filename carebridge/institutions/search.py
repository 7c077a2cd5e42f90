"""Doctor and department search by Chinese name, pinyin, initials (张 / zhang / zs) or specialty.

Pinyin and initials are computed once, when a row is saved, into indexed columns; a search is
then one ranked database query, never a scan in Python. Ranking: exact name, then name prefix,
initials prefix, pinyin prefix, name containing the text, specialty.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from pypinyin import Style, lazy_pinyin

MAX_QUERY_LENGTH = 40
RESULT_LIMIT = 30

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
_SEPARATORS = re.compile(r"[\s'’·.-]+")
_PINYIN = re.compile(r"[a-z]+")


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


def normalise_query(q: str) -> str:
    """Trim and collapse what a patient typed. Full-width letters become ASCII, pinyin with
    tone marks (zhāng) becomes plain (zhang) and ü becomes v; Chinese text is kept as typed."""
    # NFKC first: a Chinese keyboard in full-width mode types ｚｓ for zs.
    q = " ".join(unicodedata.normalize("NFKC", q or "").split())
    if not q:
        return ""
    if all(ord(ch) < 0x2E80 for ch in q):  # no CJK: treat as pinyin / Latin
        q = q.lower().replace("ü", "v")
        q = "".join(ch for ch in unicodedata.normalize("NFKD", q) if not unicodedata.combining(ch))
    return q


def pinyin_query(q: str) -> str:
    """The query as it would appear in a pinyin column: separators a patient may type between
    syllables (space, apostrophe, hyphen, dot) dropped; empty unless only letters remain."""
    compact = _SEPARATORS.sub("", q.lower())
    return compact if _PINYIN.fullmatch(compact) else ""


class Rank:
    EXACT = 0
    PREFIX = 1
    INITIALS = 2
    PINYIN = 3
    CONTAINS = 4
    SPECIALTY = 5


def ranked(queryset: QuerySet, q: str, *, specialty: bool) -> QuerySet:
    """``queryset`` filtered to rows matching ``q`` and ordered by how well they match."""
    q = normalise_query(q)
    if not q:
        return queryset.none()
    py = pinyin_query(q)
    whens = [
        When(Q(name=q) | Q(name_en__iexact=q), then=Value(Rank.EXACT)),
        When(name__startswith=q, then=Value(Rank.PREFIX)),
    ]
    if py:
        initials = Q(name_initials__startswith=py)
        # An English name of a Chinese doctor is pinyin too ("Zhang San").
        full = Q(name_pinyin__startswith=py) | Q(name_en__istartswith=q)
        if hasattr(queryset.model, "name_pinyin_alt"):
            initials |= Q(name_initials_alt__startswith=py)
            full |= Q(name_pinyin_alt__startswith=py)
        whens += [When(initials, then=Value(Rank.INITIALS)), When(full, then=Value(Rank.PINYIN))]
    whens.append(When(Q(name__contains=q) | Q(name_en__icontains=q), then=Value(Rank.CONTAINS)))
    if specialty:
        whens.append(
            When(
                Q(specialty__icontains=q) | Q(specialty_en__icontains=q),
                then=Value(Rank.SPECIALTY),
            )
        )
    rank = Case(*whens, default=Value(None), output_field=IntegerField())
    return (
        queryset.annotate(search_rank=rank)
        .filter(search_rank__isnull=False)
        .order_by("search_rank", "name_pinyin", "id")[:RESULT_LIMIT]
    )


def search_departments(institution, q: str) -> QuerySet:
    from .models import Department

    qs = Department.objects.filter(institution=institution, is_active=True).select_related("campus")
    return ranked(qs, q, specialty=False)


def search_doctors(institution, q: str) -> QuerySet:
    from .models import Doctor

    qs = Doctor.objects.filter(institution=institution, is_active=True).prefetch_related(
        "departments"
    )
    return ranked(qs, q, specialty=True)
