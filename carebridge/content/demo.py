"""A year of the demo hospital's articles (carebridge demo): seed 000's five categories in its
proportions (about 150 items a year, the busier accounts' figure), from every department, and
the last weeks' articles in every workflow state, so 医院动态, the workflow pages and the
progress page have something to show. Found by title: loading again creates nothing."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape

from carebridge.institutions.models import Department

from .choices import ArticleCategory, ArticleKind, ArticleState
from .models import Article, ArticleEvent, ArticleVersion, Review, RubricCriterion

RUBRIC = [("准确性", "Accuracy"), ("可读性", "Readability"), ("排版", "Layout"),
          ("时效性", "Timeliness")]  # fmt: skip
# Seed 000: 55.6 %, 25.7 %, 8.6 %, 5.7 %, 4.5 % of 150 a year.
PER_YEAR = {
    ArticleCategory.HEALTH_KNOWLEDGE: 83,
    ArticleCategory.OPERATIONS: 39,
    ArticleCategory.NOTICES: 13,
    ArticleCategory.ADMINISTRATION: 9,
    ArticleCategory.OTHER: 6,
}
TOPICS = {
    ArticleCategory.HEALTH_KNOWLEDGE: (ArticleKind.EDUCATION, [
        "{d}提醒:{m}月常见病的预防", "{d}专家谈高血压的日常管理", "{d}:糖尿病患者的饮食要点",
        "{d}:儿童接种疫苗前后的注意事项", "{d}:孕产妇保健小常识", "{d}:节气养生与慢病调理",
        "{d}:流感季如何保护老人和孩子", "{d}:护眼从日常做起",
    ]),
    ArticleCategory.OPERATIONS: (ArticleKind.NEWS, [
        "{d}成功开展新技术", "{d}走进社区开展义诊", "{d}引进新设备,服务能力再提升",
        "{d}举办学术交流会",
    ]),
    ArticleCategory.NOTICES: (ArticleKind.NOTICE, [
        "{m}月健康大讲堂通知", "{d}{m}月门诊停诊安排", "{m}月预防接种时间调整通知",
    ]),
    ArticleCategory.ADMINISTRATION: (ArticleKind.NEWS, [
        "医院召开{m}月作风建设学习会", "{d}党支部开展主题学习",
    ]),
    ArticleCategory.OTHER: (ArticleKind.NEWS, ["{m}月志愿者服务掠影", "{d}员工风采"]),
}  # fmt: skip
# The last weeks' articles, in every state: (state, days since written, overdue).
IN_PROGRESS = [
    (ArticleState.DRAFT, 2, False), (ArticleState.DRAFT, 12, True),
    (ArticleState.PROOFREADING, 3, False), (ArticleState.PROOFREADING, 9, True),
    (ArticleState.REVIEWING, 1, False), (ArticleState.REVIEWING, 4, True),
    (ArticleState.SCHEDULED, 1, False),
]  # fmt: skip


def load_articles(institution) -> list[str]:
    if Article.objects.filter(institution=institution).exists():
        return []
    for position, (name, name_en) in enumerate(RUBRIC):
        RubricCriterion.objects.get_or_create(
            institution=institution, name=name, defaults={"name_en": name_en, "position": position}
        )
    departments = list(Department.objects.filter(institution=institution).order_by("position"))
    rng = random.Random(15)
    now = timezone.now()
    made = 0
    for category, count in PER_YEAR.items():
        kind, titles = TOPICS[category]
        for i in range(count):
            when = now - timedelta(days=365 * (i + 0.5) / count + rng.random())
            department = departments[(i * 7 + len(category)) % len(departments)]
            _published(institution, category, kind, titles[i % len(titles)], department, when, rng)
            made += 1
    for i, (state, days, overdue) in enumerate(IN_PROGRESS):
        department = departments[i % len(departments)]
        _in_progress(institution, department, state, now - timedelta(days=days), overdue, i)
        made += 1
    return ["article"] * made


def _body(title: str, department) -> str:
    lines = [
        f"{department.name}供稿。",
        f"{title}。本文由科室医生撰写,经科室主任审校、运营团队审核。",
        "如有疑问,请在就诊时咨询医生。",
    ]
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def _published(institution, category, kind, pattern, department, when, rng):
    title = pattern.format(d=department.name, m=timezone.localtime(when).month)
    article = Article.objects.create(
        institution=institution, kind=kind, category=category, department=department,
        title=title, summary=title, body=_body(title, department), author=department.name,
        state=ArticleState.PUBLISHED, is_published=True, published_at=when,
        reads=rng.randint(80, 3000), likes=rng.randint(0, 120),
    )  # fmt: skip
    version = ArticleVersion.objects.create(
        article=article, number=1, title=title, summary=title, body=article.body, created_at=when
    )
    on_time = rng.random() > 0.15
    Review.objects.create(
        article=article, version=version, score=Decimal(rng.randint(60, 98)),
        on_time=on_time, created_at=when,
    )  # fmt: skip
    ArticleEvent.objects.create(
        article=article, action="publish", from_state=ArticleState.SCHEDULED,
        to_state=ArticleState.PUBLISHED, on_time=on_time, at=when,
    )  # fmt: skip


def _in_progress(institution, department, state, written, overdue, i):
    due = written + timedelta(days=7 if not overdue else 3)
    title = f"{department.name}:{['冬季心脑血管病预防', '科室新春出诊安排', '常见用药误区'][i % 3]}"
    if state == ArticleState.SCHEDULED:
        due = None
    Article.objects.create(
        institution=institution, kind=ArticleKind.EDUCATION,
        category=ArticleCategory.HEALTH_KNOWLEDGE, department=department,
        title=f"{title}({i + 1})", body=_body(title, department), state=state, due_at=due,
        published_at=written + timedelta(days=3), is_published=False,
    )  # fmt: skip
