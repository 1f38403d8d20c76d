"""Nothing written through an encrypted field is readable in the database or its dump.

Each test writes a unique marker through every kind of encrypted field and then looks for it
(as text, and hex-encoded as a bytea dump would show it) with plain SQL and with pg_dump. The
blind index and the case id serve as positive controls: they must be found, or the search is
not looking at the right data. Assertion messages name the place, never the marker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection, models

from cases.models import Case
from tests.crypto.probe import ProbeNote


def _write_marked_rows(marker: str) -> tuple[Case, ProbeNote]:
    case = Case()
    case.set_reporter_email(f"{marker}@example.org")
    case.save()
    note = ProbeNote.objects.create(
        case=case, body=f"narrative {marker} end", summary=marker,
        data={"name": marker, "list": [marker]}, blob=marker.encode(),
    )
    return case, note


def _forms(marker: str) -> list[bytes]:
    raw = marker.encode()
    return [raw, raw.hex().encode(), raw.hex().upper().encode()]


def _table_cells(model: type[models.Model]) -> list[bytes]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a model's own table name
        rows = cursor.fetchall()
    return [
        bytes(cell) if isinstance(cell, bytes | memoryview) else str(cell).encode()
        for row in rows for cell in row
    ]


@pytest.mark.django_db
def test_no_marker_in_the_tables(probe_tables: None) -> None:
    marker = f"MARK{uuid.uuid4().hex}"
    case, _ = _write_marked_rows(marker)
    cells = _table_cells(Case) + _table_cells(ProbeNote)
    # Positive control (asserted on a boolean, so a failure never prints the cells).
    index_found = case.reporter_email_index.encode() in cells
    assert index_found, "the blind index is not where the search looks"
    leaks = [n for n, cell in enumerate(cells) if any(form in cell for form in _forms(marker))]
    assert leaks == [], "a plaintext marker is stored in a table cell"


def _pg_dump() -> str:
    """The pg_dump on PATH; a missing one fails the test (never skips it: the check that
    nothing readable reaches a dump must not vanish quietly)."""
    found = shutil.which("pg_dump")
    if found is None:
        pytest.fail("pg_dump is not on PATH: install the PostgreSQL client tools (the same "
                    "major version as the server, or newer) to run this test.")
    return found


def test_a_missing_pg_dump_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.fail.Exception, match="pg_dump is not on PATH"):
        _pg_dump()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_marker_in_a_full_pg_dump(probe_tables: None) -> None:
    pg_dump = _pg_dump()
    marker = f"MARK{uuid.uuid4().hex}"
    case, _ = _write_marked_rows(marker)  # committed: pg_dump sees what other sessions see
    try:
        settings_dict = connection.settings_dict
        env = {**os.environ}
        if settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = settings_dict["PASSWORD"]
        dump = subprocess.run(
            [
                pg_dump, "--no-owner",
                "--host", settings_dict.get("HOST") or "127.0.0.1",
                "--port", str(settings_dict.get("PORT") or 5432),
                "--username", settings_dict.get("USER") or "postgres",
                "--dbname", settings_dict["NAME"],
            ],
            capture_output=True, env=env, timeout=120, check=True,
        ).stdout
    finally:
        ProbeNote.objects.all().delete()  # the probe table is not part of the flush
    # Positive controls: the rows are in this dump (booleans, so a failure prints no dump).
    controls = [str(case.pk).encode() in dump, case.reporter_email_index.encode() in dump,
                b"cryptoprobe_note" in dump]
    assert controls == [True, True, True], "the dump does not hold the rows written"
    leaked = [n for n, form in enumerate(_forms(marker)) if form in dump]
    assert leaked == [], "a plaintext marker appears in the database dump"
