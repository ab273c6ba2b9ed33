"""The voucher and redeem codes keep their unique constraints and lose their ``varchar_pattern_ops`` twins.

``unique=True`` on a CharField gives PostgreSQL a second, LIKE index beside
the unique one, and every confirm writes both codes into both. Nobody looks a
code up by prefix (a redemption asks by equality, the admin's search is
exact), so the fields become plain and the existing unique constraints are
declared in Meta under the names PostgreSQL gave them: nothing is rebuilt,
the twins are dropped CONCURRENTLY (every purchase writes this table). On
SQLite the state changes only: its inline UNIQUE already serves.
"""

from django.db import migrations, models

TWINS = {"learning_payment_voucher_code_5944fa1d_like": "learning_payment (voucher_code varchar_pattern_ops)",
         "learning_payment_redeem_code_71eb8552_like": "learning_payment (redeem_code varchar_pattern_ops)"}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TWINS:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in TWINS.items():
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("learning", "0005_recount_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="payment", name="voucher_code", field=models.CharField(
                    blank=True, max_length=16, null=True, verbose_name="voucher code")),
                migrations.AlterField(model_name="payment", name="redeem_code", field=models.CharField(
                    blank=True, max_length=16, null=True, verbose_name="redeem code")),
                migrations.AddConstraint(model_name="payment", constraint=models.UniqueConstraint(
                    fields=["voucher_code"], name="learning_payment_voucher_code_key")),
                migrations.AddConstraint(model_name="payment", constraint=models.UniqueConstraint(
                    fields=["redeem_code"], name="learning_payment_redeem_code_key")),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
