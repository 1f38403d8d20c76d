"""Export the signed checkpoints as JSON lines, to keep a copy outside the database.

The external copy is what catches deleted recent checkpoints, so this command never destroys
one: ``--since SEQ`` appends, and without it an existing non-empty file is refused unless
``--force`` says to replace it.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.exporting import export_lines


class Command(BaseCommand):
    help = (
        "Write the audit checkpoints (with their stream heads) to FILE as JSON lines; "
        "'-' writes to stdout. With --since SEQ, append the checkpoints after SEQ to FILE. "
        "Store the file where the database's owners cannot change it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="output file, or - for stdout")
        parser.add_argument(
            "--since", type=int, default=None, metavar="SEQ",
            help="only checkpoints after SEQ, appended to FILE (give the last seq already in it)",
        )
        parser.add_argument(
            "--force", action="store_true",
            help="without --since: replace FILE even if it already holds an export",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = options["since"]
        lines = export_lines(since=since or 0)
        if options["file"] == "-":
            for line in lines:
                self.stdout.write(line)
            return
        count = 0
        # "a+b" never truncates on open: the checks below decide before anything is lost.
        with open(options["file"], "a+b") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size and since is None:
                if not options["force"]:
                    raise CommandError(
                        "The export file is not empty. Append the newer checkpoints with "
                        "--since SEQ (the last seq in the file), or replace it with --force."
                    )
                handle.truncate(0)
            elif size:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":
                    raise CommandError(
                        "The export file does not end with a complete line (an interrupted "
                        "export?); repair it or export to a new file. Nothing was written."
                    )
            for line in lines:
                handle.write(line.encode("ascii") + b"\n")
                count += 1
            handle.flush()
            os.fsync(handle.fileno())
        verb = "Appended" if since is not None else "Exported"
        self.stdout.write(f"{verb} {count} checkpoint(s) to {options['file']}.")
