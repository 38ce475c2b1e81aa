"""On PostgreSQL the database itself guards the access log and its hash chain:

- TRUNCATE is refused by a statement-level trigger on both tables (row triggers do not fire on
  TRUNCATE). Only the owner role, with the session setting `vangnet.audit_maintenance = on`, may
  truncate: the test suite's flush between browser tests needs it, and the owner could disable
  the trigger anyway. The application role owns nothing, so it can do neither.
- A row's time is the database clock at insert (`clock_timestamp()`), whatever the application
  sends, so no row can be backdated through the application.
- Seals are append-only like the rows, and a seal's time must be the database clock (within a
  small tolerance: the sealer reads the clock first, then hashes, then inserts).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
DECLARE
  owner name;
BEGIN
  SELECT tableowner INTO owner FROM pg_tables
   WHERE schemaname = TG_TABLE_SCHEMA AND tablename = TG_TABLE_NAME;
  IF current_setting('vangnet.audit_maintenance', true) = 'on'
     AND pg_has_role(current_user, owner, 'MEMBER') THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'access log cannot be truncated';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_accesslog_database_time() RETURNS trigger AS $$
BEGIN
  NEW.at := clock_timestamp();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_seal_database_time() RETURNS trigger AS $$
BEGIN
  IF NEW.sealed_at > clock_timestamp() + interval '5 seconds'
     OR NEW.sealed_at < clock_timestamp() - interval '60 seconds' THEN
    RAISE EXCEPTION 'seal time must be the database clock';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_accesslog_no_truncate BEFORE TRUNCATE ON audit_accesslogentry
FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_accesslog_time BEFORE INSERT ON audit_accesslogentry
FOR EACH ROW EXECUTE FUNCTION audit_accesslog_database_time();

CREATE TRIGGER audit_seal_no_change BEFORE UPDATE OR DELETE ON audit_accesslogseal
FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_accesslogseal
FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_seal_time BEFORE INSERT ON audit_accesslogseal
FOR EACH ROW EXECUTE FUNCTION audit_seal_database_time();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_seal_time ON audit_accesslogseal;
DROP TRIGGER IF EXISTS audit_seal_no_truncate ON audit_accesslogseal;
DROP TRIGGER IF EXISTS audit_seal_no_change ON audit_accesslogseal;
DROP TRIGGER IF EXISTS audit_accesslog_time ON audit_accesslogentry;
DROP TRIGGER IF EXISTS audit_accesslog_no_truncate ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_seal_database_time();
DROP FUNCTION IF EXISTS audit_accesslog_database_time();
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_seal_chain")]
    operations = [migrations.RunPython(forwards, backwards)]
