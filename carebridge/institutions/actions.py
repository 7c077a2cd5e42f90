"""Writes on the institution catalogue that are more than a form save."""

from django.db import transaction
from django.utils import timezone

from carebridge.wechat.models import Follower

from .models import Department, Doctor, DoctorNotice, NoticeKind


@transaction.atomic
def create_doctor_notice(
    *,
    institution,
    kind: NoticeKind,
    starts_on,
    ends_on,
    text: str,
    text_en: str = "",
    doctor: Doctor | None = None,
    department: Department | None = None,
    is_published: bool = True,
) -> DoctorNotice:
    """A suspension or visiting-expert notice, validated like the back-office form (the doctor
    and department belong to the institution, the doctor works in the department, the period
    is not reversed). A published one is announced at once (booking.actions.announce_notice):
    a suspension suspends the sessions it covers and their booked patients are told."""
    notice = DoctorNotice(
        institution=institution,
        kind=kind,
        doctor=doctor,
        department=department,
        starts_on=starts_on,
        ends_on=ends_on,
        text=text,
        text_en=text_en,
        is_published=is_published,
    )
    notice.full_clean()
    notice.save()
    if is_published:
        from carebridge.booking.actions import announce_notice

        announce_notice(notice)
    return notice


@transaction.atomic
def set_notices_published(notices, published: bool) -> int:
    """Publish or withdraw notices (back-office bulk action); returns how many changed."""
    return notices.exclude(is_published=published).update(is_published=published)


def rebuild_search_keys(queryset) -> int:
    """Recompute pinyin and initials for doctors or departments written without ``save()``
    (bulk_create, queryset.update, raw SQL imports)."""
    count = 0
    for obj in queryset.iterator():
        obj.save(update_fields=["name"])
        count += 1
    return count


def choose_elder_mode(follower: Follower, on: bool) -> None:
    """The WeChat user's choice of the H5 pages' elder mode (长辈版), remembered for every page
    and visit. Choosing answers the first-visit offer too: it is not offered again."""
    follower.elder_mode = on
    fields = ["elder_mode"]
    if follower.elder_mode_offered_at is None:
        follower.elder_mode_offered_at = timezone.now()
        fields.append("elder_mode_offered_at")
    follower.save(update_fields=fields)


def offer_elder_mode(follower: Follower) -> bool:
    """Record that the elder mode is being offered to this user; True only for the one request
    that records it, so two pages opened at once do not both offer it."""
    offered = Follower.objects.filter(pk=follower.pk, elder_mode_offered_at=None).update(
        elder_mode_offered_at=timezone.now()
    )
    return offered == 1
