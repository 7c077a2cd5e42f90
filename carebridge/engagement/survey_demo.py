"""The demo hospital's surveys, poll and constitution results (carebridge demo): the after-visit
satisfaction survey with a season of answers across departments and doctors, a research poll
with votes, health-education articles per constitution, and two results of the demo user's
patients. Found by title: loading again creates nothing."""

import random
from datetime import timedelta

from django.utils import timezone

from carebridge.content.models import Article
from carebridge.institutions.models import Doctor
from carebridge.patients.models import Patient
from carebridge.sandbox.phone.identity import app_id_of
from carebridge.sandbox.wxapi.templates import register
from carebridge.wechat.models import Follower

from . import constitution as standard
from .actions.constitution import record_constitution
from .models import (
    ConstitutionResult,
    Poll,
    PollOption,
    Question,
    QuestionKind,
    Survey,
    SurveyKind,
    SurveyPolicy,
    SurveyResponse,
)

TEMPLATE_ID = "demo-after-visit-survey-000000000000000001"
TEMPLATE_CONTENT = (
    "{{first.DATA}}\n就诊人：{{keyword1.DATA}}\n就诊科室：{{keyword2.DATA}}\n"
    "就诊时间：{{keyword3.DATA}}\n调查：{{keyword4.DATA}}\n{{remark.DATA}}"
)
AFTER_VISIT = "门诊就诊满意度调查"
SATISFIED = ["非常满意 | Very satisfied", "满意 | Satisfied", "一般 | Neutral",
             "不满意 | Dissatisfied"]  # fmt: skip
COMMENTS = [
    "医生很耐心,讲解清楚", "候诊时间太长了", "护士态度很好", "挂号很方便,微信上就能办",
    "缴费排队时间长", "环境干净整洁", "医生看病太快,没来得及问", "指示牌不清楚,找科室找了很久",
    "停车难", "检查预约要等好几天", "服务热情周到", "",
]  # fmt: skip
POLL = "您希望医院优先开设哪项便民服务?"
POLL_OPTIONS = [
    ("夜间门诊", "Evening clinics"),
    ("周末专家门诊", "Weekend specialist clinics"),
    ("药品配送到家", "Medicines delivered home"),
    ("线上复诊", "Online follow-ups"),
]
ADVICE = {
    "qixu": "气虚质:补气健脾,起居有常,少劳多歇",
    "yangxu": "阳虚质:温补阳气,注意保暖,少食生冷",
    "yinxu": "阴虚质:滋阴润燥,早睡少熬夜,忌辛辣",
    "tanshi": "痰湿质:饮食清淡,控制体重,多运动",
    "shire": "湿热质:清热利湿,戒烟限酒,少食肥甘",
    "xueyu": "血瘀质:活血化瘀,适量运动,保持心情舒畅",
    "qiyu": "气郁质:疏肝理气,多参加社交与户外活动",
    "tebing": "特禀质:避开过敏原,增强体质,随身备药",
    "pinghe": "平和质:保持良好生活习惯,饮食有节,劳逸结合",
}


def load_engagement(account, now=None) -> list[str]:
    now = now or timezone.now()
    institution = account.institution
    created = []
    register(app_id_of(account), TEMPLATE_ID, "满意度调查提醒", TEMPLATE_CONTENT)
    policy, made = SurveyPolicy.objects.get_or_create(
        institution=institution, defaults={"tpl_after_visit": TEMPLATE_ID, "after_visit_hours": 2}
    )
    if made:
        created.append("survey policy")
    if not Survey.objects.filter(institution=institution, title=AFTER_VISIT).exists():
        survey = _after_visit_survey(institution, now)
        created.append("survey")
        created += ["survey response"] * _responses(survey, now)
    if not Poll.objects.filter(institution=institution, question=POLL).exists():
        _poll(institution, now)
        created.append("poll")
    created += _advice(institution, now)
    created += _results(account, now)
    return created


def _after_visit_survey(institution, now) -> Survey:
    survey = Survey.objects.create(
        institution=institution,
        kind=SurveyKind.AFTER_VISIT,
        title=AFTER_VISIT,
        title_en="Outpatient satisfaction survey",
        intro="感谢您来院就诊。请花 1 分钟评价本次服务,帮助我们改进。",
        intro_en="Thank you for your visit. One minute of your time helps us improve.",
        anonymous=True,
        opens_at=now - timedelta(days=90),
        is_published=True,
    )
    q = Question.objects.create
    overall = q(survey=survey, position=1, kind=QuestionKind.SINGLE, text="您对本次就诊总体满意吗?",
                text_en="Overall, how satisfied are you with this visit?",
                choices="\n".join(SATISFIED))  # fmt: skip
    q(survey=survey, position=2, kind=QuestionKind.MULTIPLE, text="您不满意的方面有哪些?",
      text_en="What were you dissatisfied with?", show_if=overall, show_if_values="不满意,一般",
      choices="候诊时间 | Waiting time\n医生沟通 | Doctor's communication\n"
              "收费 | Charges\n环境 | Environment")  # fmt: skip
    q(survey=survey, position=3, kind=QuestionKind.RATING, text="请为医生的服务打分",
      text_en="Rate the doctor's care")  # fmt: skip
    q(survey=survey, position=4, kind=QuestionKind.RATING, text="请为护士和窗口的服务打分",
      text_en="Rate the nurses and the service desks")  # fmt: skip
    q(survey=survey, position=5, kind=QuestionKind.NPS, text="您有多大可能向亲友推荐本院?",
      text_en="How likely are you to recommend us to family and friends?")  # fmt: skip
    q(survey=survey, position=6, kind=QuestionKind.MATRIX, text="您对以下环节的评价",
      text_en="How were these steps?", rows="挂号 | Registration\n缴费 | Payment\n取药 | Pharmacy",
      choices="满意 | Satisfied\n一般 | Neutral\n不满意 | Dissatisfied")  # fmt: skip
    q(survey=survey, position=7, kind=QuestionKind.TEXT, text="您还有什么意见或建议?",
      text_en="Anything else you would like to tell us?", required=False)  # fmt: skip
    return survey


