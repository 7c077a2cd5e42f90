"""Consultations (咨询留言): a patient's question, its thread, and the data that routes and
answers it (keyword rules, past routed questions, FAQs, canned answers, the reply SLA).

The question and every message are encrypted at rest: they describe a person's health."""

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.patients.fields import EncryptedTextField

DEFAULT_URGENT_WORDS = (
    "胸痛\n胸口痛\n呼吸困难\n喘不上气\n昏迷\n抽搐\n大出血\n吐血\n自杀\n轻生\n中毒"
)
DEFAULT_URGENT_REPLY = (
    "您描述的情况可能比较紧急，请立即拨打120急救电话，或尽快到最近医院的急诊科就诊，"
    "不要等待线上回复。我们的工作人员也会尽快联系您。"
)


class ConsultPolicy(models.Model):
    """An institution's rules for consultations; without a row the defaults apply."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="consult_policy",
        verbose_name=_("机构"),
    )
    sla_minutes = models.PositiveIntegerField(
        _("回复时限(工作分钟)"), default=240, help_text=_("只计工作日的工作时间")
    )
    reminder_minutes = models.PositiveIntegerField(
        _("到期前提醒(工作分钟)"), default=60, help_text=_("到期前多少工作分钟提醒科室")
    )
    workday_start = models.TimeField(_("上班时间"), default=time(8, 0))
    workday_end = models.TimeField(_("下班时间"), default=time(17, 0))
    urgent_words = models.TextField(
        _("紧急词"), default=DEFAULT_URGENT_WORDS, help_text=_("每行一个;出现即立即提示急诊")
    )
    urgent_reply = models.TextField(_("紧急回复"), default=DEFAULT_URGENT_REPLY)
    faq_threshold = models.FloatField(
        _("常见问题自动回答阈值"), default=0.91, help_text=_("相似度达到此值才自动回答")
    )
    route_threshold = models.FloatField(
        _("相似分诊阈值"), default=0.89, help_text=_("相似度低于此值转运营分诊")
    )
    tpl_consult_reply = models.CharField(
        _("模板:咨询已回复"),
        max_length=64,
        blank=True,
        help_text=_("字段:first、keyword1 咨询内容、keyword2 回复时间、remark"),
    )
    tpl_staff_alert = models.CharField(
        _("模板:咨询待回复提醒(工作人员)"),
        max_length=64,
        blank=True,
        help_text=_(
            "即将超时提醒科室、超时通知运营时发给关联了粉丝的回复人员;"
            "字段:first、keyword1 科室、keyword2 回复期限、remark。不含咨询内容"
        ),
    )

    class Meta:
        verbose_name = _("咨询设置")
        verbose_name_plural = _("咨询设置")

    def __str__(self):
        return str(self.institution)

    @classmethod
    def for_institution(cls, institution) -> "ConsultPolicy":
        """The institution's settings as saved now, or the defaults (unsaved)."""
        found = cls.objects.filter(institution=institution).first()
        return found or cls(institution=institution)

    def clean(self):
        if self.workday_end <= self.workday_start:
            raise ValidationError({"workday_end": _("下班时间须晚于上班时间")})
        if self.reminder_minutes >= self.sla_minutes:
            raise ValidationError({"reminder_minutes": _("提醒须早于回复时限")})
        for name in ("faq_threshold", "route_threshold"):
            if not 0 < getattr(self, name) <= 1:
                raise ValidationError({name: _("须在0到1之间")})

    def urgent_word_list(self) -> list[str]:
        return [w.strip() for w in self.urgent_words.replace("，", "\n").splitlines() if w.strip()]


class RoutingRule(models.Model):
    """Keywords sending a question to a department (matched on jieba's words, not substrings:
    "心" does not match "小心")."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    department = models.ForeignKey(
        "institutions.Department", on_delete=models.CASCADE, verbose_name=_("科室")
    )
    keywords = models.TextField(_("关键词"), help_text=_("以空格、逗号或换行分隔"))
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)

    class Meta:
        verbose_name = _("分诊规则")
        verbose_name_plural = _("分诊规则")

    def __str__(self):
        return f"{self.department}: {self.keywords[:30]}"

    def keyword_list(self) -> list[str]:
        text = self.keywords
        for sep in "，,、;；\n\t":
            text = text.replace(sep, " ")
        return [k for k in text.split(" ") if k]


class RoutingExample(models.Model):
    """A question known to belong to a department, as its embedding: the similarity router's
    memory. Made from consultations a department answered (no text kept: the consultation has
    it, encrypted) and from curated questions (text kept)."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    department = models.ForeignKey(
        "institutions.Department", on_delete=models.CASCADE, verbose_name=_("科室")
    )
    text = models.CharField(_("示例问题"), max_length=500, blank=True)
    vector = models.BinaryField(_("向量"))
    consultation = models.OneToOneField(
        "Consultation", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("咨询")
    )

    class Meta:
        verbose_name = _("分诊示例")
        verbose_name_plural = _("分诊示例")

    def __str__(self):
        return f"{self.department}: {self.text[:30]}"


class Faq(models.Model):
    """A question with its approved answer, given at once when a patient asks the same."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    key = models.SlugField(_("编号"), max_length=40)
    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("回答"))
    approved = models.BooleanField(_("已审核"), default=False)
    vector = models.BinaryField(_("向量"), editable=False, default=b"")

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")
        constraints = [
            models.UniqueConstraint(fields=["institution", "key"], name="engagement_faq_key")
        ]

    def __str__(self):
        return self.question


class CannedAnswer(models.Model):
    """A reply staff of a department use often."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    department = models.ForeignKey(
        "institutions.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("科室"),
        help_text=_("留空:所有科室可用"),
    )
    title = models.CharField(_("标题"), max_length=60)
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("常用回复")
        verbose_name_plural = _("常用回复")

    def __str__(self):
        return self.title


