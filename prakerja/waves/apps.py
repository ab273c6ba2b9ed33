from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_consent(sender, using="default", **kwargs):
    import importlib

    from prakerja.waves.models import ConsentVersion

    # Not the migration's seed(): it also makes the switches row, which is
    # programme's now (programme.apps.ensure_switches).
    texts = importlib.import_module("prakerja.waves.migrations.0002_consent_and_switches")
    ConsentVersion.objects.get_or_create(version=1, defaults={"text_id": texts.CONSENT_ID, "text_en": texts.CONSENT_EN})


def withdraw_on_identity_rejected(sender, *, user, reason, **kwargs) -> int:
    from prakerja.waves.services import applications_withdraw_open

    # The registry adds up the replies to tell the person whether an application was withdrawn.
    return applications_withdraw_open(actor="system", user=user, reason=reason)


class WavesConfig(AppConfig):
    name = "prakerja.waves"
    verbose_name = _("Waves")

    def ready(self):
        post_migrate.connect(ensure_consent, sender=self, dispatch_uid="waves-consent")
        # The registry sits below waves and never imports it (registry/signals.py).
        from prakerja.registry.signals import identity_rejected

        identity_rejected.connect(withdraw_on_identity_rejected, dispatch_uid="waves-withdraw-on-identity-rejected")
