"""Back office for what comes in: auto-reply rules (with "try a message"), followers, and the
callback receipts kept for debugging."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin, Scope
from carebridge.institutions.models import WeChatAccount

from .. import router
from ..actions.messaging import TEXT_MAX_BYTES, send_custom_message
from ..actions.routing import set_rules_active
from ..actions.service_window import window_open
from ..handlers import ACTIONS, choices
from ..limits import LimitExceeded
from ..models import AutoReply, CallbackReceipt, Follower
from ..models.routing import ReplyType


class AutoReplyForm(forms.ModelForm):
    action = forms.ChoiceField(
        label=_("功能"),
        required=False,
        choices=lambda: [("", "---------")] + choices(),
        help_text=_("回复类型为“功能”时，由哪个已注册的功能回答"),
    )

    class Meta:
        model = AutoReply
        fields = [
            "account",
            "trigger",
            "match_type",
            "pattern",
            "priority",
            "is_active",
            "reply_type",
            "text",
            "articles",
            "action",
        ]


class TryMessageForm(forms.Form):
    KINDS = [
        ("text", _("用户发送文字（或语音识别结果）")),
        ("click", _("点击菜单（菜单键）")),
        ("subscribe", _("关注（二维码场景值，可留空）")),
        ("scan", _("已关注用户扫码（场景值）")),
    ]
    account = forms.ModelChoiceField(queryset=WeChatAccount.objects.none(), label=_("公众号"))
    kind = forms.ChoiceField(choices=KINDS, label=_("消息类型"))
    value = forms.CharField(label=_("内容"), max_length=2000, required=False)


@admin.register(AutoReply)
class AutoReplyAdmin(InstitutionScopedAdmin):
    form = AutoReplyForm
    institution_path = "account__institution"
    change_list_template = "admin/wechat/autoreply/change_list.html"
    list_display = [
        "trigger",
        "pattern",
        "match_type",
        "priority",
        "reply_type",
        "reply_summary",
        "is_active",
        "account",
    ]
    list_display_links = ["trigger", "pattern"]
    list_editable = ["priority", "is_active"]
    list_filter = ["trigger", "match_type", "reply_type", "is_active", "account"]
    search_fields = ["pattern", "text", "action"]
    list_select_related = ["account"]
    actions = ["enable", "disable"]
    fieldsets = [
        (
            None,
            {"fields": ["account", "trigger", "match_type", "pattern", "priority", "is_active"]},
        ),
        (_("回复"), {"fields": ["reply_type", "text", "articles", "action"]}),
    ]

    @admin.display(description=_("回复"))
    def reply_summary(self, rule):
        if rule.reply_type == ReplyType.ACTION:
            registered = ACTIONS.get(rule.action)
            return registered.label if registered else _("（未注册：%s）") % rule.action
        if rule.reply_type == ReplyType.NEWS:
            return _("%d 篇图文") % len(rule.articles or [])
        return Truncator(rule.text).chars(40)

    @admin.action(description=_("启用所选规则"))
    def enable(self, request, queryset):
        count = set_rules_active(queryset, True)
        self.message_user(request, _("已启用 %d 条规则") % count, messages.SUCCESS)

    @admin.action(description=_("停用所选规则"))
    def disable(self, request, queryset):
        count = set_rules_active(queryset, False)
        self.message_user(request, _("已停用 %d 条规则") % count, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view(self.try_message_view)
        return [path("try/", view, name="wechat_autoreply_try"), *super().get_urls()]

    def try_message_view(self, request):
        """Which rule answers a message, and what it says: nothing is sent or changed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TryMessageForm(request.GET or None)
        form.fields["account"].queryset = Scope(request).limit(WeChatAccount.objects.all())
        result = rule = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            result = router.preview(data["account"], data["kind"], data["value"])
            if result.rule_id is not None:
                rule = get_object_or_404(AutoReply, pk=result.rule_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("试一试：哪条规则会回答"),
            "form": form,
            "result": result,
            "rule": rule,
            "answer_is_text": isinstance(getattr(result, "answer", None), str),
        }
        return TemplateResponse(request, "admin/wechat/autoreply/try.html", context)


class CustomMessageForm(forms.Form):
    text = forms.CharField(
        label=_("消息内容"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_("客服消息：仅在用户最近与公众号互动后的时限内可发送（最多 %(max)d 个字节）")
        % {"max": TEXT_MAX_BYTES},
    )


@admin.register(Follower)
class FollowerAdmin(InstitutionScopedAdmin):
    institution_path = "account__institution"
    change_form_template = "admin/wechat/follower/change_form.html"
    list_display = [
        "openid",
        "nickname",
        "subscribed",
        "source_scene",
        "subscribed_at",
        "unsubscribed_at",
        "last_interaction_at",
        "account",
    ]
    list_filter = ["subscribed", "source_scene", "account"]
    search_fields = ["=openid", "nickname", "unionid"]
    list_select_related = ["account"]
    date_hierarchy = "subscribed_at"
    # Kept from WeChat's events and user list: staff read it, they do not edit it.
    readonly_fields = [f.name for f in Follower._meta.fields]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.message_view)
        return [
            path("<path:object_id>/message/", view, name="wechat_follower_message"),
            *super().get_urls(),
        ]

    def message_view(self, request, object_id):
        """Write to one follower as customer service. WeChat's window rules are checked before
        anything is queued: outside them the form says why and nothing is sent."""
        follower = get_object_or_404(
            self.get_queryset(request).select_related("account"), pk=object_id
        )
        if not self.has_change_permission(request, follower):
            raise PermissionDenied
        form = CustomMessageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                send_custom_message(follower.account, follower.openid, form.cleaned_data["text"])
            except LimitExceeded as exc:
                for problem in exc.messages:
                    form.add_error("text", problem)
            else:
                self.message_user(
                    request,
                    gettext("客服消息已排队发送给 %(follower)s") % {"follower": follower},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:wechat_follower_change", args=[follower.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": follower,
            "title": _("发送客服消息"),
            "form": form,
            "window_open": follower.subscribed and window_open(follower),
        }
        return TemplateResponse(request, "admin/wechat/follower/message.html", context)


@admin.register(CallbackReceipt)
class CallbackReceiptAdmin(InstitutionScopedAdmin):
    """Every message and event WeChat delivered, with our reply: for debugging, read-only."""

    institution_path = "account__institution"
    list_display = ["received_at", "msg_type", "event", "openid", "replied", "account"]
    list_filter = ["msg_type", "event", "account"]
    search_fields = ["=openid", "=dedup_key"]
    list_select_related = ["account"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in CallbackReceipt._meta.fields]

    @admin.display(description=_("已回复"), boolean=True)
    def replied(self, receipt):
        return bool(receipt.reply)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # retention clean-up only
