"""Print the public half of the current checkpoint-signing key, as an AUDIT_VERIFY_KEYS entry.

Keep it when rotating AUDIT_SIGNING_KEYS: once the old private key is gone, its public key in
AUDIT_VERIFY_KEYS keeps the old checkpoints verifiable.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from audit import signing


class Command(BaseCommand):
    help = "Print the current audit signing key's public key as an AUDIT_VERIFY_KEYS entry."

    def handle(self, *args: Any, **options: Any) -> None:
        keyring = signing.keyring()
        public_key = keyring.public_keys[keyring.signing_key_id]
        self.stdout.write(signing.verify_key_line(keyring.signing_key_id, public_key))
