"""The patient's consultation pages: ask (咨询), my consultations, one consultation's thread
(patient-visible messages only) and its "still need a person" button. Another user's, another
account's or another institution's consultation is a 404."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from carebridge.institutions.pages import institution_page
from carebridge.patients.queries import patients_of
from carebridge.wechat.h5 import wechat_user_required

from .. import consult_photos
from ..actions.consultations import receive_question, request_person
from ..consult_forms import AskForm
from ..models import Consultation, ConsultChannel, MessageKind


def _context(request, slug, **extra):
    account = request.wechat_account
    return {"account": account, "institution": account.institution, "slug": slug, **extra}


def _own(request, consultation_id) -> Consultation:
    found = (
        Consultation.objects.for_follower(request.follower)
        .select_related("department", "patient", "faq")
        .prefetch_related("photos")
        .filter(pk=consultation_id)
        .first()
    )
    if found is None:
        raise Http404("no such consultation for this user")
    return found


@institution_page
@wechat_user_required
def ask(request, slug):
    patients = list(patients_of(request.follower))
    posted = request.method == "POST"
    form = AskForm(request.POST if posted else None, patients, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            received = receive_question(
                request.wechat_account,
                request.follower,
                form.cleaned_data["question"],
                ConsultChannel.H5,
                patient=form.chosen_patient(),
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect(
                "engagement:consultation", slug=slug, consultation_id=received.consultation.pk
            )
    status = 400 if form.is_bound else 200
    return render(
        request,
        "engagement/consultations/ask.html",
        _context(request, slug, form=form),
        status=status,
    )


@institution_page
@wechat_user_required
def consultation_list(request, slug):
    rows = (
        Consultation.objects.for_follower(request.follower)
        .select_related("department")
        .order_by("-created_at")[:50]
    )
    return render(request, "engagement/consultations/list.html", _context(request, slug, rows=rows))


@institution_page
@wechat_user_required
def consultation_detail(request, slug, consultation_id):
    consultation = _own(request, consultation_id)
    thread = consultation.messages.filter(
        kind__in=[MessageKind.QUESTION, MessageKind.AUTO, MessageKind.REPLY]
    )
    return render(
        request,
        "engagement/consultations/detail.html",
        _context(request, slug, c=consultation, thread=thread),
    )


@institution_page
@wechat_user_required
def photo(request, slug, consultation_id, photo_id):
    """A photo of the user's own consultation: private, never cached by a proxy."""
    found = _own(request, consultation_id).photos.filter(pk=photo_id).first()
    if found is None:
        raise Http404("no such photo")
    response = HttpResponse(consult_photos.jpeg_bytes(found), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@institution_page
@wechat_user_required
def need_person(request, slug, consultation_id):
    request_person(_own(request, consultation_id))
    return redirect("engagement:consultation", slug=slug, consultation_id=consultation_id)
