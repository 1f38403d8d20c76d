"""The database itself refuses UPDATE, DELETE and TRUNCATE on the audit tables."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit import checkpoints
from tests.audit.helpers import add_events, execute, new_stream

pytestmark = pytest.mark.django_db

TABLES = ["audit_auditevent", "audit_auditcheckpoint", "audit_auditcheckpointhead"]


@pytest.fixture
def filled() -> None:
    add_events(new_stream(), 3)
    assert checkpoints.checkpoint_create() is not None


def _refused(sql: str) -> None:
    # A savepoint, so that PostgreSQL's aborted statement does not poison the test transaction.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(sql)


@pytest.mark.parametrize("table", TABLES)
def test_update_is_refused(filled: None, table: str) -> None:
    _refused(f"UPDATE {table} SET seq = seq + 1000")  # noqa: S608 - fixed table names


@pytest.mark.parametrize("table", TABLES)
def test_delete_is_refused(filled: None, table: str) -> None:
    _refused(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


@pytest.mark.postgres
@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused_on_postgres(filled: None, table: str) -> None:
    execute("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL refuses TRUNCATE with checks pending
    _refused(f"TRUNCATE {table} CASCADE")


@pytest.mark.postgres
def test_an_update_that_matches_no_row_is_refused_too() -> None:
    """The statement-level trigger fires even when no row would change."""
    _refused("UPDATE audit_auditevent SET action = 'x' WHERE id < 0")


@pytest.mark.postgres
def test_truncating_empty_tables_is_allowed_for_the_test_runner() -> None:
    execute(f"TRUNCATE {', '.join(TABLES)}")


@pytest.mark.postgres
def test_replica_mode_does_not_silence_the_triggers(filled: None) -> None:
    """``session_replication_role = replica`` skips ordinary triggers, not ENABLE ALWAYS ones."""
    execute("SET LOCAL session_replication_role = replica")
    _refused("DELETE FROM audit_auditevent")


def test_inserts_still_work() -> None:
    events = add_events(new_stream(), 2)
    assert events[1].seq == 2
    assert connection.vendor in {"postgresql", "sqlite"}
