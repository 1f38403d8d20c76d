"""PostgreSQL: append an event in one call whose plan the server caches.

Django's PostgreSQL connections do not use prepared statements, so sending the INSERT ... SELECT
as text made the server parse and plan it on every read logged, which cost as much as the insert
itself. PL/pgSQL caches the plan per connection. The retry for a lost race is inside too: each
statement of a PL/pgSQL loop takes a new snapshot (READ COMMITTED), so it sees the winner's row.
The SQL is frozen here; a change needs a new migration with CREATE OR REPLACE.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FUNCTION = r"""
CREATE OR REPLACE FUNCTION audit_append(
    p_stream text, p_timestamp timestamptz, p_actor_kind text, p_actor_id text, p_action text,
    p_target_type text, p_target_id text, p_changed_fields text, p_detail text, p_body bytea,
    p_max_attempts integer
) RETURNS TABLE (event_id bigint, event_seq bigint, event_prev_hash text, event_hash text)
LANGUAGE plpgsql AS $$
BEGIN
    FOR attempt IN 1..p_max_attempts LOOP
        RETURN QUERY
        INSERT INTO audit_auditevent AS e
            (stream, seq, "timestamp", actor_kind, actor_id, action, target_type, target_id,
             changed_fields, detail, prev_hash, hash)
        SELECT p_stream, n.seq, p_timestamp, p_actor_kind, p_actor_id, p_action, p_target_type,
               p_target_id, p_changed_fields, p_detail, n.prev_hash,
               encode(sha256(p_body || convert_to(n.seq::text || chr(31) || n.prev_hash, 'UTF8')),
                      'hex')
        FROM (
            SELECT COALESCE(head.seq, 0) + 1 AS seq,
                   COALESCE(head.hash, repeat('0', 64)) AS prev_hash
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (
                SELECT h.seq, h.hash FROM audit_auditevent AS h WHERE h.stream = p_stream
                ORDER BY h.seq DESC LIMIT 1
            ) AS head ON TRUE
        ) AS n
        ON CONFLICT (stream, seq) DO NOTHING
        RETURNING e.id, e.seq, e.prev_hash::text, e.hash::text;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'audit: could not append to stream % after % attempts',
        p_stream, p_max_attempts;
END;
$$
"""


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def remove(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_append(text, timestamptz, text, "
                              "text, text, text, text, text, text, bytea, integer)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
