"""The database itself refuses UPDATE, DELETE and TRUNCATE on the audit tables."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit import checkpoints, triggers
from audit.verification import verify
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


def test_intact_triggers_are_not_reported() -> None:
    assert triggers.missing(connection) == []


@pytest.mark.postgres
def test_a_replaced_function_body_is_reported_by_verify_audit() -> None:
    """Same trigger names, still enabled, but the function now lets every change through."""
    execute(
        "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN OLD; END; $$"
    )
    events = add_events(new_stream(), 2)
    execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])  # now allowed
    assert triggers.missing(connection) == list(triggers.TABLES)
    assert [str(p) for p in verify().problems][:3] == [
        f"{table}: the append-only triggers are missing, disabled or altered"
        for table in triggers.TABLES
    ]


@pytest.mark.postgres
def test_a_function_body_differing_only_in_whitespace_is_reported() -> None:
    with connection.cursor() as cursor:  # no parameters: the body holds format()'s %I
        cursor.execute(triggers._PG_FUNCTION.replace("RAISE EXCEPTION", "RAISE  EXCEPTION"))
    assert triggers.missing(connection) == list(triggers.TABLES)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "definition",
    [
        # Pointed at another function that does nothing.
        "BEFORE UPDATE OR DELETE ON audit_auditevent FOR EACH ROW EXECUTE FUNCTION audit_noop()",
        # Narrowed to a column nobody updates, or to a condition that never holds.
        "BEFORE UPDATE OF hash OR DELETE ON audit_auditevent FOR EACH ROW "
        "EXECUTE FUNCTION audit_refuse_change()",
        "BEFORE UPDATE OR DELETE ON audit_auditevent FOR EACH ROW WHEN (false) "
        "EXECUTE FUNCTION audit_refuse_change()",
        # Moved to an event that never destroys anything.
        "BEFORE INSERT ON audit_auditevent FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    ],
    ids=["other-function", "update-of-column", "when-false", "insert-only"],
)
def test_a_trigger_recreated_under_its_name_is_reported(definition: str) -> None:
    execute("CREATE FUNCTION audit_noop() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN OLD; END; $$")
    execute("DROP TRIGGER audit_append_only_row ON audit_auditevent")
    execute(f"CREATE TRIGGER audit_append_only_row {definition}")
    execute("ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_append_only_row")
    assert triggers.missing(connection) == ["audit_auditevent"]


def test_a_sqlite_trigger_recreated_to_do_nothing_is_reported() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers (PostgreSQL's are covered above)")
    execute("DROP TRIGGER audit_auditevent_no_delete")
    execute("CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
            "BEGIN SELECT 1; END")
    assert triggers.missing(connection) == ["audit_auditevent"]
