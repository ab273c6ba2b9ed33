"""The SQL that makes audit_auditentry append-only, per database vendor."""

PG_UP = [
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;",
    "DROP FUNCTION IF EXISTS audit_entry_append_only();",
]
SQLITE_NO_DELETE = """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_auditentry
  BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only'); END;"""
SQLITE_UP = [
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry
  BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only'); END;""",
    SQLITE_NO_DELETE,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_entry_no_update;", "DROP TRIGGER IF EXISTS audit_entry_no_delete;"]
# PostgreSQL's TRUNCATE (how tests flush) does not fire row triggers;
# SQLite flushes with DELETE, so transactional tests lift this one trigger.
SQLITE_ALLOW_DELETE = "DROP TRIGGER IF EXISTS audit_entry_no_delete;"

STATEMENTS = {"postgresql": (PG_UP, PG_DOWN), "sqlite": (SQLITE_UP, SQLITE_DOWN)}
