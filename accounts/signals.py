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


WATCHED = {"password", "is_active", "is_staff", "is_superuser"}


def revoke_tokens_on_credential_change(
    sender: type, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    """A new password or a deactivation revokes the user's refresh tokens and personal access
    tokens; those and a demotion also re-check the user's open sockets.

    (Access tokens die with the password hash claim and the is_active check; blacklisting the
    refresh tokens as well makes the revocation visible in the admin's token lists.) Every path
    that saves a user passes here: the API, the admin's password reset, ``changepassword``.
    """
    if instance.pk is None or (update_fields is not None and not WATCHED & set(update_fields)):
        return
    previous = type(instance).objects.filter(pk=instance.pk).values(*WATCHED).first()
    if previous is None:
        return
    from accounts.tokens import credentials_changed_announce, user_tokens_revoke

    revoked = previous["password"] != instance.password or (previous["is_active"] and not instance.is_active)
    if revoked:
        from accounts.access_tokens import user_access_tokens_revoke

        user_tokens_revoke(user=instance)
        user_access_tokens_revoke(user=instance)
    demoted = (previous["is_staff"] and previous["is_superuser"]) and not instance.is_admin
    if revoked or demoted:
        credentials_changed_announce(user_id=instance.pk)


def revoke_session_on_logout(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    """Any Django logout (the pages' /logout, the admin's): that session's tokens and sockets end."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is None or not session_key:
        return
    from accounts.tokens import session_revoke, sid_for_session

    session_revoke(user=user, sid=sid_for_session(session_key))
