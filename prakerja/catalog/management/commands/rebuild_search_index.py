"""Recompute every course's search words and approved-listing prices ("Cari Pelatihan", catalog/search.py).

Run after a bulk load that bypassed the models' signals (``bulk_create``,
``QuerySet.update``), or once after upgrading to the release that added the
search. Only courses that changed are written; on a catalogue that is right
it writes nothing. On SQLite it also rebuilds the FTS5 index from the
courses' words (and puts its triggers back if a migration dropped them).
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from prakerja.catalog.search import refresh_courses, sqlite_index_ensure


class Command(BaseCommand):
    help = "Recompute the search words and listing prices of every course."

    def handle(self, *args, **options):
        with transaction.atomic():
            written = refresh_courses()
            if connection.vendor == "sqlite" and not sqlite_index_ensure(connection):
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO catalog_course_fts(catalog_course_fts) VALUES ('rebuild')")
        self.stdout.write(f"courses rewritten: {written}")
