"""关于医院 (About) H5 pages: home, introduction, departments, doctors, navigation, search.

Public pages (no OAuth); every lookup is limited to the account's institution, so another
institution's ids answer 404.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from carebridge.booking.queries import upcoming_sessions
from carebridge.content.models import ArticleKind
from carebridge.wechat.h5 import wechat_user_required

from .actions import choose_elder_mode
from .forms import ElderModeForm, SearchForm
from .models import Department, Doctor, DoctorNotice
from .pages import institution_page, page_context
from .search import search_departments, search_doctors
from .upcoming import upcoming_for


def _active_departments():
    return Department.objects.filter(is_active=True).order_by("position", "id")


@institution_page
def home(request, slug):
    context = page_context(request, form=SearchForm(), categories=ArticleKind.tabs())
    return render(request, "institutions/home.html", context)


@institution_page
def about(request, slug):
    campuses = request.institution.campuses.all()
    return render(request, "institutions/about.html", page_context(request, campuses=campuses))


@institution_page
def department_list(request, slug):
    campuses = request.institution.campuses.prefetch_related(
        Prefetch("departments", queryset=_active_departments(), to_attr="active_departments")
    )
    context = page_context(request, campuses=campuses, form=SearchForm())
    return render(request, "institutions/department_list.html", context)


@institution_page
def department_detail(request, slug, department_id):
    department = get_object_or_404(
        Department.objects.select_related("campus"),
        pk=department_id,
        institution=request.institution,
        is_active=True,
    )
    doctors = department.doctors.filter(is_active=True)
    notices = DoctorNotice.objects.current().for_department(department).select_related("doctor")
    context = page_context(request, department=department, doctors=doctors, notices=notices)
    return render(request, "institutions/department_detail.html", context)


@institution_page
def doctor_detail(request, slug, doctor_id):
    doctor = get_object_or_404(
        Doctor.objects.prefetch_related(
            Prefetch("departments", queryset=_active_departments().select_related("campus"))
        ),
        pk=doctor_id,
        institution=request.institution,
        is_active=True,
    )
    context = page_context(
        request,
        doctor=doctor,
        notices=DoctorNotice.objects.current().for_doctor(doctor),
        sessions=upcoming_sessions(doctor, days=7, account_slug=slug),
    )
    return render(request, "institutions/doctor_detail.html", context)


@institution_page
def navigation(request, slug):
    campuses = request.institution.campuses.select_related("institution")
    return render(request, "institutions/navigation.html", page_context(request, campuses=campuses))


@institution_page
def search(request, slug):
    form = SearchForm(request.GET or None)
    context = page_context(request, form=form, searched=False)
    if form.is_bound and not form.is_valid():
        return render(request, "institutions/search.html", context, status=400)
    if form.is_bound and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        context.update(
            searched=True,
            departments=list(search_departments(request.institution, q)),
            doctors=list(search_doctors(request.institution, q)),
        )
    return render(request, "institutions/search.html", context)


@institution_page
def upcoming(request, slug, feature):
    """A menu item whose app comes later (upcoming.py): what will be there, never a 404."""
    item = upcoming_for(feature, request.GET)
    links = [(label, reverse(name, kwargs={"slug": slug})) for label, name in item.links]
    context = page_context(request, feature=item, links=links)
    return render(request, "institutions/upcoming.html", context)


def _back_to(request, slug, url: str) -> str:
    """Where the elder-mode switch returns: a page of the same account, else its home page."""
    same_account = url.startswith(f"/h5/{slug}/")
    safe = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    return url if same_account and safe else reverse("institutions:home", kwargs={"slug": slug})


@wechat_user_required
@institution_page
@require_http_methods(["GET", "POST"])
def elder_mode(request, slug):
    """长辈版: what it changes, and the switch, remembered for the WeChat user (the home page,
    个人中心 and the first-visit offer post here)."""
    if request.method == "POST":
        form = ElderModeForm(request.POST)
        if form.is_valid():
            on = form.cleaned_data["mode"] == "elder"
            choose_elder_mode(request.follower, on)
            if on:
                messages.success(request, _("已切换到长辈版：字更大，按钮更大，步骤更少。"))
            else:
                messages.success(request, _("已切换到标准版。"))
            return redirect(_back_to(request, slug, form.cleaned_data["next"]))
        status = 400
    else:
        form = ElderModeForm(initial={"next": request.GET.get("next", "")})
        status = 200
    back = _back_to(request, slug, form["next"].value() or "")
    context = page_context(request, form=form, back=back, elder=request.follower.elder_mode)
    return render(request, "institutions/elder.html", context, status=status)
