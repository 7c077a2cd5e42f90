"""Back office for what goes out: the custom menu, QR scenes, template and mass sends.

Creating a QR scene or a mass-send draft runs its action inside the add form's validation, so
WeChat's limits (and WeChat's own refusals) come back as form errors, not as a half-made row.
"""

import base64

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from .. import limits, menu, qr
from ..actions.menu import sync_menu
from ..actions.messaging import draft_mass_send, preview_mass_send, submit_mass_send
from ..actions.qr import create_qr_scene
from ..models import MassSend, MenuButton, QrScene, TemplateSend
from ..models.messaging import MassMsgType, SendStatus
from ..transport import WeChatError


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, limits.LimitExceeded):
        return exc.messages
    return [str(exc)]


class ActionAddForm(forms.ModelForm):
    """An add form whose saving is an action: ``perform()`` runs once the form is valid and
    returns the row the action made; its refusals become form errors."""

    def perform(self):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.instance.pk:
            return
        try:
            self.instance = self.perform()
        except (limits.LimitExceeded, WeChatError) as exc:
            for problem in _problems(exc):
                self.add_error(None, problem)


class ActionAddAdmin(InstitutionScopedAdmin):
    institution_path = "account__institution"
    editable_after_add: list[str] = []

    def save_model(self, request, obj, form, change):
        # An add was saved by its action already; later only a few fields may change.
        if change and self.editable_after_add:
            obj.save(update_fields=self.editable_after_add)


# --- the custom menu ---------------------------------------------------------------------


def _button(data: dict) -> dict:
    return {k: data.get(k) or "" for k in ("name", "type", "key", "url", "appid", "pagepath")}


class TopButtonForm(forms.ModelForm):
    class Meta:
        model = MenuButton
        fields = ["account", "position", "name", "type", "key", "url", "appid", "pagepath"]

    def clean(self):
        data = super().clean()
        account = data.get("account")
        if account is not None:
            others = MenuButton.objects.filter(account=account, parent=None)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.count() >= menu.MAX_TOP:
                raise forms.ValidationError(
                    gettext("一级菜单最多 %(max)d 个，该公众号已有 %(count)d 个")
                    % {"max": menu.MAX_TOP, "count": others.count()}
                )
        # A button without a type opens sub-buttons: only its name is checked here, the rest
        # with its sub-buttons (SubButtonFormSet).
        errors = menu.button_errors(_button(data), "top", children=0 if data.get("type") else 1)
        if errors:
            raise forms.ValidationError(errors)
        return data


class SubButtonFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
        ]
        errors = []
        for form in kept:
            errors += menu.button_errors(_button(form.cleaned_data), "sub")
        where = gettext("一级菜单") + f"「{self.instance.name}」"
        if self.instance.type and kept:
            errors.append(gettext("%(where)s：有子菜单的一级菜单不能再设置类型") % {"where": where})
        if not self.instance.type and not kept:
            errors.append(
                gettext("%(where)s：请设置菜单类型，或添加 1～5 个子菜单") % {"where": where}
            )
        if len(kept) > menu.MAX_SUB:
            errors.append(
                gettext("%(where)s：子菜单最多 %(max)d 个，现在有 %(count)d 个")
                % {"where": where, "max": menu.MAX_SUB, "count": len(kept)}
            )
        if errors:
            raise forms.ValidationError(errors)


class SubButtonInline(admin.TabularInline):
    model = MenuButton
    fk_name = "parent"
    formset = SubButtonFormSet
    fields = ["position", "name", "type", "key", "url", "appid", "pagepath"]
    extra = 0
    max_num = menu.MAX_SUB
    verbose_name = _("子菜单")
    verbose_name_plural = _("子菜单（最多 5 个）")


