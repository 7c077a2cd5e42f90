"""Every label of the back office is Chinese in Chinese: model fields, list columns, filters,
actions and form labels are marked for translation with a Chinese source string."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import override

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")
# WeChat's and the web's own words, written the same way in Chinese.
AS_IS = {"OpenID", "UnionID", "AppID", "URL", "API", "ID", "JSON"}
# Django's own models, translated by Django.
DJANGO_APPS = {"auth"}
# Fields whose Chinese name is still to come (none: keep it so).
PENDING: set[str] = set()


def english_only(text) -> bool:
    text = str(text).strip().rstrip(":：").strip()
    return bool(text) and not CJK.search(text) and text not in AS_IS


def our_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label not in DJANGO_APPS
    ]


def test_every_field_of_a_back_office_model_has_a_marked_chinese_name():
    unmarked = []
    for model, _admin in our_admins():
        opts = model._meta
        for name in ("verbose_name", "verbose_name_plural"):
            if not isinstance(getattr(opts, name), Promise):
                unmarked.append(f"{opts.label}.Meta.{name}")
        for field in opts.get_fields():
            if (field.auto_created and not field.concrete) or field.name == "id":
                continue
            label = getattr(field, "verbose_name", None)
            named = f"{opts.label}.{field.name}"
            if (not isinstance(label, Promise) or english_only(label)) and named not in PENDING:
                unmarked.append(f"{named} ({label})")
    assert not unmarked, "\n".join(unmarked)


def test_every_column_filter_and_action_is_labelled_in_chinese():
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True)
    english = []
    with override("zh-hans"):
        for model, model_admin in our_admins():
            where = model._meta.label
            shown = {
                *model_admin.get_list_display(request),
                *model_admin.get_readonly_fields(request, None),
                *model_admin.get_readonly_fields(request, model()),
            }
            for name in shown:
                label = label_for_field(name, model, model_admin)
                if english_only(label) and f"{where}.{name}" not in PENDING:
                    english.append(f"{where} column or field {name}: {label}")
            for name, (_func, _name, description) in model_admin.get_actions(request).items():
                if english_only(description % {"verbose_name_plural": "x"}):
                    english.append(f"{where} action {name}: {description}")
    assert not english, "\n".join(english)


class Labels(HTMLParser):
    """The texts of a back-office page that name something: column headers, filter titles,
    form labels, fieldset titles and the action menu."""

    def __init__(self):
        super().__init__()
        self.texts, self.open = [], []
        self.in_thead = self.in_actions = self.in_action_bar = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag == "thead":
            # Not the navigation's visually hidden headers: Django's, left untranslated by Django.
            self.in_thead = "visually-hidden" not in classes
        if tag == "div" and "actions" in classes.split():
            self.in_action_bar = True  # a list's action menu (not a form's field named action)
        if tag == "select":
            self.in_actions = self.in_action_bar and attrs.get("name") == "action"
        if "data-filter-title" in attrs:
            self.texts.append(attrs["data-filter-title"])
        if (
            tag in ("label", "legend")
            or (tag == "th" and self.in_thead)
            or (tag == "option" and self.in_actions and attrs.get("value"))
            or (tag == "h2" and "fieldset-heading" in classes)
        ):
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_thead = False
        if tag == "select":
            self.in_actions = self.in_action_bar = False
        if self.open and self.open[-1][0] == tag:
            self.texts.append(self.open.pop()[1])

    def handle_data(self, data):
        for entry in self.open:
            entry[1] += data


def labels(html: str) -> set[str]:
    parser = Labels()
    parser.feed(html)
    return {t.strip() for t in parser.texts if t.strip()}


@pytest.fixture
def some_of_everything(account, alice, alice_self):
    """A row in the main back-office lists, so that change forms can be opened."""
    from carebridge.booking.tests.helpers import make_session
    from carebridge.wechat.models import AutoReply

    hospital = account.institution
    campus = hospital.campuses.create(name="总院", address="同普路", latitude=31, longitude=121)
    department = hospital.departments.create(campus=campus, name="心内科")
    doctor = hospital.doctors.create(name="王建国", title="主任医师")
    doctor.departments.add(department)
    make_session(hospital, department, doctor, __import__("datetime").date(2030, 1, 8))
    AutoReply.objects.create(account=account, trigger="keyword", pattern="挂号", text="请预约")
    # Reports: a critical value to acknowledge, an examination held for a doctor, a visit.
    from carebridge.results.models import ReleaseRule
    from carebridge.results.tests.helpers import push, push_visit
    from carebridge.results.tests.test_critical import LOW_POTASSIUM

    ReleaseRule.objects.create(institution=hospital, kind="imaging", mode="doctor")
    push(alice_self, result=LOW_POTASSIUM, encounter="V-0001")
    push(alice_self, identifier="PACS-1", category="imaging", result=[], findings="未见异常")
    push_visit(alice_self)


def back_office_urls(user) -> list[str]:
    """Every registered model's list, its add page and the change page of its first row."""
    request = RequestFactory().get("/")
    request.user = user
    urls = []
    for model, model_admin in our_admins():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return urls


@pytest.mark.parametrize(
    "language, foreign",
    [("zh-hans", english_only), ("en", lambda label: bool(CJK.search(label)))],
)
def test_every_back_office_page_labels_in_its_language(
    client, settings, some_of_everything, language, foreign
):
    user = User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    wrong = {}
    for url in back_office_urls(user):
        response = client.get(url)
        assert response.status_code == 200, url
        found = sorted(label for label in labels(response.content.decode()) if foreign(label))
        if found:
            wrong[url] = found
    assert not wrong, "\n".join(f"{url}: {found}" for url, found in wrong.items())
