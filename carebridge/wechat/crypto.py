"""WeChat's callback signatures and safe-mode message encryption (WXBizMsgCrypt).

AES-256-CBC, key = base64(EncodingAESKey + "="), IV = first 16 key bytes, PKCS#7 padding to a
32-byte block; plaintext = 16 random bytes + 4-byte big-endian length + message + AppID.
Tested against wechatpy's independent implementation (tests/test_crypto.py).
"""

import base64
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(ValueError):
    """The message cannot be trusted: bad signature, bad padding or another AppID."""


def signature(*parts: str) -> str:
    """SHA-1 of the sorted, concatenated parts (token, timestamp, nonce[, encrypted])."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(expected: str, *parts: str) -> bool:
    return hmac.compare_digest(signature(*parts), (expected or "").lower())


def _key(aes_key: str) -> bytes:
    try:
        key = base64.b64decode(aes_key + "=", validate=True)
    except ValueError as exc:
        raise CryptoError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must be 43 characters")
    return key


def encrypt(message: bytes, aes_key: str, app_id: str, random: bytes | None = None) -> str:
    key = _key(aes_key)
    random = os.urandom(16) if random is None else random
    body = random + struct.pack(">I", len(message)) + message + app_id.encode()
    pad = BLOCK - len(body) % BLOCK
    body += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(body) + encryptor.finalize()).decode()


def decrypt(encrypted: str, aes_key: str, app_id: str) -> bytes:
    key = _key(aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except ValueError as exc:
        raise CryptoError("Encrypt is not base64") from exc
    if not data or len(data) % 16:
        raise CryptoError("Encrypt has a bad length")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise CryptoError("bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise CryptoError("message too short")
    (length,) = struct.unpack(">I", plain[16:20])
    message, tail = plain[20 : 20 + length], plain[20 + length :]
    if len(message) != length or not hmac.compare_digest(tail, app_id.encode()):
        raise CryptoError("message is for another AppID")
    return message
