"""Turning an occasion into a draft article assigned to a department."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.institutions.models import Department

from ..drafting import create_draft_article
from ..models import PushPlan
from ..occasions import find_occasion


class PlanRefused(ValidationError):
    """A plan that cannot be made; ``message_dict`` names the field at fault."""


@transaction.atomic
def plan_push(
    institution,
    *,
    occasion_key: str,
    year: int,
    topic: str,
    department: Department,
    due_date: date,
    user=None,
) -> PushPlan:
    """Plan ``topic`` for the occasion ``occasion_key`` of ``year``: a draft article for
    ``department`` to write by ``due_date``, linked to the plan. Refuses (PlanRefused, nothing
    written) an unknown occasion, a department of another institution, a due date after the
    occasion, and a second plan for the same occasion."""
    occasion = find_occasion(institution, occasion_key, year)
    if occasion is None or not occasion.pushable:
        raise PlanRefused({"occasion": _("日历上没有这个节日")})
    if occasion.start < timezone.localdate():
        raise PlanRefused({"occasion": _("这个节日已经开始，不能再安排选题")})
    topic = (topic or "").strip()
    if not topic:
        raise PlanRefused({"topic": _("请填写选题")})
    if department is None or department.institution_id != institution.pk:
        raise PlanRefused({"department": _("请选择本院的科室")})
    if due_date > occasion.start:
        raise PlanRefused({"due_date": _("截稿日期不能晚于节日当天（%s）") % occasion.start})
    if PushPlan.objects.filter(
        institution=institution, occasion_key=occasion.key, occasion_date=occasion.start
    ).exists():
        raise PlanRefused({"occasion": _("这个节日已经安排了选题")})
    article = create_draft_article(institution, occasion, topic, department, due_date, user)
    try:
        with transaction.atomic():
            return PushPlan.objects.create(
                institution=institution,
                occasion_key=occasion.key,
                occasion_name=str(occasion.name)[:100],
                occasion_date=occasion.start,
                topic=topic[:120],
                department=department,
                due_date=due_date,
                article=article,
                created_by=user,
            )
    except IntegrityError as exc:  # another editor planned it a moment ago
        raise PlanRefused({"occasion": _("这个节日已经安排了选题")}) from exc
