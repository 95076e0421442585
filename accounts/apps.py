from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from accounts.models import User
        from accounts.signals import (
            provision_admin_after_migrate,
            revoke_session_on_logout,
            revoke_tokens_on_credential_change,
        )

        post_migrate.connect(provision_admin_after_migrate, sender=self)
        pre_save.connect(
            revoke_tokens_on_credential_change, sender=User, dispatch_uid="accounts-revoke-tokens"
        )
        user_logged_out.connect(revoke_session_on_logout, dispatch_uid="accounts-logout-revokes")
