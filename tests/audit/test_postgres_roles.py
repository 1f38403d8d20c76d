"""deploy/postgres-roles.sql leaves the application role unable to change the trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from audit import actions
from audit.actors import Actor
from audit.checkpoints import checkpoint_create
from audit.services import record
from audit.verification import verify
from tests.audit.helpers import execute

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROLES_SQL = Path(settings.BASE_DIR) / "deploy" / "postgres-roles.sql"


def test_the_application_role_may_insert_and_read_but_never_change() -> None:
    # Everything here, the roles included, is rolled back with the test's transaction.
    with connection.cursor() as cursor:
        cursor.execute(ROLES_SQL.read_text())  # no parameters: the script's % stay as they are
    execute("SET LOCAL ROLE ombuds_app")
    event = record(stream="system", action=actions.KEYS_ROTATED, actor=Actor.system(),
                   target_type="key", target_id="k2")
    assert event.seq == 1
    assert checkpoint_create() is not None
    assert verify().ok
    for sql in (
        "UPDATE audit_auditevent SET action = action",
        "DELETE FROM audit_auditcheckpointhead",
        "TRUNCATE audit_auditcheckpoint CASCADE",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
    ):
        with (
            pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
            transaction.atomic(),
        ):
            execute(sql)
    execute("RESET ROLE")
    assert connection.vendor == "postgresql"