@admin.register(MenuButton)
class MenuButtonAdmin(InstitutionScopedAdmin):
    form = TopButtonForm
    institution_path = "account__institution"
    inlines = [SubButtonInline]
    list_display = ["name", "type", "position", "sub_buttons", "account"]
    list_filter = ["account"]
    ordering = ["account", "position", "id"]
    actions = ["push_menu"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(parent=None).prefetch_related("children")

    @admin.display(description=_("子菜单"))
    def sub_buttons(self, obj):
        return "、".join(c.name for c in sorted(obj.children.all(), key=lambda c: c.position))

    def save_formset(self, request, form, formset, change):
        for sub in formset.save(commit=False):
            sub.account = form.instance.account  # sub-buttons belong to their menu's account
            sub.save()
        for gone in formset.deleted_objects:
            gone.delete()

    @admin.action(description=_("发布菜单到微信"))
    def push_menu(self, request, queryset):
        for account in {button.account for button in queryset.select_related("account")}:
            try:
                pushed = sync_menu(account)
            except (limits.LimitExceeded, WeChatError) as exc:
                problems = "；".join(_problems(exc))
                self.message_user(
                    request,
                    gettext("%(account)s：菜单未发布：%(problems)s")
                    % {"account": account, "problems": problems},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(account)s：菜单已发布（%(count)d 个一级菜单）")
                    % {"account": account, "count": len(pushed["button"])},
                    messages.SUCCESS,
                )


# --- QR scenes ---------------------------------------------------------------------------


class QrSceneForm(ActionAddForm):
    class Meta:
        model = QrScene
        fields = ["account", "label", "permanent", "scene_id", "scene_str", "expire_seconds"]
        help_texts = {
            "expire_seconds": _("临时二维码的有效期，最长 2592000 秒（30 天）；留空为 30 天"),
            "scene_id": _("永久二维码 1～100000；与场景值字符串二选一"),
        }

    def perform(self):
        data = self.cleaned_data
        return create_qr_scene(
            data["account"],
            data["label"],
            permanent=data["permanent"],
            scene_id=data.get("scene_id"),
            scene_str=data.get("scene_str") or "",
            expire_seconds=data.get("expire_seconds"),
        )


@admin.register(QrScene)
class QrSceneAdmin(ActionAddAdmin):
    form = QrSceneForm
    editable_after_add = ["label"]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None and request.method == "POST":
            # Adding calls WeChat. The admin wraps its form views in one transaction, which
            # would stay open (holding SQLite's write lock) across the HTTP call; the action
            # makes its own short transactions instead.
            return self._changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    list_display = [
        "label",
        "scene",
        "permanent",
        "expires_at",
        "subscribe_count",
        "scan_count",
        "account",
    ]
    list_filter = ["permanent", "account"]
    search_fields = ["label", "scene_str"]
    readonly_fields = ["image", "ticket", "url", "expires_at", "subscribe_count", "scan_count"]

    @admin.display(description=_("场景值"))
    def scene(self, obj):
        return obj.scene

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.form.Meta.fields[:1], *self.form.Meta.fields[2:], *self.readonly_fields]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.form.Meta.fields
        return ["label", *self.get_readonly_fields(request, obj)]

    @admin.display(description=_("二维码"))
    def image(self, obj):
        if not obj.url:
            return "-"
        data = base64.b64encode(qr.png(obj.url, scale=5)).decode()
        return format_html(
            '<img src="data:image/png;base64,{}" alt="{}" width="200"><br>'
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            data,
            obj.label,
            qr.image_url(obj.ticket),
            gettext("微信生成的二维码图片"),
        )


# --- template messages -------------------------------------------------------------------


class ReadOnlyAdmin(InstitutionScopedAdmin):
    institution_path = "account__institution"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TemplateSend)
class TemplateSendAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "openid", "template_id", "status", "delivery", "msgid", "account"]
    list_filter = ["status", "delivery", "account"]
    search_fields = ["openid", "template_id", "client_msg_id"]
    date_hierarchy = "created_at"


# --- mass sends --------------------------------------------------------------------------


