"""Sign a checkpoint over the audit stream heads now (the beat task does it every 15 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.checkpoints import checkpoint_create


class Command(BaseCommand):
    help = "Sign the heads of the audit streams that moved since the last checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true",
            help="consider every stream, not only those active since the last checkpoint",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = checkpoint_create(full=options["full"])
        if checkpoint is None:
            self.stdout.write("Nothing moved since the last checkpoint; none created.")
        else:
            self.stdout.write(
                f"Checkpoint {checkpoint.seq} signed with key {checkpoint.key_id}: "
                f"{checkpoint.head_count} stream head(s)."
            )
