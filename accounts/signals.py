from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

logger = logging.getLogger("chatkit.accounts")


def provision_admin_from_settings() -> None:
    if not (settings.ADMIN_EMAIL and settings.ADMIN_PASSWORD):
        return
    from accounts.services import admin_ensure

    user, outcome = admin_ensure(
        email=settings.ADMIN_EMAIL,
        password=settings.ADMIN_PASSWORD,
        reset_password=settings.ADMIN_PASSWORD_RESET,
    )
    logger.info("Admin account %s: %s", user.email, outcome)


def provision_admin_after_migrate(**kwargs: Any) -> None:
    provision_admin_from_settings()


def revoke_tokens_on_credential_change(
    sender: type, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    """A new password or a deactivation blacklists the user's refresh tokens.

    (Access tokens die with the password hash claim and the is_active check; blacklisting the
    refresh tokens as well makes the revocation visible in the admin's token lists.)
    """
    if instance.pk is None or (
        update_fields is not None and not {"password", "is_active"} & set(update_fields)
    ):
        return
    previous = type(instance).objects.filter(pk=instance.pk).values("password", "is_active").first()
    if previous is None:
        return
    if previous["password"] != instance.password or (previous["is_active"] and not instance.is_active):
        from accounts.tokens import user_tokens_revoke

        user_tokens_revoke(user=instance)
