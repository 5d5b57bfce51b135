"""RFC 6238 codes, computed independently of the code under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp_at(secret: str, moment: float, *, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(moment // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp_now(secret: str) -> str:
    return totp_at(secret, time.time())
