from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0002_load_kepmendagri_2025'),
    ]

    operations = [
        migrations.AddField(
            model_name='regency',
            name='kind',
            # Every existing row gets its real value in 0004.
            field=models.CharField(choices=[('kabupaten', 'Regency (kabupaten)'), ('kota', 'City (kota)')], default='kabupaten', max_length=10, verbose_name='kind'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='province',
            name='code',
            field=models.CharField(max_length=2, unique=True, verbose_name='code'),
        ),
        migrations.AlterField(
            model_name='province',
            name='name',
            field=models.CharField(max_length=100, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='regency',
            name='code',
            field=models.CharField(max_length=4, unique=True, verbose_name='code'),
        ),
        migrations.AlterField(
            model_name='regency',
            name='name',
            field=models.CharField(max_length=100, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='regency',
            name='province',
            field=models.ForeignKey(on_delete=models.deletion.PROTECT, related_name='regencies', to='regions.province', verbose_name='province'),
        ),
        migrations.AddConstraint(
            model_name='regency',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['kabupaten', 'kota'])), name='regions_regency_kind_valid'),
        ),
    ]
