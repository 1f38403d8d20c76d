#!/usr/bin/env python3
"""Print the current 6-digit TOTP code for a base32 secret (RFC 6238), for demos and scripts.

Standard library only: python deploy/totp_code.py SECRET
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import sys
import time


def totp(secret_b32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    key = base64.b32decode(padded)
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: totp_code.py BASE32_SECRET")
    print(totp(sys.argv[1]))
