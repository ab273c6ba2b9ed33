"""PostgreSQL: drop the ``varchar_pattern_ops`` twin Django makes beside the card number's unique blind index.

Django adds that second index to every unique ``CharField`` for ``LIKE 'x%'``
searches. Nobody searches a blind index (an HMAC) by prefix: partners and the
learning app find a card by equality, which the unique index serves. The twin
was 119 MB at a million cards, written at a random place for every card
issued, and a fifth of the issuance's PostgreSQL CPU (bench/cards.py, issue
17). A later migration that alters ``number_index`` makes Django create it
again; drop it again after such a change.
"""

from django.db import migrations

TWIN = "cards_card_number_index_89c6b8d1_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TWIN}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {TWIN} ON cards_card (number_index varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [("cards", "0003_indonesian_labels")]

    operations = [migrations.RunPython(drop, create)]
