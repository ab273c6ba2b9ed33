"""Statements the database plans once per connection (PostgreSQL): the hottest writes of the platform.

Django turns psycopg's preparing off for every statement, for the sake of
connection poolers, and psycopg then ignores even an explicit
``prepare=True``. A statement that runs on every purchase (the ledger's
spend, the audit log's insert) is otherwise planned afresh each time, which
for the spend cost about as much as running it.
"""

import contextlib
import functools

NEVER_ON_ITS_OWN = 2**31 - 1  # psycopg's prepare_threshold: no statement is prepared unless asked to


@functools.cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg keeps the statement it ran only when it ran it unprepared; Django's query log
            # (connection.queries, CaptureQueriesContext, the debug cursor) reads it, and would log None.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, binary=binary)

    return PreparedCursor


def prepared_cursor(connection):
    """A Django cursor (errors, query logging, execute wrappers) whose statements are prepared on the server.

    Use it for a statement of constant text with parameters (%(name)s or %s),
    run often. Off PostgreSQL, and behind a pooler in transaction mode
    (DB_DISABLE_SERVER_SIDE_CURSORS, docs/operations.md), it is a plain cursor:
    a prepared statement lives in one server connection, and the pooler hands
    out another.
    """
    if connection.vendor != "postgresql" or connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        return connection.cursor()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django's None turns preparing off altogether, prepare=True included; a threshold no statement
        # reaches leaves Django's own statements unprepared and lets these be.
        connection.connection.prepare_threshold = NEVER_ON_ITS_OWN
    cursor = _prepared_cursor_class()(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


@contextlib.contextmanager
def prepared_queries(connection):
    """ORM queries run inside are sent with server-side binding and prepared: planned once per connection.

    For a query of the busiest paths whose plan costs more than its run (a
    purchase's card with its holder, programme, account, induction and
    binding: 0.6 ms of planning against 0.07 ms of execution, every time).
    Use it around one queryset's evaluation, not a service: every statement
    inside is prepared and kept by the connection (psycopg keeps the 100 most
    used). PostgreSQL only, and not behind a pooler in transaction mode
    (DB_DISABLE_SERVER_SIDE_CURSORS): elsewhere it changes nothing.
    """
    if connection.vendor != "postgresql" or connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = NEVER_ON_ITS_OWN  # as prepared_cursor: Django's None would ignore prepare=True
    factory = raw.cursor_factory
    raw.cursor_factory = _prepared_cursor_class()
    try:
        yield
    finally:
        raw.cursor_factory = factory


def swap_index_concurrently(schema_editor, *, name: str, table: str, column: str, partial: bool) -> None:
    """PostgreSQL, in a migration with ``atomic = False``: replace index ``name`` on ``table (column)`` by one
    over the rows where ``column`` is set (``partial``) or over all rows, without locking writers out.

    The new index is built beside the old one and takes its name, so lookups always have one; an invalid
    index left by an interrupted run is dropped first.
    """
    new = f"{name}_new"
    condition = f" WHERE {column} IS NOT NULL" if partial else ""
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {new}")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY {new} ON {table} ({column}){condition}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute(f"ALTER INDEX {new} RENAME TO {name}")


def insert_or_get(obj, *, unique: tuple[str, ...], using: str = "default"):
    """``(row, created)``: ``obj`` inserted, or the row already holding its values of the ``unique`` fields.

    ``get_or_create`` without its round trips: one ``INSERT ... ON CONFLICT DO
    NOTHING RETURNING`` where the row is new (no SELECT before it, no
    savepoint around it), and a SELECT only where it was not. A concurrent
    insert of the same values waits for the other transaction (PostgreSQL)
    and then finds its committed row. Sends no ``pre_save``/``post_save``
    signals: use it for models that have no receivers. On a conflict on
    another unique column than ``unique`` (nothing to return), raises
    IntegrityError as ``save()`` would.
    """
    from django.db import IntegrityError, connections
    from django.db.models import sql
    from django.db.models.constants import OnConflict

    model, meta = type(obj), type(obj)._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    query = sql.InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [meta.pk]
    [(statement, params)] = compiler.as_sql()
    with connections[using].cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is not None:
        obj.pk = row[0]
        obj._state.adding, obj._state.db = False, using
        return obj, True
    found = model._default_manager.using(using).filter(**{name: getattr(obj, meta.get_field(name).attname)
                                                          for name in unique}).first()
    if found is None:
        raise IntegrityError(f"{meta.db_table}: the insert conflicted on another unique column than {unique}")
    return found, False
