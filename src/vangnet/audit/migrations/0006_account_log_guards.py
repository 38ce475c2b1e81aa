"""On PostgreSQL the account log is append-only at the database too, with the database's time."""

from django.db import migrations

CREATE = """
CREATE TRIGGER audit_accountlog_no_change BEFORE UPDATE OR DELETE ON audit_accountlogentry
FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only();
CREATE TRIGGER audit_accountlog_no_truncate BEFORE TRUNCATE ON audit_accountlogentry
FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_accountlog_time BEFORE INSERT ON audit_accountlogentry
FOR EACH ROW EXECUTE FUNCTION audit_accesslog_database_time();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_accountlog_time ON audit_accountlogentry;
DROP TRIGGER IF EXISTS audit_accountlog_no_truncate ON audit_accountlogentry;
DROP TRIGGER IF EXISTS audit_accountlog_no_change ON audit_accountlogentry;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_account_log")]
    operations = [migrations.RunPython(forwards, backwards)]
