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

import argparse
import base64
import os
import re
import secrets
import sys
from datetime import UTC, datetime

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")


def new_key_line(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode('ascii')}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Print or store a fresh key line.")
    parser.add_argument("key_id", nargs="?", help="defaults to k<UTC timestamp>")
    parser.add_argument("--into", metavar="FILE", help="create FILE (0600) unless it exists")
    args = parser.parse_args(argv)
    key_id = args.key_id or "k" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    if not KEY_ID.fullmatch(key_id):
        parser.error("a key id is 1-32 letters, digits, '.', '_' or '-'")
    if args.into:
        path = args.into
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
