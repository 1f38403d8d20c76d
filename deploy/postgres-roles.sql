-- PostgreSQL roles for production: the running application cannot change the audit trail.
--
-- The append-only triggers (audit migration 0002) stop accidents and the application's own
-- code, but the owner of a table can switch its triggers off. So the application never connects
-- as the owner: migrations run as ombuds_owner, gunicorn and Celery as ombuds_app, which may only
-- INSERT and SELECT on the audit tables. See docs/audit.md, "Production database roles".
--
-- Usage (as a superuser, e.g. postgres), for a database named ombuds:
--   psql -v ON_ERROR_STOP=1 -d ombuds -f deploy/postgres-roles.sql
-- Run it once before the first `manage.py migrate` (part 1 prepares default privileges), and
-- again after every migrate (part 2 re-applies the audit grants to tables a migration created).
-- Set passwords separately (\password ombuds_app); none are kept in this file.

-- ---- part 1: roles and default privileges (idempotent) ------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ombuds_owner') THEN
        CREATE ROLE ombuds_owner LOGIN;     -- runs `manage.py migrate`; owns every table
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ombuds_app') THEN
        CREATE ROLE ombuds_app LOGIN;       -- DATABASE_URL of gunicorn and the Celery workers
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ombuds_verifier') THEN
        CREATE ROLE ombuds_verifier LOGIN;  -- optional: runs verify_audit, reads the trail only
    END IF;
END
$$;

ALTER SCHEMA public OWNER TO ombuds_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ombuds_app, ombuds_verifier;

-- Whatever the owner creates from now on is usable by the application...
ALTER DEFAULT PRIVILEGES FOR ROLE ombuds_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ombuds_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ombuds_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO ombuds_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ombuds_owner IN SCHEMA public
    REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE ombuds_owner IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO ombuds_app;
-- ...and TRUNCATE, REFERENCES and TRIGGER stay with the owner for every table.

-- ---- part 2: the audit tables are append-only for the application (after each migrate) ----
DO $$
DECLARE
    audit_table text;
BEGIN
    FOREACH audit_table IN ARRAY ARRAY['audit_auditevent', 'audit_auditcheckpoint',
                                       'audit_auditcheckpointhead']
    LOOP
        IF to_regclass(audit_table) IS NOT NULL THEN
            EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, ombuds_app, ombuds_verifier',
                           audit_table);
            -- INSERT and SELECT only: no UPDATE, DELETE, TRUNCATE (and so no SELECT ... FOR
            -- UPDATE either, which the audit code never uses).
            EXECUTE format('GRANT SELECT, INSERT ON %I TO ombuds_app', audit_table);
            EXECUTE format('GRANT SELECT ON %I TO ombuds_verifier', audit_table);
        END IF;
    END LOOP;
    IF to_regprocedure('audit_append(text, timestamptz, text, text, text, text, text, text, '
                       'text, bytea, integer)') IS NOT NULL THEN
        -- Runs with the caller's rights (not SECURITY DEFINER): it can do no more than INSERT.
        REVOKE ALL ON FUNCTION audit_append(text, timestamptz, text, text, text, text, text,
                                            text, text, bytea, integer) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION audit_append(text, timestamptz, text, text, text, text, text,
                                               text, text, bytea, integer) TO ombuds_app;
    END IF;
END
$$;
