"""中医体质辨识: the nine-constitution questionnaire for one of the account's patients, and its
results with advice from the hospital's health-education articles."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carebridge.content.models import Article
from carebridge.institutions.pages import institution_page, page_context
from carebridge.patients.queries import get_patient_for, patients_of
from carebridge.wechat.h5 import wechat_user_required

from .. import constitution as standard
from ..actions.constitution import ConstitutionError, record_constitution
from ..models import ConstitutionResult

ADVICE_PER_TYPE = 3


def _answer(data, key) -> int | None:
    value = data.get(key, "")
    return int(value) if value in {"1", "2", "3", "4", "5"} else None


@institution_page
@wechat_user_required
@require_http_methods(["GET", "POST"])
def questionnaire(request, slug):
    patients = list(patients_of(request.follower))
    chosen = request.POST.get("patient") or request.GET.get("patient") or ""
    patient = None
    if chosen:
        patient = get_patient_for(request.follower, chosen)  # another's: 404
    elif patients:
        patient = patients[0]
    context = page_context(request, slug=slug, patients=patients, patient=patient, errors={})
    status = 200
    if request.method == "POST":
        if patient is None:
            raise Http404("no patient")
        try:
            result = record_constitution(patient, request.POST)
        except ConstitutionError as exc:
            context.update(error=str(exc), errors=exc.errors)
            status = 400
        else:
            return redirect("engagement:constitution_result", slug=slug, result_id=result.pk)
    errors = context["errors"]
    context["items"] = [
        (item, _answer(request.POST, item.key), item.key in errors)
        for item in (standard.items_for(patient.sex) if patient else [])
    ]
    context["scale"] = standard.SCALE
    context["history"] = ConstitutionResult.objects.of_account(request.follower).select_related(
        "patient"
    )[:10]
    return render(request, "engagement/constitution/form.html", context, status=status)


def advice_for(institution, type_keys) -> list[tuple[str, list]]:
    """Per type found, the institution's published articles tagged with the type's name."""
    advice = []
    for key in type_keys:
        name = str(standard.TYPES[key])
        articles = (
            Article.objects.published()
            .filter(institution=institution, tags__contains=name)
            .only("pk", "title", "title_en", "summary", "summary_en")[:ADVICE_PER_TYPE]
        )
        advice.append((standard.TYPES[key], list(articles)))
    return advice


@institution_page
@wechat_user_required
def result(request, slug, result_id):
    found = (
        ConstitutionResult.objects.of_account(request.follower)
        .select_related("patient")
        .filter(pk=result_id)
        .first()
    )
    if found is None:
        raise Http404("no such result for this user")
    identified = found.identified()
    context = page_context(
        request,
        slug=slug,
        result=found,
        identified=[standard.TYPES[k] for k in identified],
        advice=advice_for(request.institution, identified),
    )
    return render(request, "engagement/constitution/result.html", context)
