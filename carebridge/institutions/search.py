"""Doctor and department search by Chinese name, pinyin, initials (张 / zhang / zs) or specialty.

Pinyin and initials are computed once, when a row is saved, into indexed columns; a search is
then one ranked database query, never a scan in Python. Ranking: exact name, then name prefix,
initials prefix, pinyin prefix, name containing the text, specialty.
"""

import re
import unicodedata

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from .models import Department, Doctor

MAX_QUERY_LENGTH = 40
RESULT_LIMIT = 30

_SEPARATORS = re.compile(r"[\s'’·.-]+")
_PINYIN = re.compile(r"[a-z]+")


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
    qs = Department.objects.filter(institution=institution, is_active=True).select_related("campus")
    return ranked(qs, q, specialty=False)


def search_doctors(institution, q: str) -> QuerySet:
    qs = Doctor.objects.filter(institution=institution, is_active=True).prefetch_related(
        "departments"
    )
    return ranked(qs, q, specialty=True)
