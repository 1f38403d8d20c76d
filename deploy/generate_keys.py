#!/usr/bin/env python3
"""Print a fresh key line for ENCRYPTION_KEYS, BLIND_INDEX_KEYS or AUDIT_SIGNING_KEYS.

Standard library only, so it runs before anything is installed. Output format:
"<key-id>:<base64 of 32 random bytes>". To rotate, put the new line first, comma-separated:
    ENCRYPTION_KEYS="k2026b:...,k2026a:..."

Usage: python deploy/generate_keys.py [KEY_ID] [--into FILE]
With --into, the file is created only if it does not exist yet (mode 0600), so re-running
the demo never replaces a key that data is already encrypted under.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from datetime import UTC, datetime


def new_key_line(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode('ascii')}"


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    key_id = args[0] if args else "k" + datetime.now(UTC).strftime("%Y%m%d%H%M")
    if "--into" in argv:
        path = argv[argv.index("--into") + 1]
        if os.path.exists(path):
            print(f"{path} exists; keeping it.")
            return 0
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key_line(key_id) + "\n")
        print(f"Created {path} (a local demo key; git ignores it).")
        return 0
    print(new_key_line(key_id))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
