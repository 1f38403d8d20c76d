"""Export the signed checkpoints as JSON lines, to keep a copy outside the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.exporting import export_lines


class Command(BaseCommand):
    help = (
        "Write the audit checkpoints (with their stream heads) to FILE as JSON lines; "
        "'-' writes to stdout. Store the file where the database's owners cannot change it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="output file, or - for stdout")
        parser.add_argument(
            "--since", type=int, default=0,
            help="only checkpoints after this seq (for appending to an earlier export)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        if options["file"] == "-":
            for line in export_lines(since=options["since"]):
                self.stdout.write(line)
                count += 1
            return
        with open(options["file"], "w", encoding="utf-8") as handle:
            for line in export_lines(since=options["since"]):
                handle.write(line + "\n")
                count += 1
        self.stdout.write(f"Exported {count} checkpoint(s) to {options['file']}.")
