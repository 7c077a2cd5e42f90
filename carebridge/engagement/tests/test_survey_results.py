"""A survey's results in the back office: per-option charts (SVG drawn on the server),
free-text keywords by jieba, the response rate, satisfaction per department and doctor, the
Excel export; another hospital's staff find nothing, and opening an answer that names a patient
is audited."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from openpyxl import load_workbook

from carebridge.engagement.models import SurveyInvitation, SurveyResponse
from carebridge.engagement.survey_results import keywords, summarise
from carebridge.institutions.models import StaffMember
from carebridge.patients.models import AccessLog

from .helpers import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(db):
    return User.objects.create_superuser("ops", "ops@renai.example.cn", "pw-ops-12345")


@pytest.fixture
def xinhua_staff(other_hospital):
    user = User.objects.create_user("xh", "xh@xinhua.example.cn", "pw-xh-12345", is_staff=True)
    StaffMember.objects.create(user=user, institution=other_hospital)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="engagement"))
    return user


@pytest.fixture
def answered(alice_client, alice_visit, survey):
    """alice rated her visit (4, 推荐 9) and wrote a comment; two invitations were sent."""
    path = f"/h5/renai/surveys/{survey.pk}/?visit={alice_visit.pk}"
    assert alice_client.post(path, answers(survey)).status_code == 302
    SurveyInvitation.objects.create(survey=survey, appointment=alice_visit)
    SurveyResponse.objects.create(
        survey=survey,
        respondent_key="other",
        department=alice_visit.session.department,
        doctor=alice_visit.session.doctor,
        answers={str(survey.questions.get(position=1).pk): "不满意",
                 str(survey.questions.get(position=3).pk): 2,
                 str(survey.questions.get(position=6).pk): "候诊时间太长,排队两个小时"},
    )  # fmt: skip
    return SurveyResponse.objects.get(respondent_key__startswith="other")


def test_the_summary_counts_means_keywords_and_groups(answered, survey):
    results = summarise(survey)
    assert results.responses == 2 and results.invited == 1 and results.response_rate == 200.0
    by_position = {r.question.position: r for r in results.questions}
    assert by_position[1].counts == [("满意", 1), ("一般", 0), ("不满意", 1)]
    assert by_position[3].mean == 3.0  # (4 + 2) / 2
    assert by_position[4].nps == 100  # one answer, a promoter (9)
    assert "候诊" in [word for word, _w in by_position[6].keywords]
    [cardiology] = results.by_department
    assert (cardiology.name, cardiology.responses, cardiology.mean) == ("心内科", 2, 3.0)
    assert results.by_doctor[0].name.startswith("王建国")


def test_keywords_of_nothing_are_none():
    assert keywords([]) == [] and keywords(["", " "]) == []


def test_the_results_page_draws_its_charts_and_exports(client, ops, answered, survey):
    client.force_login(ops)
    page = client.get(reverse("admin:engagement_survey_results", args=[survey.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "<rect" in text
    assert 'id="response-rate">200.0%' in text and "心内科" in text and "王建国" in text
    assert "cdn" not in text.lower()
    export = client.get(reverse("admin:engagement_survey_results_xlsx", args=[survey.pk]))
    book = load_workbook(BytesIO(export.content))
    rows = list(book.worksheets[0].values)
    assert rows[0][:4] == ("提交时间", "科室", "医生", "总体满意吗?")
    assert len(rows) == 3 and all("王小红" not in str(row) for row in rows)
    assert [r[:3] for r in book.worksheets[1].values][1] == ("心内科", 2, 3.0)


def test_a_formula_in_an_answer_stays_text(client, ops, answered, survey):
    answered.answers[str(survey.questions.get(position=6).pk)] = '=HYPERLINK("http://x")'
    answered.save(update_fields=["answers"])
    client.force_login(ops)
    export = client.get(reverse("admin:engagement_survey_results_xlsx", args=[survey.pk]))
    sheet = load_workbook(BytesIO(export.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row[1:] if c.value is not None]
    assert '=HYPERLINK("http://x")' in [c.value for c in cells]
    assert all(cell.data_type == "s" for cell in cells)


def test_another_hospitals_staff_find_nothing(client, xinhua_staff, answered, survey):
    client.force_login(xinhua_staff)
    for name in ("results", "results_xlsx", "change"):
        url = reverse(f"admin:engagement_survey_{name}", args=[survey.pk])
        assert client.get(url).status_code in (302, 404), name
    response = client.get(reverse("admin:engagement_surveyresponse_changelist"))
    assert "心内科" not in response.content.decode()


def test_opening_an_answer_that_names_a_patient_is_audited(client, ops, answered, alice_self):
    client.force_login(ops)
    listing = client.get(reverse("admin:engagement_surveyresponse_changelist")).content.decode()
    assert "王*红" in listing and "王小红" not in listing
    assert not AccessLog.objects.exists()
    mine = SurveyResponse.objects.get(patient=alice_self)
    client.get(reverse("admin:engagement_surveyresponse_change", args=[mine.pk]))
    assert AccessLog.objects.get().patient == alice_self
    client.get(reverse("admin:engagement_surveyresponse_change", args=[answered.pk]))
    assert AccessLog.objects.count() == 1  # an answer naming nobody has nobody to audit
