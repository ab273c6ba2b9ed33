from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    # allauth's emails greet with the site's name ("Halo dari Prakerja!").
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={
        "domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("sites", "0002_alter_domain_unique")]
    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
