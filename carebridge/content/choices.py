"""The content app's choices: what an article is (its kind, a tab of 医院动态) and what it is
about (seed 000's five categories, by which the commission measures accounts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    NEWS = "news", _("新闻动态")
    NOTICE = "notice", _("通知公告")
    EDUCATION = "education", _("健康宣教")
    # An About page (医院介绍, a department's page): edited like an article, never a tab.
    PAGE = "page", _("医院页面")
    # 门诊出诊专家排班公告 (seed 001 §5): a notice, listed under 通知公告.
    ROSTER = "roster", _("出诊排班公告")
    # A department's update of a doctor's profile: goes through the workflow, and is applied
    # to the doctor when published; never listed.
    DOCTOR_PROFILE = "doctor", _("医生信息更新")

    @classmethod
    def tabs(cls):
        """The three tabs of 医院动态 (seed 001 §4.2)."""
        return [(k.value, k.label) for k in (cls.NEWS, cls.NOTICE, cls.EDUCATION)]

    @classmethod
    def listed_under(cls, tab: str | None) -> list[str]:
        """The kinds a tab lists (all tabs' when ``tab`` is empty)."""
        tabs = {cls.NEWS: [cls.NEWS], cls.NOTICE: [cls.NOTICE, cls.ROSTER],
                cls.EDUCATION: [cls.EDUCATION]}  # fmt: skip
        if tab:
            return [k.value for k in tabs[tab]]
        return [k.value for kinds in tabs.values() for k in kinds]


class ArticleCategory(models.TextChoices):
    """Seed 000's categories (shares of 756 items in January 2018 in brackets)."""

    HEALTH_KNOWLEDGE = "health", _("健康科普知识")  # 55.6 %
    OPERATIONS = "operations", _("医院运营管理")  # 25.7 %
    NOTICES = "notices", _("通知公告")  # 8.6 %
    ADMINISTRATION = "administration", _("行政机构建设")  # 5.7 %
    OTHER = "other", _("其他")  # 4.5 %


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PROOFREADING = "proofreading", _("科室审校中")
    REVIEWING = "reviewing", _("运营审核中")
    SCHEDULED = "scheduled", _("待发布")
    PUBLISHED = "published", _("已发布")


class EditorialRole(models.TextChoices):
    EDITOR = "editor", _("科室编辑")
    HEAD = "head", _("科室主任")
    OPERATIONS = "operations", _("运营")


# Each role also needs its permission (Django groups give them), so a revoked permission
# ends the role without editing the member rows.
ROLE_PERMISSION = {
    EditorialRole.EDITOR: "content.draft_article",
    EditorialRole.HEAD: "content.proofread_article",
    EditorialRole.OPERATIONS: "content.review_article",
}
