"""Re-wrap every case data key (and the key canary) under the newest key-encryption key.

Run after putting a new key first in ENCRYPTION_KEYS (keeping the old one after it). Safe while
the application serves; resumable; a second run finds nothing to do. Once it reports no busy
cases, the old key can be removed from the configuration. See docs/encryption.md.

The rotation itself is ``crypto.rotation``; the command lives here, not in crypto, because it
records the ``keys.rotated`` audit event, and crypto imports no domain app (audit included).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, transaction

from audit import actions
from audit.actors import Actor
from audit.services import SYSTEM_STREAM, record
from crypto.checks import key_ids_in_use
from crypto.exceptions import DecryptionError
from crypto.keys import ENCRYPTION_KEYS, encryption_keyring
from crypto.rotation import keys_to_rewrap, rewrap_data_keys


class Command(BaseCommand):
    help = "Re-wrap case data keys under the newest key-encryption key (ENCRYPTION_KEYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500,
            help="Cases per transaction (default 500); each batch locks only its own rows.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS,
            help="Only the default database: the keys.rotated audit event is recorded there.",
        )

    def handle(self, *args: Any, batch_size: int, database: str, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if database != DEFAULT_DB_ALIAS:
            # audit.services.record() has no database argument: it writes to the default
            # database, inside a transaction there. Rotating another database would put the
            # keys.rotated event into the wrong database's trail, outside the rotation's own.
            raise CommandError(
                f"--database {database!r}: rotate_keys runs on the {DEFAULT_DB_ALIAS!r} database "
                "only, because its audit event can only be recorded there. Run it with that "
                "database configured as the default one (DATABASE_URL)."
            )
        ring = encryption_keyring()
        unknown = [key_id for key_id in key_ids_in_use(database) if key_id not in ring]
        if unknown:
            raise CommandError(
                f"Some cases are wrapped under {', '.join(map(repr, unknown))}, which "
                f"{ENCRYPTION_KEYS} does not contain. Configure it again (after the newest key) "
                "and re-run."
            )
        total = keys_to_rewrap(database)
        self.stdout.write(
            f"Newest key: {ring.newest_id!r}. {total} case key(s) to re-wrap "
            f"(batches of {batch_size})."
        )

        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done = count
            self.stdout.write(f"  re-wrapped {count}/{total}")

        try:
            result = rewrap_data_keys(batch_size=batch_size, using=database, progress=progress)
        except DecryptionError as exc:
            # The batches before the failing one are committed: the trail says so too.
            self._record(rewrapped=done, to_key=ring.newest_id, database=database)
            raise CommandError(f"Stopped after {done} re-wrapped: {exc}.") from None
        self._record(rewrapped=result.rewrapped, to_key=result.to_key, database=database)
        self.stdout.write(
            f"Re-wrapped {result.rewrapped} case key(s) under {result.to_key!r}; canary "
            f"{'re-wrapped' if result.canary_rewrapped else 'already current'}."
        )
        if result.skipped_busy:
            raise CommandError(
                f"{result.skipped_busy} case(s) were locked by other work and skipped; run "
                "rotate_keys again. Keep the old key configured until a run skips none."
            )
        self.stdout.write(self.style.SUCCESS("All case keys are under the newest key."))

    def _record(self, *, rewrapped: int, to_key: str, database: str) -> None:
        with transaction.atomic(using=database):
            record(
                stream=SYSTEM_STREAM,
                action=actions.KEYS_ROTATED,
                actor=Actor.system(),
                target_type="case",
                target_id="",
                detail={"rewrapped": rewrapped, "to_key": to_key},
            )
