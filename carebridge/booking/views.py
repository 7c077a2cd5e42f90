"""H5 pages: department → doctor/date → slot → patient → confirm, and "my appointments".

Thin: every page scopes its lookups to the account's institution (and appointments to the
signed-in WeChat user), and every write goes through actions."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.institutions.models import Department
from carebridge.patients.queries import patients_of
from carebridge.wechat.h5 import wechat_user_required

from . import actions, qr, queries
from .errors import BookingError
from .models import AppointmentStatus, BookingPolicy, Channel, ClinicSession, Slot
from .ratelimit import booking_allowed


def _institution(request):
    return request.wechat_account.institution


def _session_or_404(request, session_id) -> ClinicSession:
    return get_object_or_404(
        ClinicSession.objects.select_related("department", "doctor", "institution"),
        pk=session_id,
        institution=_institution(request),
    )


@wechat_user_required
def departments(request, slug):
    institution = _institution(request)
    items = Department.objects.filter(institution=institution, is_active=True).select_related(
        "campus"
    )
    return render(
        request,
        "booking/departments.html",
        {"institution": institution, "departments": items, "slug": slug},
    )


@wechat_user_required
def department(request, slug, department_id):
    institution = _institution(request)
    dept = get_object_or_404(Department, pk=department_id, institution=institution, is_active=True)
    policy = BookingPolicy.for_institution(institution)
    now = timezone.now()
    today = timezone.localdate()
    sessions = queries.with_wechat_pool(
        ClinicSession.objects.filter(
            department=dept,
            date__gte=today,
            date__lte=today + timedelta(days=policy.release_days_ahead),
        ).select_related("doctor")
    )
    rows = [
        {
            "session": s,
            "remaining": queries.wechat_remaining(s),
            "released": s.is_released(policy, now),
            "released_at": s.released_at(policy),
        }
        for s in sessions
        if s.ends_at > now
    ]
    return render(
        request,
        "booking/department.html",
        {"institution": institution, "department": dept, "rows": rows, "slug": slug},
    )


@wechat_user_required
def session(request, slug, session_id):
    s = _session_or_404(request, session_id)
    policy = BookingPolicy.for_institution(s.institution)
    now = timezone.now()
    context = {
        "institution": s.institution,
        "session": s,
        "slug": slug,
        "released": s.is_released(policy, now),
        "released_at": s.released_at(policy),
        "suspended": s.is_suspended,
        "slots": s.slots.free(now),
        "remaining": queries.wechat_remaining(s),
    }
    return render(request, "booking/session.html", context)


@wechat_user_required
@require_http_methods(["GET", "POST"])
def confirm(request, slug, session_id, slot_id):
    s = _session_or_404(request, session_id)
    slot = get_object_or_404(Slot, pk=slot_id, session=s)
    patients = patients_of(request.follower)
    context = {
        "institution": s.institution,
        "session": s,
        "slot": slot,
        "slug": slug,
        "patients": patients,
        "error": None,
    }
    if request.method == "GET":
        return render(request, "booking/confirm.html", context)
    if not booking_allowed(request):
        context["error"] = _("操作过于频繁,请稍后再试")
        return render(request, "booking/confirm.html", context, status=429)
    patient_id = request.POST.get("patient", "")
    if not patient_id.isdigit():
        context["error"] = _("请选择就诊人")
        return render(request, "booking/confirm.html", context, status=400)
    context["selected"] = int(patient_id)
    try:
        appointment = actions.book_appointment(
            s.institution,
            s.pk,
            Channel.WECHAT,
            patient_id=int(patient_id),
            slot_id=slot.pk,
            booked_by=request.follower,
        )
    except BookingError as exc:
        context["error"] = exc.message
        return render(request, "booking/confirm.html", context, status=exc.status)
    messages.success(request, _("预约成功"))
    return redirect("booking:appointment", slug=slug, appointment_id=appointment.pk)


@wechat_user_required
def appointments(request, slug):
    items = queries.appointments_of(request.follower).filter(
        session__institution=_institution(request)
    )
    return render(
        request,
        "booking/appointments.html",
        {"institution": _institution(request), "appointments": items, "slug": slug},
    )


@wechat_user_required
def appointment(request, slug, appointment_id):
    a = queries.get_appointment_for(request.follower, appointment_id)
    if a.session.institution_id != _institution(request).id:
        raise Http404
    policy = BookingPolicy.for_institution(a.session.institution)
    now = timezone.now()
    context = {
        "institution": a.session.institution,
        "appointment": a,
        "slug": slug,
        "can_cancel": a.can_cancel(now, policy=policy),
        "cancel_deadline": a.session.cancel_deadline(policy),
        "qr_svg": qr.svg(a.checkin_payload) if a.status == AppointmentStatus.BOOKED else "",
    }
    if a.is_waiting:  # a cancelled or finished visit has no queue to wait in
        queue = queries.session_queue(a.session, now)
        position = queries.queue_position(a)
        context["queue"] = queue
        context["position"] = position
        context["estimated_wait"] = queue.estimated_wait(position - 1 if position else None)
    return render(request, "booking/appointment.html", context)


@wechat_user_required
@require_POST
def cancel(request, slug, appointment_id):
    a = queries.get_appointment_for(request.follower, appointment_id)
    if a.session.institution_id != _institution(request).id:
        raise Http404
    try:
        actions.cancel_appointment(a)
    except BookingError as exc:
        messages.error(request, exc.message)
        return redirect("booking:appointment", slug=slug, appointment_id=a.pk)
    messages.success(request, _("预约已取消"))
    return redirect("booking:appointment", slug=slug, appointment_id=a.pk)


@wechat_user_required
def queues(request, slug):
    institution = _institution(request)
    return render(
        request,
        "booking/queues.html",
        {"institution": institution, "queues": queries.todays_queues(institution), "slug": slug},
    )
