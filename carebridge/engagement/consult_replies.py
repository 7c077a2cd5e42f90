"""The consultations' router actions: a chat message no keyword answers becomes a consultation
(bind the account's default reply to ``consultation``), and the 咨询 menu button tells the
patient how to ask (``consult_prompt``)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carebridge.wechat.actions.followers_pending import catch_up
from carebridge.wechat.handlers import Context, action
from carebridge.wechat.models import Follower

from .actions.consultations import receive_question
from .models import ConsultChannel


def _ask_url(ctx: Context) -> str:
    return settings.SITE_URL + reverse("engagement:ask", kwargs={"slug": ctx.account.slug})


def _follower(ctx: Context):
    """The sender's row: a first message's is made from its receipt (followers_pending)."""
    if ctx.follower is not None:
        return ctx.follower
    catch_up(ctx.account.pk, ctx.message.openid)
    return Follower.objects.filter(account=ctx.account, openid=ctx.message.openid).first()


@action("consultation", label=gettext_lazy("记录咨询留言"))
def consultation(ctx: Context) -> str:
    """A text (or a voice with its recognition) becomes a consultation; anything else (a
    picture, a location) is asked to be written, with the form's link."""
    text = ctx.message.text
    follower = _follower(ctx)
    if follower is None or not text or not text.strip():
        return _('请用文字描述您的问题，或<a href="%(url)s">填写咨询表单</a>。') % {
            "url": _ask_url(ctx)
        }
    try:
        return receive_question(ctx.account, follower, text, ConsultChannel.WECHAT).reply
    except ValidationError as exc:
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)


@action("consult_prompt", label=gettext_lazy("咨询入口"))
def consult_prompt(ctx: Context) -> str:
    return _(
        '请直接发送文字描述您的问题，我们会转给相关科室；也可以<a href="%(url)s">填写咨询表单</a>'
        "（可选择就诊人）。急危重症请立即拨打120。"
    ) % {"url": _ask_url(ctx)}