class MassSendForm(ActionAddForm):
    body = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("文本群发填写文字；图文、图片、语音、视频填写素材 media_id；卡券填写 card_id"),
    )
    openid_list = forms.CharField(
        label=_("指定用户"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个 OpenID（至少 2 个）；留空则按标签或发给全部粉丝"),
    )

    class Meta:
        model = MassSend
        fields = ["account", "title", "msgtype", "tag_id", "preview_openid"]

    def perform(self):
        data = self.cleaned_data
        field = {MassMsgType.TEXT: "content", MassMsgType.WXCARD: "card_id"}.get(
            data["msgtype"], "media_id"
        )
        return draft_mass_send(
            data["account"],
            title=data["title"],
            msgtype=data["msgtype"],
            content={field: data["body"]},
            tag_id=data.get("tag_id"),
            openids=data["openid_list"].split(),
            preview_openid=data.get("preview_openid") or "",
            created_by=self.created_by,
        )


@admin.register(MassSend)
class MassSendAdmin(ActionAddAdmin):
    form = MassSendForm
    list_display = ["title", "msgtype", "target", "status", "outcome", "quota_left", "created_at"]
    list_filter = ["status", "msgtype", "account"]
    search_fields = ["title"]
    actions = ["preview", "submit"]
    readonly_fields = [
        "account",
        "title",
        "msgtype",
        "content",
        "tag_id",
        "openids",
        "preview_openid",
        "status",
        "clientmsgid",
        "msg_id",
        "result",
        "error",
        "report",
        "created_by",
        "created_at",
        "sent_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.created_by = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "account",
                "title",
                "msgtype",
                "body",
                "tag_id",
                "openid_list",
                "preview_openid",
            ]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None):
        return False  # a draft is previewed and submitted (actions), or deleted and redone

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == SendStatus.DRAFT

    def changelist_view(self, request, extra_context=None):
        accounts = {m.account for m in self.get_queryset(request).select_related("account")[:200]}
        for account in sorted(accounts, key=str):
            name = limits.mass_quota_name(account)
            self.message_user(
                request,
                gettext("%(account)s：群发额度剩余 %(left)d 次（%(rule)s）")
                % {
                    "account": account,
                    "left": limits.remaining(account, name),
                    "rule": gettext("服务号每月 4 次")
                    if account.is_service
                    else gettext("订阅号每天 1 次"),
                },
                messages.INFO,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("发送对象"))
    def target(self, obj):
        if obj.openids:
            return gettext("%(count)d 位指定用户") % {"count": len(obj.openids)}
        if obj.tag_id is not None:
            return gettext("标签 %(tag)s") % {"tag": obj.tag_id}
        return gettext("全部粉丝")

    @admin.display(description=_("结果"))
    def outcome(self, obj):
        if obj.report:
            fields = ("Status", "TotalCount", "SentCount", "ErrorCount")
            return format_html_join("", "{}: {}<br>", ((f, obj.report.get(f, "")) for f in fields))
        return obj.error or "-"

    @admin.display(description=_("剩余额度"))
    def quota_left(self, obj):
        return limits.remaining(obj.account, limits.mass_quota_name(obj.account))

    @admin.action(description=_("预览：发给预览用户"))
    def preview(self, request, queryset):
        for mass in queryset.select_related("account"):
            try:
                preview_mass_send(mass)
            except limits.LimitExceeded as exc:
                self.message_user(request, f"{mass}：{'；'.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(mass)s：预览已排队发给 %(openid)s")
                    % {"mass": mass, "openid": mass.preview_openid},
                    messages.SUCCESS,
                )

    @admin.action(description=_("提交群发（占用群发额度）"))
    def submit(self, request, queryset):
        for mass in queryset.filter(status=SendStatus.DRAFT).select_related("account"):
            try:
                with transaction.atomic():
                    submit_mass_send(mass)
            except limits.LimitExceeded as exc:
                self.message_user(request, f"{mass}：{'；'.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request, gettext("%(mass)s：已提交群发") % {"mass": mass}, messages.SUCCESS
                )
