"""The database itself refuses to change audit records, whatever code runs against it.

UPDATE is refused on every engine. DELETE is refused on PostgreSQL, where clearing a test
database uses TRUNCATE (which the trigger does not see); SQLite clears with DELETE, so there the
application's own guard (AppendOnlyQuerySet) is what refuses deletes.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditrecord_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE OR DELETE ON core_auditrecord
    FOR EACH ROW EXECUTE FUNCTION core_auditrecord_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS core_auditrecord_no_update ON core_auditrecord;
DROP FUNCTION IF EXISTS core_auditrecord_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS core_auditrecord_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
