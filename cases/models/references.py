"""Human references for cases: ``2026-0042``, numbered per year of receipt.

Numbers come from one counter row per year, incremented with a single upsert. The row lock that
the upsert takes is held until the registering transaction commits, so two cases registered at
once get consecutive numbers and never the same one; a rolled-back registration leaves a gap,
which is harmless (references are labels, not an audit of how many cases exist).
"""

from __future__ import annotations

from django.db import connection, models, transaction


class CaseReferenceCounter(models.Model):
    """The last reference number handed out per year (see next_reference)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def format_reference(year: int, number: int) -> str:
    return f"{year}-{number:04d}"


def next_reference(year: int) -> str:
    """Allocate the next reference of ``year``; must run inside the registering transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_reference must run inside the transaction that stores the case.")
    table = connection.ops.quote_name(CaseReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        # One statement on PostgreSQL and SQLite (3.35+): insert the year's first number, or
        # increment the counter, and read the result back.
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - our table, the year bound  # nosec B608
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return format_reference(year, number)


def ensure_counter_at_least(year: int, number: int) -> None:
    """Make sure the counter of ``year`` is not behind ``number`` (after a bulk import that
    numbered its own cases)."""
    with transaction.atomic():
        counter, _ = CaseReferenceCounter.objects.select_for_update().get_or_create(year=year)
        if counter.last < number:
            counter.last = number
            counter.save(update_fields=["last"])
