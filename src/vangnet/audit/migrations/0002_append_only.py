"""On PostgreSQL the database itself refuses UPDATE and DELETE on the access log.

SQLite (the embedded demo) relies on the model's guards; the trigger is the production defence.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accesslog_no_change BEFORE UPDATE OR DELETE ON audit_accesslogentry
FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_accesslog_no_change ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
