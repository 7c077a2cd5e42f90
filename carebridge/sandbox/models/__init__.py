"""The sandbox's own state: what WeChat's servers would hold about the accounts it serves."""

from django.db import models
from django.utils import timezone


class SandboxToken(models.Model):
    """An access_token or jsapi ticket the sandbox issued. A new fetch makes older ones expire
    five minutes later, as WeChat does."""

    app_id = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=16, default="access")  # access | jsapi
    value = models.CharField(max_length=600, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()


class SandboxCounter(models.Model):
    """Daily (or monthly) call counts for WeChat's quotas: token fetches, menu creates…"""

    app_id = models.CharField(max_length=32)
    name = models.CharField(max_length=64)
    period = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_id", "name", "period"], name="sandbox_counter")
        ]


class SandboxUser(models.Model):
    """A simulated WeChat user of one account (the phone simulator's person)."""

    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64, unique=True)
    unionid = models.CharField(max_length=64, blank=True)
    nickname = models.CharField(max_length=64)
    subscribed = models.BooleanField(default=False)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.BooleanField(default=False)  # 朋友圈快照页 users: no real openid consent
    created_at = models.DateTimeField(default=timezone.now)


class SandboxMessage(models.Model):
    """What arrives on a simulated phone: replies, customer-service, template and mass messages."""

    app_id = models.CharField(max_length=32, db_index=True)
    openid = models.CharField(max_length=64, db_index=True)
    direction = models.CharField(max_length=4, default="in")  # in: to the phone; out: from it
    kind = models.CharField(max_length=16)  # reply | custom | template | mass | user
    body = models.JSONField(default=dict)
    dedup_key = models.CharField(max_length=128, blank=True, db_index=True)
    msg_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)


class SandboxTemplate(models.Model):
    """A template in an account's library (我的模板), as staff add it in WeChat's console:
    the phone shows a template message with its title and field labels."""

    app_id = models.CharField(max_length=32)
    template_id = models.CharField(max_length=64)
    title = models.CharField(max_length=64)
    # WeChat's own format: one field a line, "就诊人：{{keyword1.DATA}}"; first/remark bare.
    content = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_id", "template_id"], name="sandbox_template")
        ]


class SandboxMenu(models.Model):
    """The menu last pushed with /cgi-bin/menu/create."""

    app_id = models.CharField(max_length=32, unique=True)
    body = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)


class SandboxQrTicket(models.Model):
    app_id = models.CharField(max_length=32, db_index=True)
    ticket = models.CharField(max_length=128, unique=True)
    scene = models.CharField(max_length=64)
    permanent = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)


class SandboxOAuthCode(models.Model):
    """An OAuth2 code: single use, five minutes."""

    app_id = models.CharField(max_length=32)
    code = models.CharField(max_length=64, unique=True)
    openid = models.CharField(max_length=64)
    scope = models.CharField(max_length=32)
    issued_at = models.DateTimeField(default=timezone.now)
    used = models.BooleanField(default=False)
    snapshot = models.BooleanField(default=False)  # a 快照页 virtual account (is_snapshotuser=1)
    unionid = models.CharField(max_length=64, blank=True)


