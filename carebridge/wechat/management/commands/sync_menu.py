from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from carebridge.institutions.models import WeChatAccount
from carebridge.wechat.actions.menu import sync_menu
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.transport import WeChatError


class Command(BaseCommand):
    help = "Push each account's custom menu (edited in the back office) to WeChat."

    def add_arguments(self, parser):
        parser.add_argument("--account", help="the account's slug (default: every account)")

    def handle(self, *args, account=None, **options):
        accounts = WeChatAccount.objects.order_by("slug")
        if account:
            accounts = accounts.filter(slug=account)
            if not accounts.exists():
                raise CommandError(_("没有标识为 %(slug)s 的公众号") % {"slug": account})
        failed = []
        for item in accounts:
            try:
                menu = sync_menu(item)
            except LimitExceeded as exc:
                failed.append(item.slug)
                self.stderr.write(_("%(slug)s：菜单未发布，请先修改：") % {"slug": item.slug})
                for message in exc.messages:
                    self.stderr.write(f"  - {message}")
            except WeChatError as exc:
                failed.append(item.slug)
                self.stderr.write(
                    _("%(slug)s：微信拒绝了菜单：%(error)s") % {"slug": item.slug, "error": exc}
                )
            else:
                self.stdout.write(
                    _("%(slug)s：菜单已发布（%(count)d 个一级菜单）")
                    % {"slug": item.slug, "count": len(menu["button"])}
                )
        if failed:
            raise CommandError(_("%(count)d 个公众号的菜单未发布") % {"count": len(failed)})
