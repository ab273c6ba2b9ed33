"""A shared account's code is unique among the accounts that have one; card accounts (code NULL) are not indexed.

The unique index over every card account's NULL was a million entries written for nothing at a million cards
(issue 17: the issuance opens them, and an account row moved by a debit without room on its page got a new one).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_fewer_index_entries'),
    ]

    operations = [
        migrations.AlterField(
            model_name='account',
            name='code',
            field=models.CharField(blank=True, max_length=80, null=True, verbose_name='code'),
        ),
        migrations.AddConstraint(
            model_name='account',
            constraint=models.UniqueConstraint(condition=models.Q(('code__isnull', False)), fields=('code',), name='ledger_account_code_unique'),
        ),
    ]
