from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "prakerja.accounts"
    verbose_name = _("Users and operators")

    def ready(self):
        from django.db.models.signals import post_migrate

        from prakerja.accounts import receivers, roles, usercache

        post_migrate.connect(roles.sync_after_migrate, dispatch_uid="prakerja-sync-roles")
        receivers.connect()
        usercache.connect()
