"""H5 pages of 就诊人管理 (我的信息 → 就诊人). Each page shows only the signed-in WeChat user's
own patients: any other id is a 404, whoever it belongs to."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carebridge.wechat.h5 import wechat_user_required

from . import actions, phone
from .forms import PatientEditForm, PatientForm, phone_for_code
from .queries import get_patient_for, patients_of, policy_for


def _context(request, **extra):
    account = request.wechat_account
    return {"account": account, "institution": account.institution, **extra}


def _show_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)


def _send_code(request) -> None:
    """The "获取验证码" button: a code to the phone the form holds, or why not."""
    try:
        phone.send_phone_code(request.follower, phone_for_code(request.POST))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("验证码已发送，%(minutes)s分钟内有效") % {"minutes": phone.code_ttl() // 60}
        )


def _typed(post) -> dict:
    """What the user typed, to fill the form again after sending a code (never the code)."""
    return {key: value for key, value in post.dict().items() if key != "code"}


@wechat_user_required
def patient_list(request, slug):
    policy = policy_for(request.follower)
    patients = list(patients_of(request.follower))
    return render(
        request,
        "patients/list.html",
        _context(
            request,
            patients=patients,
            policy=policy,
            can_add=len(patients) < policy.max_patients,
        ),
    )


@wechat_user_required
def patient_add(request, slug):
    policy = policy_for(request.follower)
    if request.method == "POST" and "send_code" in request.POST:
        _send_code(request)
        form = PatientForm(initial=_typed(request.POST), policy=policy)
    elif request.method == "POST":
        form = PatientForm(request.POST, policy=policy)
        if form.is_valid():
            try:
                actions.add_patient(
                    request.follower, form.details, code=form.cleaned_data.get("code", "")
                )
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("已添加就诊人"))
                return redirect("patients:list", slug=slug)
    else:
        form = PatientForm(policy=policy)
    notice = policy.localized_notice(get_language() or "")
    return render(
        request, "patients/add.html", _context(request, form=form, policy=policy, notice=notice)
    )


@wechat_user_required
def patient_edit(request, slug, pk):
    patient = get_patient_for(request.follower, pk)
    policy = policy_for(request.follower)
    if request.method == "POST" and "send_code" in request.POST:
        _send_code(request)
        form = PatientEditForm(initial=_typed(request.POST), policy=policy)
    elif request.method == "POST":
        form = PatientEditForm(request.POST, policy=policy)
        if form.is_valid():
            try:
                actions.update_patient(
                    patient,
                    relation=form.cleaned_data["relation"],
                    new_phone=form.cleaned_data["new_phone"],
                    new_card_number=form.cleaned_data["new_card_number"],
                    code=form.cleaned_data.get("code", ""),
                )
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("patients:list", slug=slug)
    else:
        form = PatientEditForm(initial={"relation": patient.relation}, policy=policy)
    return render(request, "patients/edit.html", _context(request, form=form, patient=patient))


@require_POST
@wechat_user_required
def patient_set_default(request, slug, pk):
    patient = get_patient_for(request.follower, pk)
    actions.set_default_patient(patient)
    messages.success(request, _("已设为默认就诊人"))
    return redirect("patients:list", slug=slug)


@wechat_user_required
def patient_delete(request, slug, pk):
    patient = get_patient_for(request.follower, pk)
    if request.method == "POST":
        archived = actions.remove_patient(patient)
        messages.success(
            request, _("已移除就诊人（就诊记录保留）") if archived else _("已删除就诊人")
        )
        return redirect("patients:list", slug=slug)
    return render(request, "patients/delete.html", _context(request, patient=patient))
