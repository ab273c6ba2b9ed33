"""The full-text index of "Cari Pelatihan" (catalog/search.py), by engine.

PostgreSQL: ``search_vector``, a stored generated column
``to_tsvector('simple', search_text)`` that the model does not declare (it
exists on PostgreSQL only; the ORM never writes it), kept in the row
uncompressed (STORAGE MAIN: the search reads it for every match), with a GIN
index. A migration that changes ``search_text``'s type must drop the column
first and add it back.

SQLite: an FTS5 table with external content (catalog_course), kept by
triggers, so bulk inserts are indexed too. Courses that existed before get
their words and prices with ``manage.py rebuild_search_index``.

Both: two partial B-tree indexes over the visible courses (those with an
approved listing), for searches without words: ``course_visible_title``
walks the first page in title order, ``course_visible_filters`` counts by
category, type, province and price from the index alone. 10,000 courses
without them: 10 to 20 ms a search (a scan of the rows, wide with their
words); with them about 1 ms (bench/search.py).

catalog/search.py (``sqlite_index_ensure``) puts the SQLite triggers and
indexes back after any migrate: SQLite's schema editor rebuilds a table to
alter it and drops what the model does not declare.
"""

from django.db import migrations

VISIBLE = [
    "CREATE INDEX IF NOT EXISTS course_visible_title ON catalog_course (title, id) WHERE listed_from IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS course_visible_filters ON catalog_course (category, kind, province_id, listed_from) "
    "WHERE listed_from IS NOT NULL",
]
VISIBLE_REVERSE = ["DROP INDEX IF EXISTS course_visible_title", "DROP INDEX IF EXISTS course_visible_filters"]

PG = [
    *VISIBLE,
    "ALTER TABLE catalog_course ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "ALTER TABLE catalog_course ALTER COLUMN search_vector SET STORAGE MAIN",
    "CREATE INDEX course_search_vector ON catalog_course USING gin (search_vector)",
]
PG_REVERSE = [
    *VISIBLE_REVERSE,
    "DROP INDEX IF EXISTS course_search_vector",
    "ALTER TABLE catalog_course DROP COLUMN IF EXISTS search_vector",
]

SQLITE = [
    *VISIBLE,
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_course_fts USING fts5(search_text, content='catalog_course', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS catalog_course_fts_ai AFTER INSERT ON catalog_course BEGIN "
    "INSERT INTO catalog_course_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS catalog_course_fts_ad AFTER DELETE ON catalog_course BEGIN "
    "INSERT INTO catalog_course_fts(catalog_course_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS catalog_course_fts_au AFTER UPDATE OF search_text ON catalog_course BEGIN "
    "INSERT INTO catalog_course_fts(catalog_course_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO catalog_course_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO catalog_course_fts(catalog_course_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    *VISIBLE_REVERSE,
    "DROP TRIGGER IF EXISTS catalog_course_fts_ai",
    "DROP TRIGGER IF EXISTS catalog_course_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_course_fts_au",
    "DROP TABLE IF EXISTS catalog_course_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_course_search")]

    operations = [
        migrations.RunPython(_run({"postgresql": PG, "sqlite": SQLITE}),
                             _run({"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE})),
    ]
