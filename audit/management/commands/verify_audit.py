"""Verify every audit hash chain and every signed checkpoint; exit non-zero on any break.

Exit status: 0 all verified and covered; 1 a break (evidence of tampering) was found; 3 no break,
but some stream heads are not covered by any checkpoint although they should be (a late commit
the incremental checkpoints cannot see: run ``audit_checkpoint --full``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from audit.verification import Report, compare_with_export, parse_export, verify

EXIT_BROKEN = 1
EXIT_INCOMPLETE = 3


def _estimated_events(stream: str | None) -> int:
    """A cheap total for the ETA: the planner's estimate on PostgreSQL, a count elsewhere."""
    with connection.cursor() as cursor:
        if stream is not None:
            cursor.execute("SELECT count(*) FROM audit_auditevent WHERE stream = %s", [stream])
        else:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class "
                    "WHERE oid = 'audit_auditevent'::regclass"
                )
                estimate = int(cursor.fetchone()[0])
                if estimate > 0:
                    return estimate
            # Never analysed (or not PostgreSQL): count; only slow on tables too big for that.
            cursor.execute("SELECT count(*) FROM audit_auditevent")
        return int(cursor.fetchone()[0])


class Command(BaseCommand):
    help = (
        "Recompute every audit hash chain and check every checkpoint signature. Exit status 0 "
        "and a one-line summary when all is well; 1 and a report naming the first break when "
        "the trail was tampered with; 3 when nothing is broken but stream heads old enough to "
        "be checkpointed are not (run audit_checkpoint --full)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stream", help="verify only this stream's chain (a case id)")
        parser.add_argument(
            "--against", metavar="FILE",
            help="also compare with checkpoints exported earlier by audit_export_checkpoints",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options["stream"]
        started = time.monotonic()
        progress = self._progress(stream, started) if self.stdout.isatty() else None
        report = verify(stream=stream, progress=progress)
        if options["against"]:
            try:
                with open(options["against"], encoding="utf-8", errors="replace") as handle:
                    compare_with_export(report, parse_export(report, handle))
            except OSError as exc:
                raise CommandError(
                    f"cannot read the export file: {exc.strerror or type(exc).__name__}",
                    returncode=EXIT_BROKEN,
                ) from None
        elapsed = time.monotonic() - started
        if progress is not None:
            self.stdout.write("\r\033[K", ending="")
        if report.ok and report.complete:
            self.stdout.write(
                f"OK: {report.events:,} events in {report.streams:,} stream(s), "
                f"{report.checkpoints:,} checkpoint(s) and {report.heads:,} checkpointed head(s) "
                f"verified in {elapsed:.1f}s."
            )
            return
        self._write_problems(report)
        if not report.ok:
            raise CommandError(
                f"audit verification FAILED: {report.problem_count} problem(s); "
                f"first break: {report.problems[0]}",
                returncode=EXIT_BROKEN,
            )
        raise CommandError(
            f"audit verification INCOMPLETE: no break found, but {report.warning_count} stream "
            "head(s) are not covered by any checkpoint; run manage.py audit_checkpoint --full, "
            "then verify again",
            returncode=EXIT_INCOMPLETE,
        )

    def _write_problems(self, report: Report) -> None:
        self.stderr.write(
            f"Verified {report.events:,} events in {report.streams:,} stream(s) and "
            f"{report.checkpoints:,} checkpoint(s); found {report.problem_count} problem(s) "
            f"and {report.warning_count} uncovered stream head(s):"
        )
        for problem in report.problems:
            self.stderr.write(f"  - {problem}")
        if report.problem_count > len(report.problems):
            self.stderr.write(f"  ... and {report.problem_count - len(report.problems)} more")
        for warning in report.warnings:
            self.stderr.write(f"  - WARNING: {warning}")
        if report.warning_count > len(report.warnings):
            self.stderr.write(
                f"  ... and {report.warning_count - len(report.warnings)} more warning(s)"
            )

    def _progress(self, stream: str | None, started: float) -> Any:
        total = max(_estimated_events(stream), 1)

        def show(done: int) -> None:
            nonlocal total
            total = max(total, done)  # the planner's estimate may lag behind
            elapsed = max(time.monotonic() - started, 1e-6)
            rate = done / elapsed
            remaining = max(total - done, 0) / rate if rate else 0
            self.stdout.write(
                f"\r\033[Kverifying: {done:,} of ~{total:,} events "
                f"({min(done / total, 1):.0%}), {rate:,.0f}/s, ETA {remaining:.0f}s",
                ending="",
            )
            self.stdout.flush()

        return show
