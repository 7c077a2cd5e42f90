"""Load the demo hospital, idempotently: a second run creates nothing and keeps staff's edits.

Rows are found by their natural keys (slugs, names, rule triggers and patterns) and created
only when missing. The one thing refreshed is where demo links point: menu URLs and reply links
written for another loopback address (the demo run on other ports) follow SITE_URL.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from carebridge.billing.models import Merchant
from carebridge.booking.models import BookingPolicy, FeePayment, ScheduleTemplate
from carebridge.content.demo import load_articles
from carebridge.engagement import consult_demo
from carebridge.engagement.survey_demo import load_engagement
from carebridge.publishing.demo import load_calendar
from carebridge.results.models import ResultsPolicy
from carebridge.sandbox.phone.identity import app_id_of
from carebridge.sandbox.wxapi.templates import register
from carebridge.sandbox.wxpay.merchants import enroll
from carebridge.wechat.models import AutoReply, MenuButton, QrScene
from carebridge.wechat.models.routing import ReplyType

from ..models import Campus, Department, Doctor, Institution, WeChatAccount
from . import ADMIN_USERNAME, admin_password, hospital, reports, wechat

_LOOPBACK_H5 = re.compile(r"https?://(?:127\.0\.0\.1|localhost)(?::\d+)?/h5/demo/")


@dataclass
class DemoLoaded:
    institution: Institution
    account: WeChatAccount
    created: list[str] = field(default_factory=list)  # "3 doctors", … (empty on a re-run)
    admin_created: bool = False


@transaction.atomic
def load_demo(site_url: str | None = None) -> DemoLoaded:
    """Create whatever of the demo hospital, its account ``demo`` and the ``admin`` user is
    missing; links point at ``site_url`` (default SITE_URL)."""
    h5 = (site_url or settings.SITE_URL).rstrip("/") + "/h5/demo"
    institution, made = Institution.objects.get_or_create(
        slug=hospital.INSTITUTION["slug"], defaults=hospital.INSTITUTION
    )
    result = DemoLoaded(institution, None, ["institution"] if made else [])
    campuses = [
        _get_or_create(
            result, "campus", Campus, institution=institution, name=c["name"], defaults=c
        )
        for c in hospital.CAMPUSES
    ]
    departments = {}
    for position, data in enumerate(hospital.DEPARTMENTS):
        defaults = {k: v for k, v in data.items() if k != "campus"}
        defaults.update(campus=campuses[data["campus"]], position=position)
        departments[data["name"]] = _get_or_create(
            result,
            "department",
            Department,
            institution=institution,
            name=data["name"],
            defaults=defaults,
        )
    for data in hospital.DOCTORS:
        defaults = {k: v for k, v in data.items() if k != "departments"}
        doctor, made = Doctor.objects.get_or_create(
            institution=institution, name=data["name"], defaults=defaults
        )
        if made:
            doctor.departments.set([departments[name] for name in data["departments"]])
            result.created.append("doctor")
    _schedules(result, institution, departments)
    result.account = _account(result, institution)
    _templates(result, institution)
    _merchant(result, institution)
    _menu(result, h5)
    _rules(result, h5)
    for scene in wechat.QR_SCENES:
        _get_or_create(
            result,
            "QR scene",
            QrScene,
            account=result.account,
            permanent=True,
            scene_str=scene["scene_str"],
            defaults={"label": scene["label"]},
        )
    # After the templates: the demo's reports are announced on the demo user's phone.
    result.created += reports.load_reports(result.account)
    result.created += load_articles(institution)
    # After the reports' demo user: surveys, a poll and the user's constitution results.
    result.created += load_engagement(result.account)
    # After the reports' demo user: the sample consultations are theirs.
    register(
        app_id_of(result.account),
        consult_demo.TEMPLATE_ID,
        consult_demo.TEMPLATE_TITLE,
        consult_demo.TEMPLATE_CONTENT,
    )
    result.created += consult_demo.load_consultations(result.account, reports.OPENID)
    # The push calendar: a topic due this week and one mass send used this month.
    result.created += load_calendar(result.account)
    result.admin_created = _admin()
    return result


def _schedules(result: DemoLoaded, institution: Institution, departments: dict) -> None:
    """Weekly schedule templates: two half-days for each doctor in his or her first department,
    and the department clinics of hospital.GENERAL_CLINICS on weekday mornings. Sessions are
    generated from them by `carebridge demo` (and every night by run_daily_jobs)."""
    doctors = Doctor.objects.filter(institution=institution).order_by("id")
    for i, doctor in enumerate(doctors):
        department = doctor.departments.order_by("position").first()
        if department is None:
            continue
        fee, capacity, kind = hospital.CLINIC_BY_TITLE.get(doctor.title, (1400, 30, "general"))
        for weekday, period in ((i % 5, "morning"), ((i + 2) % 5, "afternoon")):
            # The doctors' afternoons are paid on WeChat when booking; the rest at the visit.
            paid = FeePayment.AT_BOOKING if period == "afternoon" else FeePayment.AT_VISIT
            _template(
                result, institution, department, doctor, weekday, period, fee, capacity, kind, paid
            )
    for name in hospital.GENERAL_CLINICS:
        for weekday in range(5):
            _template(result, institution, departments[name], None, weekday, "morning", 1400, 40)


def _template(
    result,
    institution,
    department,
    doctor,
    weekday,
    period,
    fee,
    capacity,
    kind=None,
    fee_payment=FeePayment.AT_VISIT,
):
    start, end = hospital.PERIOD_HOURS[period]
    wechat_places = capacity * 6 // 10  # seed 004: most places online, some kept for the window
    window, kiosk, phone = capacity * 2 // 10, capacity // 10, capacity // 20
    _get_or_create(
        result,
        "schedule template",
        ScheduleTemplate,
        institution=institution,
        department=department,
        doctor=doctor,
        weekday=weekday,
        period=period,
        defaults={
            "clinic_type": kind or "general",
            "start_time": start,
            "end_time": end,
            "fee": fee,
            "fee_payment": fee_payment,
            "capacity": capacity,
            "quota_wechat": wechat_places,
            "quota_window": window,
            "quota_kiosk": kiosk,
            "quota_phone": phone,
            "quota_referral": capacity - wechat_places - window - kiosk - phone,
            "weeks_ahead": 2,
        },
    )


def _get_or_create(result: DemoLoaded, label: str, model, defaults=None, **keys):
    row, made = model.objects.get_or_create(defaults=defaults or {}, **keys)
    if made:
        result.created.append(label)
    return row


def _account(result: DemoLoaded, institution: Institution) -> WeChatAccount:
    defaults = {**wechat.ACCOUNT, "institution": institution}
    return _get_or_create(
        result, "WeChat account", WeChatAccount, slug=wechat.ACCOUNT["slug"], defaults=defaults
    )


def _templates(result: DemoLoaded, institution: Institution) -> None:
    """The account's template library in the sandbox, and the booking messages bound to it, so
    a demo booking's confirmation arrives on the phone. A template id staff chose is kept."""
    policy, made = BookingPolicy.objects.get_or_create(institution=institution)
    if made:
        result.created.append("booking policy")
    app_id = app_id_of(result.account)
    for field_name, template_id, title in wechat.TEMPLATES:
        register(app_id, template_id, title, wechat.TEMPLATE_CONTENT)
        if not getattr(policy, field_name):
            setattr(policy, field_name, template_id)
            policy.save(update_fields=[field_name])
    results, made = ResultsPolicy.objects.get_or_create(institution=institution)
    if made:
        result.created.append("results policy")
    for field_name, template_id, title in reports.TEMPLATES:
        register(app_id, template_id, title, reports.TEMPLATE_CONTENT)
        if not getattr(results, field_name):
            setattr(results, field_name, template_id)
            results.save(update_fields=[field_name])


