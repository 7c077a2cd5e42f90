"""Send recorded callback payloads (``wechat/fixtures/*.xml``) the way WeChat's servers do.

``WeChatCallbacks(client, account, settings).check_callback("text__keyword", mode="safe",
expect_reply={"Content": "…"})`` signs the fixture (and encrypts it in safe mode, or in
compatible mode with ``encrypted=True``) with ``callback.sign_request``, posts it to
``/wechat/<slug>/`` through Django's test client and opens the reply with
``callback.open_reply``. Fixture fields can be replaced (``Content="…"``); CreateTime is now
unless given, as it would be on the wire.
"""

import re
import time
from pathlib import Path
from urllib.parse import urlencode

from carebridge.wechat import callback, xml
from carebridge.wechat.credentials import sandbox_credentials

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODES = ("plaintext", "compatible", "safe")
# (mode, encrypted): every way a request can reach us; compatible mode accepts both.
TRANSPORTS = [
    ("plaintext", False),
    ("compatible", False),
    ("compatible", True),
    ("safe", True),
]


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.xml").read_text(encoding="utf-8")


def fixture_names(prefix: str = "") -> list[str]:
    return sorted(
        p.stem
        for p in FIXTURES.glob("*.xml")
        if p.stem.startswith(prefix) and "bad__" not in p.stem
    )


def replace_field(body: str, name: str, value) -> str:
    """``body`` with the top-level <name> element's text set to ``value``."""
    text = str(value)
    if isinstance(value, str) and not value.isdigit():
        text = "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    pattern = re.compile(rf"<{name}>.*?</{name}>", re.S)
    if not pattern.search(body):
        return body.replace("</xml>", f"<{name}>{text}</{name}>\n</xml>")
    return pattern.sub(lambda _: f"<{name}>{text}</{name}>", body, count=1)


class WeChatCallbacks:
    def __init__(self, client, account, settings):
        self.client = client
        self.account = account
        self.settings = settings

    def use_mode(self, mode: str):
        creds = sandbox_credentials(self.account.slug, mode=mode)
        self.settings.WECHAT_CREDENTIALS = {
            **self.settings.WECHAT_CREDENTIALS,
            self.account.slug: creds,
        }
        return creds

    def body(self, name: str, **fields) -> str:
        body = fixture(name)
        fields.setdefault("CreateTime", int(time.time()))
        for field, value in fields.items():
            body = replace_field(body, field, value)
        return body

    def post(self, body: str, mode="safe", encrypted=None, timestamp=None, params=None):
        """POST a message document; returns (response, credentials, encrypted)."""
        creds = self.use_mode(mode)
        encrypted = (mode == "safe") if encrypted is None else encrypted
        signed, payload = callback.sign_request(creds, body, encrypted, timestamp=timestamp)
        signed.update(params or {})
        response = self.client.post(
            f"/wechat/{self.account.slug}/?{urlencode(signed)}",
            data=payload,
            content_type="text/xml",
        )
        return response, creds, encrypted

    def check_callback(
        self,
        name: str,
        mode: str = "safe",
        encrypted=None,
        expect_reply=None,
        expect_status: int = 200,
        **fields,
    ) -> dict:
        """Send fixture ``name``; check the status and, if given, that the opened reply has
        every field of ``expect_reply`` (``{}`` means: answered ``success``). Returns the
        opened reply ({} for ``success``)."""
        response, creds, encrypted = self.post(self.body(name, **fields), mode, encrypted)
        assert response.status_code == expect_status, response.content[:300]
        if expect_status != 200:
            return {}
        text = response.content.decode()
        reply = callback.open_reply(creds, text)
        if reply:
            # An encrypted request gets an encrypted reply, a plain one a plain reply.
            assert ("<Encrypt>" in text) == encrypted, text[:200]
            sent = xml.parse(fixture(name).encode())
            assert reply["ToUserName"] == sent["FromUserName"]
            assert reply["FromUserName"] == sent["ToUserName"]
        else:
            assert text == "success"
        if expect_reply is not None:
            if expect_reply == {}:
                assert reply == {}, reply
            for key, value in expect_reply.items():
                assert reply.get(key) == value, (key, reply)
        return reply
