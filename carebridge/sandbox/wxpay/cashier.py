"""WeChat's cashier (收银台) as the phone simulator plays it: the H5 page's
``getBrandWCPayRequest`` parameters checked as WeChat checks them before it shows the pay sheet
(paySign over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n``, SHA256withRSA with the merchant's
registered key), and the payer paying (transactions.pay)."""

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from carebridge.billing.models import Merchant

from ..models import SandboxPayMerchant, SandboxPayOrder
from . import PayError

FIELDS = ("appId", "timeStamp", "nonceStr", "package", "signType", "paySign")
PACKAGE_PREFIX = "prepay_id="


@dataclass(frozen=True)
class Sheet:
    """What the pay sheet shows: the amount from the sandbox's own record of the prepay."""

    order: SandboxPayOrder
    merchant_name: str

    def as_json(self) -> dict:
        total = self.order.total
        return {
            "merchant": self.merchant_name,
            "description": self.order.description,
            "total": total,
            "amount": f"{total // 100}.{total % 100:02d}",  # 元, from integer fen
        }


def check_request(params: dict, app_id: str, openid: str) -> Sheet:
    """The sheet for a page's request made in ``app_id``'s pages by ``openid``; PayError (the
    callback's ``:fail``) for missing fields, a bad paySign, someone else's or a finished order."""
    for name in FIELDS:
        if not isinstance(params.get(name), str) or not params[name]:
            raise PayError(400, "PARAM_ERROR", f"调用支付JSAPI缺少参数：{name}")
    if params["signType"] != "RSA":
        raise PayError(400, "PARAM_ERROR", "signType 须为 RSA")
    if params["appId"] != app_id:
        raise PayError(400, "PARAM_ERROR", "appId 与当前公众号不一致")
    package = params["package"]
    prepay_id = package[len(PACKAGE_PREFIX) :] if package.startswith(PACKAGE_PREFIX) else ""
    order = SandboxPayOrder.objects.filter(prepay_id=prepay_id).first() if prepay_id else None
    if order is None or order.appid != params["appId"]:
        raise PayError(400, "PARAM_ERROR", "prepay_id 无效或已失效")
    merchant = SandboxPayMerchant.objects.get(mchid=order.mchid)
    _verify_pay_sign(params, merchant)
    if order.openid != openid:
        raise PayError(403, "NO_AUTH", "当前微信用户不是下单时的付款人")
    if order.trade_state == "SUCCESS":
        raise PayError(400, "ORDERPAID", "该订单已支付")
    if order.trade_state == "CLOSED" or order.time_expire <= timezone.now():
        raise PayError(400, "ORDER_CLOSED", "订单已关闭或已过支付期限")
    return Sheet(order, _merchant_name(order.mchid))


def _verify_pay_sign(params: dict, merchant: SandboxPayMerchant) -> None:
    message = "".join(f"{params[name]}\n" for name in ("appId", "timeStamp", "nonceStr", "package"))
    key = serialization.load_pem_public_key(merchant.merchant_public_key.encode())
    try:
        key.verify(
            base64.b64decode(params["paySign"], validate=True),
            message.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as exc:
        raise PayError(400, "SIGN_ERROR", "支付验证签名失败") from exc


def _merchant_name(mchid: str) -> str:
    """The name the payer sees: the institution the merchant was enrolled for (merchants.enroll),
    as WeChat shows a merchant's registered name."""
    merchant = Merchant.objects.filter(mchid=mchid).select_related("institution").first()
    return merchant.institution.name if merchant else mchid
