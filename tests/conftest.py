"""Suite-wide fixtures: personas, and the rules for PostgreSQL- and Redis-only tests.

Tests marked ``postgres`` need PostgreSQL (``DATABASE_URL``); tests marked ``redis`` need a Redis
server (``REDIS_URL``, default 127.0.0.1:6379). Locally a missing service skips them, listed in
one loud summary line; with ``CI=true`` a missing service fails the run before any test starts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tests.factories import StaffUserFactory
from tests.files.zipbombs import Unpacked, count_unpacked

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# CI's SQLite leg runs the README's default on purpose: PostgreSQL-only tests are skipped there
# (the PostgreSQL leg runs them), not counted as a missing service.
SQLITE_LEG = os.environ.get("TEST_LEG", "").lower() == "sqlite"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")

_skipped_for_service: dict[str, int] = {}


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wants_pg = any(item.get_closest_marker("postgres") for item in items)
    wants_redis = any(item.get_closest_marker("redis") for item in items)
    have_pg = _on_postgres()
    have_redis = _redis_answers() if wants_redis else True
    if IN_CI:
        missing = []
        if wants_pg and not have_pg and not SQLITE_LEG:
            missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
        if wants_redis and not have_redis:
            missing.append(f"Redis at {REDIS_URL}")
        if missing:
            raise pytest.UsageError("CI=true but these services are missing: " + "; ".join(missing))
    for item in items:
        if item.get_closest_marker("postgres") and not have_pg:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))
            _skipped_for_service["PostgreSQL"] = _skipped_for_service.get("PostgreSQL", 0) + 1
        elif item.get_closest_marker("redis") and not have_redis:
            item.add_marker(pytest.mark.skip(reason=f"needs Redis at {REDIS_URL}"))
            _skipped_for_service["Redis"] = _skipped_for_service.get("Redis", 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_for_service:
        parts = ", ".join(f"{n} tests need {svc}" for svc, n in _skipped_for_service.items())
        terminalreporter.write_sep(
            "!", f"NOT RUN: {parts} — set DATABASE_URL / start Redis to run them", red=True
        )


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and lockouts live in the cache; no test inherits another's."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(autouse=True)
def _audit_trail_erased_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush, which the audit table's TRUNCATE trigger refuses
    while it holds rows. Empty it first, as the database owner could; set up after
    ``transactional_db`` so that this runs before its flush."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if not transactional:
        yield
        return
    from tests.audit.triggers_off import erase_audit_trail

    request.getfixturevalue("transactional_db")
    yield
    erase_audit_trail()


@dataclass(frozen=True)
class Personas:
    """One user per role, plus the people the permission rules are about.

    Reporters have no account; they are known by the receipt codes of the cases a test made
    (``tests.matrix.remember`` notes them here, by case id)."""

    advisor: User
    other_advisor: User
    coordinator: User
    misconduct_committee: User
    uu_committee: User
    auditor: User
    superuser: User
    no_role: User
    receipt_codes: dict[Any, str] = field(default_factory=dict, repr=False)


@pytest.fixture
def personas(db: None) -> Personas:
    return Personas(
        advisor=StaffUserFactory.create(username="advisor", role=Role.ADVISOR),
        other_advisor=StaffUserFactory.create(username="other-advisor", role=Role.ADVISOR),
        coordinator=StaffUserFactory.create(username="coordinator", role=Role.COORDINATOR),
        misconduct_committee=StaffUserFactory.create(
            username="committee-mcc", role=Role.MISCONDUCT_COMMITTEE
        ),
        uu_committee=StaffUserFactory.create(username="committee-uu", role=Role.UU_COMMITTEE),
        auditor=StaffUserFactory.create(username="auditor", role=Role.AUDITOR),
        superuser=StaffUserFactory.create(
            username="sysadmin", role=None, is_superuser=True, is_staff=True
        ),
        no_role=StaffUserFactory.create(username="no-role", role=None),
    )


@pytest.fixture
def verified_client(client: Client) -> Callable[[User], Client]:
    """A test client factory that signs a user in with a verified second factor."""
    from tests.factories import sign_in_verified

    def _sign_in(user: User) -> Client:
        sign_in_verified(client, user)
        return client

    return _sign_in


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file of its own, so child processes start on a complete schema
    (with the key canary and every database protection) whatever the suite itself runs on."""
    from tests.processes import run_python

    db = tmp_path_factory.mktemp("processes") / "db.sqlite3"
    result = run_python("import django; django.setup(); from django.core.management import "
                        "call_command; call_command('migrate', verbosity=0)", db)
    assert result.returncode == 0, result.stderr[-2000:]
    return db


@pytest.fixture
def unpacked(monkeypatch: pytest.MonkeyPatch) -> Unpacked:
    """What the upload checks really unpack (``tests.files.zipbombs``)."""
    return count_unpacked(monkeypatch)


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[redis.Redis]:
    """The default cache on a real Redis (for tests that look at keys and TTLs), emptied
    before and after; yields a client for the same server."""
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle-test"}}
    caches["default"].clear()
    yield redis.Redis.from_url(REDIS_URL)
    caches["default"].clear()