def _merchant(result: DemoLoaded, institution: Institution) -> None:
    """The hospital's WeChat Pay merchant, opened at the sandbox's WeChat Pay for the account's
    AppID (the payer's openid is the account's), in the public-key mode new merchants get."""
    if not Merchant.objects.filter(institution=institution).exists():
        enroll(institution, appid=app_id_of(result.account))
        result.created.append("WeChat Pay merchant")


def _rebase(text: str, h5: str) -> str:
    return _LOOPBACK_H5.sub(h5 + "/", text)


def _menu(result: DemoLoaded, h5: str) -> None:
    account = result.account
    buttons = MenuButton.objects.filter(account=account)
    if buttons.exists():  # staff own the menu once it exists; only follow the demo's address
        for button in buttons.exclude(url=""):
            url = _rebase(button.url, h5)
            if url != button.url:
                button.url = url
                button.save(update_fields=["url"])
        return
    for position, (name, subs) in enumerate(wechat.MENU):
        top = MenuButton.objects.create(account=account, position=position, name=name, type="")
        for sub_position, (sub_name, kind, target) in enumerate(subs):
            MenuButton.objects.create(
                account=account,
                parent=top,
                position=sub_position,
                name=sub_name,
                type=kind,
                key=target if kind == "click" else "",
                url=target.format(h5=h5) if kind == "view" else "",
            )
    result.created.append("menu")


def _rules(result: DemoLoaded, h5: str) -> None:
    for trigger, match_type, pattern, priority, reply in wechat.RULES:
        rule = AutoReply.objects.filter(
            account=result.account, trigger=trigger, pattern=pattern
        ).first()
        if rule is None:
            AutoReply.objects.create(
                account=result.account,
                trigger=trigger,
                match_type=match_type,
                pattern=pattern,
                priority=priority,
                **_answer(reply, h5),
            )
            result.created.append("reply rule")
        elif _superseded(rule, h5):
            for name, value in _answer(reply, h5).items():
                setattr(rule, name, value)
            rule.save(update_fields=["reply_type", "text", "action"])
        elif _rebase(rule.text, h5) != rule.text:
            rule.text = _rebase(rule.text, h5)
            rule.save(update_fields=["text"])


def _superseded(rule: AutoReply, h5: str) -> bool:
    """Whether ``rule`` still says what an earlier demo wrote (staff have not edited it)."""
    old = wechat.SUPERSEDED.get((rule.trigger, rule.pattern))
    return old is not None and _rebase(rule.text, h5) == old.format(h5=h5)


def _answer(reply, h5: str) -> dict:
    """The AutoReply fields answering with ``reply``: a text, or an action's name."""
    if isinstance(reply, wechat.Action):
        return {"reply_type": ReplyType.ACTION, "action": reply.name, "text": ""}
    return {"reply_type": ReplyType.TEXT, "action": "", "text": reply.format(h5=h5)}


def _admin() -> bool:
    """The demo's superuser; an existing one keeps its password."""
    user_model = get_user_model()
    if user_model.objects.filter(username=ADMIN_USERNAME).exists():
        return False
    user_model.objects.create_superuser(
        ADMIN_USERNAME, email="admin@example.invalid", password=admin_password()
    )
    return True