def _responses(survey, now) -> int:
    """A season of answers: each doctor's patients, better or worse by doctor."""
    rng = random.Random(16)
    questions = {q.position: q for q in survey.questions.all()}
    made = 0
    doctors = Doctor.objects.filter(institution=survey.institution).prefetch_related("departments")
    for d, doctor in enumerate(doctors):
        department = doctor.departments.first()
        for n in range(4 + d % 5):
            mood = min(5, max(1, round(rng.gauss(4.2 - (d % 4) * 0.3, 0.8))))
            overall = SATISFIED[min(3, 5 - mood)].split(" | ")[0]
            answers = {
                str(questions[1].pk): overall,
                str(questions[3].pk): mood,
                str(questions[4].pk): min(5, mood + rng.choice([0, 0, 1, -1]) or 1),
                str(questions[5].pk): min(10, max(0, mood * 2 + rng.choice([-1, 0, 0, 1]))),
                str(questions[6].pk): {"挂号": "满意", "缴费": rng.choice(["满意", "一般"]),
                                       "取药": rng.choice(["满意", "满意", "不满意"])},
            }  # fmt: skip
            if overall in ("不满意", "一般"):
                answers[str(questions[2].pk)] = [rng.choice(["候诊时间", "收费", "医生沟通"])]
            comment = rng.choice(COMMENTS)
            if comment:
                answers[str(questions[7].pk)] = comment
            SurveyResponse.objects.create(
                survey=survey,
                respondent_key=f"demo-{doctor.pk}-{n}",
                department=department,
                doctor=doctor,
                answers=answers,
                submitted_at=now - timedelta(days=rng.randint(1, 80)),
            )
            made += 1
    return made


def _poll(institution, now) -> None:
    poll = Poll.objects.create(
        institution=institution,
        question=POLL,
        question_en="Which convenience should the hospital offer first?",
        opens_at=now - timedelta(days=7),
        closes_at=now + timedelta(days=23),
        is_published=True,
    )
    # The demo's counts stand for earlier voters; real votes go through actions.polls.cast_vote.
    for position, ((text, text_en), votes) in enumerate(
        zip(POLL_OPTIONS, [48, 36, 57, 29], strict=True)
    ):
        PollOption.objects.create(
            poll=poll, position=position, text=text, text_en=text_en, votes=votes
        )


def _advice(institution, now) -> list[str]:
    """A short health-education article per constitution, tagged with its name, unless the
    hospital has one already: the result page's advice."""
    made = []
    for key, title in ADVICE.items():
        name = str(standard.TYPES[key])
        if Article.objects.filter(institution=institution, tags__contains=name).exists():
            continue
        Article.objects.create(
            institution=institution,
            kind="education",
            category="health",
            title=title,
            summary=title.split(":", 1)[1],
            body=f"<p>{title}。体质可以调理,如有不适请到治未病科就诊。</p>",
            tags=f"{name},中医体质",
            is_published=True,
            published_at=now - timedelta(days=30),
            state="published",
        )
        made.append("article")
    return made


def _results(account, now) -> list[str]:
    """One constitution result each for the demo user's first two patients."""
    follower = Follower.objects.filter(account=account, openid__startswith="o_demo_").first()
    if follower is None:
        return []
    made = []
    patients = Patient.objects.active().filter(owner=follower).order_by("created_at")[:2]
    for i, patient in enumerate(patients):
        if ConstitutionResult.objects.filter(patient=patient).exists():
            continue
        rng = random.Random(i)
        lean = ["qixu", "yangxu"][i % 2]
        answers = {
            item.key: (rng.choice([3, 4]) if lean in item.types and "pinghe" not in item.types
                       else rng.choice([1, 2]))
            for item in standard.items_for(patient.sex)
        }  # fmt: skip
        answers.update(a1=2, a6=3)
        data = {key: str(value) for key, value in answers.items()}
        record_constitution(patient, data, now=now - timedelta(days=10 + i))
        made.append("constitution result")
    return made
