from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from carebridge.institutions.models import WeChatAccount
from carebridge.wechat.actions.followers_sync import sync_followers
from carebridge.wechat.transport import WeChatError


class Command(BaseCommand):
    help = "Bring followers in line with WeChat's user list (user/get + user/info/batchget)."

    def add_arguments(self, parser):
        parser.add_argument("--account", help="the account's slug (default: every account)")

    def handle(self, *args, account=None, **options):
        accounts = WeChatAccount.objects.order_by("slug")
        if account:
            accounts = accounts.filter(slug=account)
            if not accounts.exists():
                raise CommandError(_("没有标识为 %(slug)s 的公众号") % {"slug": account})
        failed = 0
        for item in accounts:
            try:
                result = sync_followers(item)
            except WeChatError as exc:
                failed += 1
                self.stderr.write(
                    _("%(slug)s：同步失败：%(error)s") % {"slug": item.slug, "error": exc}
                )
                continue
            self.stdout.write(
                _("%(slug)s：%(followers)d 位关注者，新增 %(created)d，标记取消关注 %(gone)d")
                % {
                    "slug": item.slug,
                    "followers": result.followers,
                    "created": result.created,
                    "gone": result.unsubscribed,
                }
            )
        if failed:
            raise CommandError(_("%(count)d 个公众号同步失败") % {"count": failed})
