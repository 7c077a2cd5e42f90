"""Push the custom menu edited in the back office to WeChat."""

import logging

from .. import limits
from ..client import WeChatClient
from ..menu import build_menu

log = logging.getLogger("carebridge.wechat")


def sync_menu(account) -> dict:
    """Validate the account's MenuButton rows, build WeChat's JSON and POST /cgi-bin/menu/create.

    Raises LimitExceeded (every problem listed, or the day's 1,000 creates used) before anything
    is sent, or WeChatError when WeChat refuses. Returns the menu that was pushed. Writes nothing
    but the day's quota, so no transaction is held open across the HTTP call.
    """
    menu = build_menu(account)
    limits.consume(account, "menu_create")  # WeChat counts calls, refused ones too
    WeChatClient(account).post("/cgi-bin/menu/create", menu)
    log.info("menu of %s pushed (%d top buttons)", account.slug, len(menu["button"]))
    return menu
