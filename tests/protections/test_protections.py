"""Database protections survive migrations, and processes refuse to start without them.

The fresh-database tests run ``migrate`` in a child process on a database of their own, exactly
as ``make demo`` and an operator would, then ask the registry what is in place.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction

from cases import protections as case_protections
from protections.installing import install_missing, missing
from protections.registry import registered
from tests.processes import run_python

EXPECTED = {
    "accounts_superuser_holds_no_role", "audit_append_only", "cases_case_keep_key_destroyed"}

REPORT = (
    "import django, json; django.setup()\n"
    "from protections.installing import missing\n"
    "from protections.registry import registered\n"
    "print(json.dumps({'registered': [p.name for p in registered()],"
    " 'missing': [p.name for p in missing()]}))\n"
)
MIGRATE = ("import django; django.setup(); from django.core.management import call_command; "
           "call_command('migrate', verbosity=0)")
CHECK = ("import django; django.setup(); from django.core.management import call_command; "
         "call_command('check', databases=['default'])")
SERVE = "import config.wsgi; print('serving')"
WORK = ("import django; django.setup()\n"
        "from celery.signals import worker_init\n"
        "from config.celery import app\n"
        "worker_init.send(sender=None)\n"
        "print('working')\n")


def _report(db: Path | None = None, **env: str) -> dict[str, list[str]]:
    result = run_python(REPORT, db, **env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_protection_is_registered() -> None:
    assert {p.name for p in registered()} == EXPECTED


@pytest.mark.django_db
def test_the_test_database_has_them_all() -> None:
    assert missing() == []
    assert install_missing() == []  # intact ones are left alone


def test_a_fresh_sqlite_database_gets_them_all(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    result = run_python(MIGRATE, db)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _report(db) == {"registered": sorted(EXPECTED), "missing": []}
    assert run_python(CHECK, db).returncode == 0


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    params = connection.get_connection_params()
    server = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    name = f"protections_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = server.get("user", "postgres")
    password = f":{server['password']}" if server.get("password") else ""
    try:
        yield (f"postgres://{user}{password}@{server.get('host', '127.0.0.1')}:"
               f"{server.get('port', 5432)}/{name}")
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_fresh_postgres_database_gets_them_all(fresh_postgres_url: str) -> None:
    result = run_python(MIGRATE, DATABASE_URL=fresh_postgres_url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _report(DATABASE_URL=fresh_postgres_url) == {
        "registered": sorted(EXPECTED), "missing": []}
    # And a lost one comes back with the next migrate.
    with psycopg.connect(fresh_postgres_url.replace("postgres://", "postgresql://"),
                         autocommit=True) as db:
        db.execute(f"DROP TRIGGER {case_protections.NAME} ON {case_protections.TABLE}")
    assert _report(DATABASE_URL=fresh_postgres_url)["missing"] == [case_protections.NAME]
    refused = run_python(SERVE, DATABASE_URL=fresh_postgres_url)
    assert refused.returncode != 0 and case_protections.NAME in refused.stderr
    assert run_python(MIGRATE, DATABASE_URL=fresh_postgres_url).returncode == 0
    assert _report(DATABASE_URL=fresh_postgres_url)["missing"] == []


@pytest.fixture
def damaged_db(migrated_db: Path, tmp_path: Path) -> Path:
    """A copy of a migrated SQLite database whose key-destroyed trigger was dropped, as the
    table rebuild of an old migration once did."""
    db = tmp_path / "damaged.sqlite3"
    shutil.copy(migrated_db, db)
    result = run_python(
        "import django; django.setup(); from django.db import connection\n"
        f"connection.cursor().execute('DROP TRIGGER {case_protections.NAME}')", db)
    assert result.returncode == 0, result.stderr[-2000:]
    return db


def test_a_missing_protection_stops_the_web_process_and_names_it(damaged_db: Path) -> None:
    result = run_python(SERVE, damaged_db)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and case_protections.NAME in result.stderr
    assert "serving" not in result.stdout


def test_a_missing_protection_stops_a_worker(damaged_db: Path) -> None:
    result = run_python(WORK, damaged_db)
    assert result.returncode != 0 and case_protections.NAME in result.stderr
    assert "working" not in result.stdout


def test_the_system_check_names_it_and_migrate_puts_it_back(damaged_db: Path) -> None:
    check = run_python(CHECK, damaged_db)
    assert check.returncode != 0
    assert "protections.E001" in check.stderr and case_protections.NAME in check.stderr
    assert run_python(MIGRATE, damaged_db).returncode == 0
    assert _report(damaged_db)["missing"] == []
    assert "serving" in run_python(SERVE, damaged_db).stdout


@pytest.mark.django_db
def test_an_altered_trigger_counts_as_missing_and_is_replaced() -> None:
    weaker = case_protections.REFUSED.replace(" OR NEW.wrapped_key IS NOT NULL", "")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {case_protections.NAME}"
                       + (f" ON {case_protections.TABLE}" if connection.vendor == "postgresql"
                          else ""))
        body = ("EXECUTE FUNCTION " + case_protections.NAME + "()"
                if connection.vendor == "postgresql"
                else "BEGIN SELECT RAISE(ABORT, 'weaker'); END")
        cursor.execute(
            f"CREATE TRIGGER {case_protections.NAME} BEFORE UPDATE ON {case_protections.TABLE} "
            f"FOR EACH ROW WHEN ({weaker}) {body}")
        assert [p.name for p in missing()] == [case_protections.NAME]
        assert install_missing() == [case_protections.NAME]
        assert missing() == []
