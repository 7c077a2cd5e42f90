from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAU_PERMIT = "hk_macau_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    # Seed 004: a children's hospital identifies a child by the child's own social security
    # number (社会保障号码, the same 18 characters as the child's resident ID number).
    SOCIAL_SECURITY = "social_security", _("社会保障卡（儿童本人）")


class Relation(models.TextChoices):
    SELF = "self", _("本人")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    SPOUSE = "spouse", _("配偶")
    OTHER = "other", _("其他")


class AccessAction(models.TextChoices):
    VIEW = "view", _("查看")
    SEARCH = "search", _("搜索")
    API_READ = "api_read", _("接口读取")
