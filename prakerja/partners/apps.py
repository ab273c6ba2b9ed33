from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "prakerja.partners"
    verbose_name = _("Partners")

    def ready(self):
        # Cards and learning sit below partners and never import it: they send signals, we write webhooks.
        from prakerja.cards.signals import cards_revoked
        from prakerja.learning.signals import payment_cancelled_by_operator
        from prakerja.partners import receivers

        cards_revoked.connect(receivers.card_revoked_webhooks, dispatch_uid="partners-webhook-card-revoked")
        payment_cancelled_by_operator.connect(receivers.payment_cancelled_webhook,
                                              dispatch_uid="partners-webhook-payment-cancelled")
        from django.db.models.signals import post_delete, post_save

        from prakerja.partners.models import Partner, PartnerSecret

        for model in (Partner, PartnerSecret):
            for signal in (post_save, post_delete):
                signal.connect(receivers.partner_changed, sender=model, dispatch_uid=f"partner-auth-{model.__name__}")
