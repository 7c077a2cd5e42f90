"""Our WXBizMsgCrypt against wechatpy's independent implementation, both directions."""

import base64

import pytest
from wechatpy.crypto import WeChatCrypto

from carebridge.wechat import crypto, xml
from carebridge.wechat.credentials import sandbox_credentials

CREDS = sandbox_credentials("crypto-test")
MESSAGE = (
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_alice]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[预约挂号 — long enough to span blocks]]></Content><MsgId>1</MsgId></xml>"
)


def theirs():
    return WeChatCrypto(CREDS.token, CREDS.aes_key, CREDS.app_id)


def test_wechatpy_decrypts_what_we_encrypt():
    encrypt = crypto.encrypt(MESSAGE.encode(), CREDS.aes_key, CREDS.app_id)
    signature = crypto.signature(CREDS.token, "1700000000", "n1", encrypt)
    envelope = xml.render({"ToUserName": "gh_1", "Encrypt": encrypt})
    assert theirs().decrypt_message(envelope, signature, "1700000000", "n1") == MESSAGE


def test_we_decrypt_what_wechatpy_encrypts():
    envelope = theirs().encrypt_message(MESSAGE, "n2", "1700000001")
    doc = xml.parse(envelope.encode())
    assert crypto.check_signature(
        doc["MsgSignature"], CREDS.token, doc["TimeStamp"], doc["Nonce"], doc["Encrypt"]
    )
    assert crypto.decrypt(doc["Encrypt"], CREDS.aes_key, CREDS.app_id).decode() == MESSAGE


@pytest.mark.parametrize("size", [0, 1, 11, 12, 31, 32, 33, 1000])
def test_round_trip_at_every_padding_length(size):
    message = ("x" * size).encode()
    encrypt = crypto.encrypt(message, CREDS.aes_key, CREDS.app_id)
    assert crypto.decrypt(encrypt, CREDS.aes_key, CREDS.app_id) == message


def test_it_refuses_a_message_for_another_appid():
    encrypt = crypto.encrypt(b"<xml/>", CREDS.aes_key, "wxsomeoneelse00000")
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(encrypt, CREDS.aes_key, CREDS.app_id)


@pytest.mark.parametrize("garbage", ["", "not base64!", "QUJD", "A" * 44])
def test_it_refuses_garbage_ciphertext(garbage):
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(garbage, CREDS.aes_key, CREDS.app_id)


def test_it_refuses_a_tampered_ciphertext():
    encrypt = crypto.encrypt(MESSAGE.encode(), CREDS.aes_key, CREDS.app_id)
    raw = bytearray(base64.b64decode(encrypt))
    raw[-1] ^= 0x01  # breaks the padding of the last block
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode(), CREDS.aes_key, CREDS.app_id)


def test_signature_matches_wechatpy():
    from wechatpy.utils import check_signature

    sig = crypto.signature(CREDS.token, "1700000000", "nonce")
    check_signature(CREDS.token, sig, "1700000000", "nonce")  # raises if it differs