class ConsultResponder(models.Model):
    """A member of staff answering a department's consultations; without a department:
    operations, who see every department's and the triage queue."""

    staff = models.ForeignKey(
        "institutions.StaffMember", on_delete=models.CASCADE, verbose_name=_("工作人员")
    )
    department = models.ForeignKey(
        "institutions.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("科室"),
        help_text=_("留空:运营(分诊与全部科室)"),
    )
    # The follower this member of staff is on one of the institution's accounts: the SLA's
    # reminder and escalation reach them by WeChat besides the inbox's flag (consult_tasks.py).
    follower = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联粉丝"),
        help_text=_("即将超时与超时的提醒通过微信发给此人"),
    )

    class Meta:
        verbose_name = _("咨询回复人员")
        verbose_name_plural = _("咨询回复人员")

    def __str__(self):
        return f"{self.staff} · {self.department or _('运营')}"

    def clean(self):
        institution_id = self.staff.institution_id if self.staff_id else None
        if self.department_id and self.department.institution_id != institution_id:
            raise ValidationError({"department": _("科室不属于该工作人员所在的机构")})
        if self.follower_id and self.follower.account.institution_id != institution_id:
            raise ValidationError({"follower": _("该粉丝不是本机构公众号的粉丝")})


class ConsultStatus(models.TextChoices):
    AUTO = "auto", _("已自动回答")
    OPEN = "open", _("待回复")
    ANSWERED = "answered", _("已回复")
    CLOSED = "closed", _("已关闭")


class ConsultChannel(models.TextChoices):
    WECHAT = "wechat", _("微信消息")
    H5 = "h5", _("网页留言")


class RoutedBy(models.TextChoices):
    RULES = "rules", _("关键词规则")
    SIMILARITY = "similarity", _("相似问题")
    TRIAGE = "triage", _("待分诊")
    STAFF = "staff", _("工作人员")


class ConsultationQuerySet(models.QuerySet):
    def for_follower(self, follower):
        """The consultations a WeChat user may read: their own, on this account."""
        return self.filter(follower=follower, account_id=follower.account_id)

    def unanswered(self):
        return self.filter(status=ConsultStatus.OPEN)

    def inbox_order(self):
        """Unanswered first, the soonest due first; then the newest."""
        waiting = models.Case(
            models.When(status=ConsultStatus.OPEN, then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return self.order_by(waiting, "-urgent", "due_at", "-created_at")


class Consultation(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    account = models.ForeignKey(
        "institutions.WeChatAccount", on_delete=models.CASCADE, verbose_name=_("公众号")
    )
    follower = models.ForeignKey(
        "wechat.Follower", on_delete=models.CASCADE, verbose_name=_("微信用户")
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("就诊人"),
    )
    channel = models.CharField(_("来源"), max_length=10, choices=ConsultChannel.choices)
    question = EncryptedTextField(_("问题"))
    department = models.ForeignKey(
        "institutions.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("科室"),
        help_text=_("留空:运营分诊"),
    )
    routed_by = models.CharField(_("分诊方式"), max_length=12, choices=RoutedBy.choices)
    confidence = models.FloatField(_("分诊置信度"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=ConsultStatus.choices, default=ConsultStatus.OPEN
    )
    urgent = models.BooleanField(_("紧急"), default=False)
    faq = models.ForeignKey(
        Faq, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("自动回答")
    )
    vector = models.BinaryField(_("向量"), editable=False, default=b"")
    created_at = models.DateTimeField(_("提问时间"), default=timezone.now)
    # The SLA clock's start (the question, or the patient's "转人工" after an FAQ answer) and
    # the working minutes from it to the first reply: the statistics' median reply time.
    clock_started_at = models.DateTimeField(_("计时开始"), null=True, blank=True)
    due_at = models.DateTimeField(_("回复期限"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("已升级"), null=True, blank=True)
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    reply_minutes = models.PositiveIntegerField(
        _("回复用时(工作分钟)"), null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")
        indexes = [models.Index(fields=["institution", "status", "due_at"])]

    def __str__(self):
        return _("咨询 #%(id)s") % {"id": self.pk}

    def minutes_left(self, at=None) -> int | None:
        """Wall-clock minutes to the due time (negative: overdue); None when not waiting."""
        if self.status != ConsultStatus.OPEN or self.due_at is None:
            return None
        return int((self.due_at - (at or timezone.now())).total_seconds() // 60)


class MessageKind(models.TextChoices):
    QUESTION = "question", _("患者")
    AUTO = "auto", _("自动回复")
    REPLY = "reply", _("工作人员回复")
    NOTE = "note", _("内部备注")
    EVENT = "event", _("处理记录")


class ConsultMessage(models.Model):
    """One entry of a consultation's thread. Notes and events are for staff only."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("咨询")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=MessageKind.choices)
    text = EncryptedTextField(_("内容"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("作者"),
    )
    delivered_via = models.CharField(_("送达方式"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("咨询消息")
        verbose_name_plural = _("咨询消息")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.get_kind_display()

    @property
    def patient_visible(self) -> bool:
        return self.kind in (MessageKind.QUESTION, MessageKind.AUTO, MessageKind.REPLY)


class ConsultPhoto(models.Model):
    """A photo the patient attached (a rash, a wound, a prescription), re-encoded as JPEG
    without its metadata (consult_photos.py) and encrypted at rest like the question."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="photos", verbose_name=_("咨询")
    )
    jpeg = EncryptedTextField(_("照片"), help_text=_("base64 编码的 JPEG"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("咨询照片")
        verbose_name_plural = _("咨询照片")

    def __str__(self):
        return _("照片 #%(id)s") % {"id": self.pk}