class SandboxOAuthToken(models.Model):
    """A web-authorisation access_token (2 hours) and its refresh_token (30 days)."""

    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    scope = models.CharField(max_length=32)
    access_token = models.CharField(max_length=128, unique=True)
    refresh_token = models.CharField(max_length=128, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField()
    snapshot = models.BooleanField(default=False)
    unionid = models.CharField(max_length=64, blank=True)


class SandboxPayMerchant(models.Model):
    """A merchant as WeChat Pay knows it: the public key of its API certificate (to verify its
    requests), its APIv3 key (to encrypt notifications) and the platform key WeChat Pay signs
    its answers with, named by a certificate serial or a ``PUB_KEY_ID_…`` (``mode``)."""

    mchid = models.CharField(max_length=32, unique=True)
    appid = models.CharField(max_length=32)
    merchant_serial = models.CharField(max_length=64)
    merchant_public_key = models.TextField()
    apiv3_key = models.CharField(max_length=32)
    platform_private_key = models.TextField()
    platform_serial = models.CharField(max_length=64)
    platform_certificate = models.TextField()
    public_key_id = models.CharField(max_length=64)
    mode = models.CharField(max_length=16, default="public_key")  # | certificate
    # Tests: sign answers and notifications with a stray key, as a forger would.
    forge_signatures = models.BooleanField(default=False)
    # Tests: the basic account cannot cover refunds (WeChat's NOT_ENOUGH).
    balance_short = models.BooleanField(default=False)

    @property
    def serial(self) -> str:
        """What Wechatpay-Serial names in the merchant's current mode."""
        return self.public_key_id if self.mode == "public_key" else self.platform_serial


class SandboxPayOrder(models.Model):
    """An order placed with /v3/pay/transactions/jsapi (``prepay_id``) or /native
    (``code_url``; the openid is the payer's who scanned it)."""

    mchid = models.CharField(max_length=32)
    appid = models.CharField(max_length=32)
    out_trade_no = models.CharField(max_length=32)
    trade_type = models.CharField(max_length=16, default="JSAPI")  # | NATIVE
    prepay_id = models.CharField(max_length=64, unique=True)
    code_url = models.CharField(max_length=64, blank=True, db_index=True)
    description = models.CharField(max_length=127)
    total = models.PositiveIntegerField()
    openid = models.CharField(max_length=128, blank=True)
    notify_url = models.CharField(max_length=256)
    attach = models.CharField(max_length=128, blank=True)
    time_expire = models.DateTimeField()
    trade_state = models.CharField(max_length=16, default="NOTPAY")  # SUCCESS | CLOSED
    # The sum of the refunds not CLOSED and the count of all refunds asked, raised by one
    # conditional UPDATE per refund: two refunds at once never take more than the total or
    # more than the 50 places.
    refunded = models.PositiveIntegerField(default=0)
    refund_count = models.PositiveSmallIntegerField(default=0)
    transaction_id = models.CharField(max_length=32, blank=True)
    success_time = models.DateTimeField(null=True, blank=True)
    request = models.JSONField(default=dict)  # the prepay body: a retry must repeat it
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mchid", "out_trade_no"], name="sandbox_pay_order")
        ]

    @property
    def yuan(self) -> str:
        """The amount as the pay sheet and the scanner show it: 14.00."""
        return f"{self.total // 100}.{self.total % 100:02d}"


class SandboxPayRefund(models.Model):
    """A refund asked with /v3/refund/domestic/refunds: PROCESSING, then SUCCESS (or, when a
    test says so, ABNORMAL or CLOSED) at ``settle_at``."""

    order = models.ForeignKey(SandboxPayOrder, on_delete=models.CASCADE, related_name="refunds")
    mchid = models.CharField(max_length=32)
    out_refund_no = models.CharField(max_length=64)
    refund_id = models.CharField(max_length=32, unique=True)
    refund = models.PositiveIntegerField()
    reason = models.CharField(max_length=80, blank=True)
    notify_url = models.CharField(max_length=256, blank=True)
    status = models.CharField(max_length=16, default="PROCESSING")  # SUCCESS | CLOSED | ABNORMAL
    settle_at = models.DateTimeField()
    success_time = models.DateTimeField(null=True, blank=True)
    request = models.JSONField(default=dict)  # a retry must repeat it
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mchid", "out_refund_no"], name="sandbox_pay_refund")
        ]


class SandboxPayNotification(models.Model):
    """A notification WeChat Pay owes a merchant: POSTed at ``next_attempt_at`` and again on
    WeChat's retry schedule until answered 200/204 (``delivered_at``) or the schedule runs
    out (``next_attempt_at`` empty, not delivered). The body (its ``id`` and ciphertext) is the
    same on every try; the signature is made afresh for each, as WeChat's is."""

    mchid = models.CharField(max_length=32)
    notify_url = models.CharField(max_length=256)
    event_type = models.CharField(max_length=32)
    body = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)  # 0: no answer
    created_at = models.DateTimeField(default=timezone.now)


class SandboxPayBill(models.Model):
    """A trade bill applied for with /v3/bill/tradebill, downloadable for 30 s by ``token``."""

    mchid = models.CharField(max_length=32)
    token = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()  # as served: gzip of the CSV when tar_type=GZIP
    expires_at = models.DateTimeField()


class SandboxMedia(models.Model):
    """What an account uploaded or made for its own page: a thumb or image (material/
    add_material), a body picture (media/uploadimg), a draft (draft/add) and a publication
    (freepublish/submit). ``key`` is WeChat's id (media_id, the picture's URL, publish_id)."""

    app_id = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=16)  # thumb | image | uploadimg | draft | publish
    key = models.CharField(max_length=255, unique=True)
    body = models.JSONField(default=dict)  # a picture's size and type; a draft's articles…
    data = models.BinaryField(blank=True, default=b"")  # the picture's bytes, to show it
    used = models.BooleanField(default=False)  # a draft submitted: gone from the draft box
    created_at = models.DateTimeField(default=timezone.now)
