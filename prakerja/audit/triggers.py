"""The SQL that makes audit_auditentry append-only, per database vendor."""

PG_FUNCTION = """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;"""
PG_ROW_TRIGGER = """CREATE OR REPLACE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();"""
# Row triggers do not fire on TRUNCATE, which would empty the log in one
# statement (issue 14, finding 10).
PG_TRUNCATE_TRIGGER = """CREATE OR REPLACE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();"""
PG_UP = [PG_FUNCTION, PG_ROW_TRIGGER, PG_TRUNCATE_TRIGGER]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;",
    "DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;",
    "DROP FUNCTION IF EXISTS audit_entry_append_only();",
]
# SQLite has no TRUNCATE; its "DELETE FROM t" truncate optimisation is
# skipped when the table has a DELETE trigger, so this one covers it.
SQLITE_NO_DELETE = """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_auditentry
  BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only'); END;"""
SQLITE_UP = [
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry
  BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only'); END;""",
    SQLITE_NO_DELETE,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_entry_no_update;", "DROP TRIGGER IF EXISTS audit_entry_no_delete;"]

STATEMENTS = {"postgresql": (PG_UP, PG_DOWN), "sqlite": (SQLITE_UP, SQLITE_DOWN)}

# A flush (transactional tests) empties every table: SQLite with DELETE,
# PostgreSQL with one TRUNCATE. Lift the trigger that refuses it; the audit
# app's post_migrate handler, which runs right after the flush, puts it back.
ALLOW_FLUSH = {
    "postgresql": "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;",
    "sqlite": "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
}


def install(connection):
    """(Re)create the triggers; safe to run when they already exist."""
    with connection.cursor() as cursor:
        for sql in STATEMENTS.get(connection.vendor, ([], []))[0]:
            cursor.execute(sql)


def uninstall(connection):
    with connection.cursor() as cursor:
        for sql in STATEMENTS.get(connection.vendor, ([], []))[1]:
            cursor.execute(sql)


def allow_flush(connection):
    sql = ALLOW_FLUSH.get(connection.vendor)
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql)
