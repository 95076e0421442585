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
