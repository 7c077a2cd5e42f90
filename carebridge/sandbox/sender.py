"""The sandbox's callback sender: delivers a message or event to an account's callback URL the
way WeChat's servers do (signed, encrypted per the account's mode, 5-second timeout, three
tries), and files the reply on the simulated phone."""

import logging
import time

import httpx
from django.conf import settings

from carebridge.wechat import callback, xml
from carebridge.wechat.credentials import get_credentials

from .models import SandboxMessage

log = logging.getLogger("carebridge.sandbox")
TRIES = 3


def callback_url(slug: str) -> str:
    return f"{settings.SITE_URL}/wechat/{slug}/"


def build_message(openid: str, fields: dict, to_user: str = "gh_sandbox") -> dict:
    """A full message dict: WeChat's envelope fields plus ``fields`` (MsgType, Content…)."""
    return {"ToUserName": to_user, "FromUserName": openid, "CreateTime": int(time.time()), **fields}


def deliver(slug: str, message: dict, url: str | None = None) -> dict:
    """POST ``message`` to the account's callback (``url``, default ``callback_url(slug)``);
    return the reply as a dict ({} = success).

    Retries like WeChat: up to three tries, each with a 5-second timeout.
    """
    url = url or callback_url(slug)
    creds = get_credentials(slug)
    encrypted = creds.mode != "plaintext"
    body_xml = xml.render(message)
    last_error = None
    for attempt in range(1, TRIES + 1):
        params, body = callback.sign_request(creds, body_xml, encrypted)
        try:
            response = httpx.post(
                url,
                params=params,
                content=body,
                timeout=5.0,
                headers={"Content-Type": "text/xml"},
            )
        except httpx.HTTPError as exc:
            last_error = f"try {attempt}: {exc.__class__.__name__}"
            continue
        if response.status_code != 200:
            last_error = f"try {attempt}: HTTP {response.status_code} {response.text[:200]}"
            continue
        reply = callback.open_reply(creds, response.text)
        if reply:
            SandboxMessage.objects.create(
                app_id=creds.app_id,
                openid=message.get("FromUserName", ""),
                kind="reply",
                body=reply,
            )
        return reply
    log.warning("sandbox could not deliver to %s: %s", slug, last_error)
    raise DeliveryFailed(last_error or "no answer")


class DeliveryFailed(Exception):
    pass
