from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pinyin import pinyin_keys


class InstitutionKind(models.TextChoices):
    HOSPITAL = "hospital", _("医院")
    COMMUNITY_CENTRE = "community", _("社区卫生服务中心")


class RegionType(models.TextChoices):
    URBAN = "urban", _("城区")
    SUBURBAN = "suburban", _("近郊")
    OUTER_SUBURBAN = "outer_suburban", _("远郊")


class Institution(models.Model):
    """A tenant: one hospital or community health service centre."""

    slug = models.SlugField(_("标识"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(
        _("类型"), max_length=20, choices=InstitutionKind.choices, default=InstitutionKind.HOSPITAL
    )
    region_type = models.CharField(
        _("区域类型"), max_length=20, choices=RegionType.choices, default=RegionType.URBAN
    )
    introduction = models.TextField(_("简介"), blank=True)
    introduction_en = models.TextField(_("英文简介"), blank=True)
    phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    website = models.URLField(_("网站"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffMember(models.Model):
    """A back-office user working for one institution: in the admin, staff who are not
    superusers see and edit only their institution's rows (admin_scoping.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_member",
        verbose_name=_("用户"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="staff", verbose_name=_("机构")
    )

    class Meta:
        verbose_name = _("机构工作人员")
        verbose_name_plural = _("机构工作人员")

    def __str__(self):
        return f"{self.user} @ {self.institution}"


class AccountType(models.TextChoices):
    SERVICE = "service", _("服务号")
    SUBSCRIPTION = "subscription", _("订阅号")


class WeChatAccount(models.Model):
    """An official account. Its secrets come from the environment (wechat.credentials)."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="wechat_accounts",
        verbose_name=_("机构"),
    )
    slug = models.SlugField(_("标识"), unique=True, help_text=_("回调地址 /wechat/<标识>/"))
    name = models.CharField(_("公众号名称"), max_length=100)
    original_id = models.CharField(_("原始ID"), max_length=64, blank=True, help_text="gh_…")
    account_type = models.CharField(
        _("类型"), max_length=20, choices=AccountType.choices, default=AccountType.SERVICE
    )
    verified = models.BooleanField(_("已认证"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公众号")
        verbose_name_plural = _("公众号")

    def __str__(self):
        return self.name

    @property
    def credentials(self):
        from carebridge.wechat.credentials import get_credentials

        return get_credentials(self.slug)

    @property
    def is_service(self) -> bool:
        return self.account_type == AccountType.SERVICE


class Campus(models.Model):
    """A site of the institution (院区): where patients go.

    Coordinates are GCJ-02 (the system Tencent Maps and Amap use, and what their coordinate
    pickers give); map links tell Baidu Maps so with its coord_type parameter."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="campuses", verbose_name=_("机构")
    )
    name = models.CharField(_("院区名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    address_en = models.CharField(_("英文地址"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("GCJ-02 坐标(腾讯地图、高德地图坐标拾取器给出的坐标)"),
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("GCJ-02 坐标"),
    )
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    opening_hours = models.TextField(_("开放时间"), blank=True)
    opening_hours_en = models.TextField(_("英文开放时间"), blank=True)
    transport = models.TextField(_("交通"), blank=True)
    transport_en = models.TextField(_("英文交通"), blank=True)
    nearby = models.TextField(_("周边设施"), blank=True)
    nearby_en = models.TextField(_("英文周边设施"), blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("院区")
        verbose_name_plural = _("院区")
        ordering = ["institution", "position", "id"]

    def __str__(self):
        return self.name

    @property
    def map_links(self):
        """Links that open Tencent Maps, Baidu Maps and Amap at this campus."""
        from .maps import map_links

        return map_links(self)


class Department(models.Model):
    """A clinical department (科室)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="departments", verbose_name=_("机构")
    )
    campus = models.ForeignKey(
        Campus, on_delete=models.PROTECT, related_name="departments", verbose_name=_("院区")
    )
    name = models.CharField(_("科室名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    introduction = models.TextField(_("科室介绍"), blank=True)
    introduction_en = models.TextField(_("英文科室介绍"), blank=True)
    location = models.CharField(_("位置"), max_length=200, blank=True, help_text=_("如 门诊楼3层"))
    location_en = models.CharField(_("英文位置"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    # Search keys, derived from name on save (pinyin.py).
    name_pinyin = models.CharField(
        _("名称拼音"), max_length=255, blank=True, db_index=True, editable=False
    )
    name_initials = models.CharField(
        _("名称首字母"), max_length=100, blank=True, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("科室")
        verbose_name_plural = _("科室")
        ordering = ["institution", "position", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        keys = pinyin_keys(self.name)
        self.name_pinyin = keys.pinyin[:255]
        self.name_initials = keys.initials[:100]
        _with_search_fields(kwargs, ["name_pinyin", "name_initials"])
        super().save(*args, **kwargs)

    def clean(self):
        campus = self.campus if self.campus_id else None
        if campus and self.institution_id and campus.institution_id != self.institution_id:
            raise ValidationError({"campus": _("院区不属于该机构。")})


class Doctor(models.Model):
    """A doctor and the departments he or she sees patients in."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="doctors", verbose_name=_("机构")
    )
    departments = models.ManyToManyField(Department, related_name="doctors", verbose_name=_("科室"))
    name = models.CharField(_("姓名"), max_length=50)
    name_en = models.CharField(_("英文姓名"), max_length=100, blank=True)
    title = models.CharField(_("职称"), max_length=50, help_text=_("如 主任医师"))
    title_en = models.CharField(_("英文职称"), max_length=100, blank=True)
    photo = models.ImageField(_("照片"), upload_to="doctors/", blank=True)
    specialty = models.CharField(_("专业擅长"), max_length=500, blank=True)
    specialty_en = models.CharField(_("英文专业擅长"), max_length=1000, blank=True)
    introduction = models.TextField(_("简介"), blank=True)
    introduction_en = models.TextField(_("英文简介"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # Search keys, derived from name on save (pinyin.py); *_alt hold the everyday reading of a
    # polyphonic surname (单 Shan, also typed dan) when it differs.
    name_pinyin = models.CharField(
        _("姓名拼音"), max_length=255, blank=True, db_index=True, editable=False
    )
    name_initials = models.CharField(
        _("姓名首字母"), max_length=50, blank=True, db_index=True, editable=False
    )
    name_pinyin_alt = models.CharField(
        _("姓名拼音(多音字)"), max_length=255, blank=True, db_index=True, editable=False
    )
    name_initials_alt = models.CharField(
        _("姓名首字母(多音字)"), max_length=50, blank=True, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("医生")
        verbose_name_plural = _("医生")
        ordering = ["institution", "name_pinyin", "id"]

    def __str__(self):
        return f"{self.name} {self.title}"

    def save(self, *args, **kwargs):
        keys = pinyin_keys(self.name, person=True)
        self.name_pinyin, self.name_pinyin_alt = keys.pinyin[:255], keys.pinyin_alt[:255]
        self.name_initials, self.name_initials_alt = keys.initials[:50], keys.initials_alt[:50]
        _with_search_fields(
            kwargs, ["name_pinyin", "name_initials", "name_pinyin_alt", "name_initials_alt"]
        )
        super().save(*args, **kwargs)


def _with_search_fields(kwargs, fields):
    """A save limited to some fields still writes the search keys when the name is one."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "name" in update_fields:
        kwargs["update_fields"] = {*update_fields, *fields}


class NoticeKind(models.TextChoices):
    SUSPENSION = "suspension", _("停诊")
    VISITING_EXPERT = "visiting_expert", _("专家来院")


class DoctorNoticeQuerySet(models.QuerySet):
    def current(self, today=None):
        """Published notices whose period has not ended. An announced suspension shows before
        it starts: that is when a patient decides whether to book."""
        today = today or timezone.localdate()
        return self.filter(is_published=True, ends_on__gte=today)

    def for_doctor(self, doctor):
        return self.filter(doctor=doctor)

    def for_department(self, department):
        """The department's own notices and those of doctors working in it."""
        return self.filter(Q(department=department) | Q(doctor__in=department.doctors.all()))


class DoctorNotice(models.Model):
    """A suspension (停诊) or visiting-expert (专家来院) notice, shown on the doctor's and the
    department's pages while current. Publishing one also tells the patients already booked
    (booking.actions.announce_notice: a suspension suspends the sessions it covers); booking's
    suspension of one session creates one too."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="notices", verbose_name=_("机构")
    )
    kind = models.CharField(
        _("类型"),
        max_length=20,
        choices=NoticeKind.choices,
        help_text=_(
            "发布后推送给已预约的患者:停诊通知同时停诊期间内的出诊(患者可取消并全额退款)。"
        ),
    )
    doctor = models.ForeignKey(
        Doctor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("医生"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("科室"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    text = models.TextField(_("内容"))
    text_en = models.TextField(_("英文内容"), blank=True)
    is_published = models.BooleanField(_("发布"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # When the booked patients were told (booking.actions.announce_notice): once per notice.
    announced_at = models.DateTimeField(_("推送时间"), null=True, blank=True, editable=False)

    objects = DoctorNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("出诊通知")
        verbose_name_plural = _("出诊通知")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(doctor__isnull=False) | Q(department__isnull=False),
                name="notice_has_doctor_or_department",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="notice_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["institution", "is_published", "ends_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    def clean(self):
        errors = {}
        if not self.doctor_id and not self.department_id:
            errors["doctor"] = _("请选择医生或科室。")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("结束日期不能早于开始日期。")
        for field in ("doctor", "department"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related and self.institution_id and related.institution_id != self.institution_id:
                errors[field] = _("不属于该机构。")
        if (
            self.doctor_id
            and self.department_id
            and not self.doctor.departments.filter(pk=self.department_id).exists()
        ):
            errors["department"] = _("该医生不在此科室出诊。")
        if errors:
            raise ValidationError(errors)
