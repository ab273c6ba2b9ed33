from django.db import migrations

ERASED = "[erased after delivery: it held a one-time code or link]"


def erase_old_authentication_mail(apps, schema_editor):
    # allauth's mails (confirmation, reset, login code) were stored with their
    # links before they were marked sensitive; treat the old rows the way
    # email_queue_rendered treats new ones.
    Message = apps.get_model("notifications", "Message")
    old = Message.objects.filter(idempotency_key__startswith="allauth:")
    old.update(sensitive=True)
    old.filter(status__in=["sent", "failed"]).update(body=ERASED, html_body="")


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_message_sensitive"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="message",
            options={"ordering": ["-created_at", "-id"],
                     "permissions": [("view_message_body", "Can read the body of a stored message")],
                     "verbose_name": "message", "verbose_name_plural": "messages"},
        ),
        migrations.RunPython(erase_old_authentication_mail, migrations.RunPython.noop),
    ]
