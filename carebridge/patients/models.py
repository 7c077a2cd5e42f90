"""就诊人: the people a WeChat user books for, the institution's rules for them, the phone
codes that prove a number, and the log of every staff look at them."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import crypto, masking
from .choices import AccessAction, IdType, Relation, Sex
from .fields import EncryptedTextField

# Domain separation for the blind indexes: the same digits as a phone and as a card number must
# not hash alike.
HASH_ID, HASH_PHONE, HASH_CARD = "id", "phone", "card"


def full_years(born: date, on: date) -> int:
    """Age in completed years on a day (a birthday on 29 February counts from 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class PatientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at=None)

    def of_institution(self, institution):
        """Active patients added through one of ``institution``'s WeChat accounts: the only ones
        its staff, its API clients and its sessions may see (another institution's patient is
        not found)."""
        return self.active().filter(owner__account__institution=institution)


class Patient(models.Model):
    """A person one WeChat user (a Follower: one openid of one account) books for.

    ID, phone and card numbers are encrypted at rest; each has a keyed hash for exact search.
    A patient that other rows protect (appointments, audit entries) is archived, not deleted.
    """

    owner = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.PROTECT,
        related_name="patients",
        verbose_name=_("添加人"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = EncryptedTextField(_("手机号"))
    phone_hash = models.CharField(_("手机号哈希"), max_length=64, db_index=True, editable=False)
    phone_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices)
    id_number = EncryptedTextField(_("证件号码"))
    id_number_hash = models.CharField(
        _("证件号码哈希"), max_length=64, db_index=True, editable=False
    )
    card_number = EncryptedTextField(_("就诊卡号"), blank=True)
    card_number_hash = models.CharField(
        _("就诊卡号哈希"), max_length=64, db_index=True, blank=True, editable=False
    )
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    is_default = models.BooleanField(_("默认就诊人"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        verbose_name = _("就诊人")
        verbose_name_plural = _("就诊人")
        ordering = ["-is_default", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(is_default=True, archived_at=None),
                name="patient_one_default_per_owner",
            ),
            models.UniqueConstraint(
                fields=["owner", "id_number_hash"],
                condition=Q(archived_at=None),
                name="patient_one_row_per_id_per_owner",
            ),
        ]

    def __str__(self):
        return f"{masking.mask_name(self.name)} {self.masked_id_number()}"

    # Setters keep each encrypted value and its keyed hash together.
    def set_id_number(self, number: str) -> None:
        self.id_number = number
        self.id_number_hash = crypto.blind_index(HASH_ID, number)

    def set_phone(self, phone: str) -> None:
        self.phone = phone
        self.phone_hash = crypto.blind_index(HASH_PHONE, phone)

    def set_card_number(self, card_number: str) -> None:
        self.card_number = card_number
        self.card_number_hash = crypto.blind_index(HASH_CARD, card_number) if card_number else ""

    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)

    def masked_phone(self) -> str:
        return masking.mask_phone(self.phone)

    def masked_card_number(self) -> str:
        return masking.mask_id_number(self.card_number)

    def masked_name(self) -> str:
        return masking.mask_name(self.name)

    def age_on(self, day: date) -> int:
        return full_years(self.birth_date, day)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def default_id_types() -> list[str]:
    return [t for t in IdType.values if t != IdType.SOCIAL_SECURITY]


class PatientPolicy(models.Model):
    """One institution's rules for the patients its users may add (edited in the back office).

    A children's hospital (seed 004): max_age 18, accepted_id_types ["social_security"]."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="patient_policy",
        verbose_name=_("机构"),
    )
    max_patients = models.PositiveSmallIntegerField(_("每个微信用户最多就诊人数"), default=5)
    accepted_id_types = models.JSONField(_("接受的证件类型"), default=default_id_types)
    max_age = models.PositiveSmallIntegerField(
        _("年龄上限（不含）"),
        null=True,
        blank=True,
        help_text=_("只接受未满此周岁的就诊人，如儿童医院填18；留空不限"),
    )
    require_phone_verification = models.BooleanField(_("需要短信验证手机号"), default=True)
    notice = models.TextField(_("添加就诊人须知"), blank=True)
    notice_en = models.TextField(_("添加就诊人须知（英文）"), blank=True)

    class Meta:
        verbose_name = _("就诊人规则")
        verbose_name_plural = _("就诊人规则")

    def __str__(self):
        return str(self.institution)

    @classmethod
    def for_institution(cls, institution) -> "PatientPolicy":
        """The institution's policy, or the defaults (unsaved) when it has none.

        The row ``select_related("institution__patient_policy")`` brought, else one query, whose
        answer Django keeps on ``institution`` as it keeps any related object."""
        try:
            return institution.patient_policy
        except cls.DoesNotExist:
            return cls(institution=institution)

    def accepts(self, id_type: str) -> bool:
        return id_type in self.accepted_id_types

    def accepted_id_type_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in IdType.choices if self.accepts(value)]

    def localized_notice(self, language: str) -> str:
        if language.startswith("en") and self.notice_en:
            return self.notice_en
        return self.notice


class PhoneVerification(models.Model):
    """A 6-digit code sent to a phone for one WeChat user. Only its keyed hash is kept; it
    expires, allows a few attempts, and is used once."""

    follower = models.ForeignKey(
        "wechat.Follower", on_delete=models.CASCADE, related_name="phone_verifications"
    )
    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["follower", "phone_hash", "-created_at"])]


class AccessLog(models.Model):
    """One look at a patient's data by staff (back office) or by a hospital system (the JSON
    API, on behalf of its staff): who, which patient, how, when, from where, why. Exactly one
    of ``staff`` and ``api_client`` names who looked."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_access_logs",
        verbose_name=_("工作人员"),
    )
    api_client = models.ForeignKey(
        "integrations.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_access_logs",
        verbose_name=_("接口客户端"),
    )
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("就诊人"),
    )
    action = models.CharField(_("操作"), max_length=20, choices=AccessAction.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("就诊人访问日志")
        verbose_name_plural = _("就诊人访问日志")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False, api_client__isnull=True)
                | Q(staff__isnull=True, api_client__isnull=False),
                name="accesslog_staff_or_api_client",
            )
        ]

    def __str__(self):
        return f"{self.actor} {self.get_action_display()} {self.patient_id or '-'}"

    @property
    def actor(self):
        return self.staff if self.staff_id else self.api_client
