"""Personal access tokens: make (shown once), list, revoke, and authenticate with one."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import PersonalAccessToken, User

TOKEN_PREFIX = "ckpat_"
# A token lives 90 days unless its maker chooses otherwise ("never" must be chosen, with a warning).
DEFAULT_EXPIRY_DAYS = 90
NEVER_EXPIRES_WARNING = (
    "This token never expires: anyone who copies it can act as you until you revoke it, change "
    "your password or log out everywhere."
)


class WrongPassword(Exception):
    pass


def password_confirm(*, request: Any, user: User, password: str) -> None:
    """Making a token needs the password again: a stolen access token or session alone cannot.

    Wrong guesses count against the same per-address and per-account limits as logins
    (raises LoginThrottled over them, WrongPassword for a wrong one).
    """
    from accounts.throttling import login_failure_record, login_success_record, login_throttle_check

    login_throttle_check(request=request, email=user.email)
    if not password or not user.check_password(password):
        login_failure_record(request=request, email=user.email)
        raise WrongPassword
    login_success_record(request=request, email=user.email)


# Writing last_used_at on every MCP call would turn each read into a write; once a minute is
# precise enough to tell a token in use from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def looks_like_access_token(raw: str) -> bool:
    return raw.startswith(TOKEN_PREFIX)


def access_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """A new token of ``user`` and its secret (the only time the secret exists in clear)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name,
        token_hash=_digest(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        expires_at=expires_at,
    )
    return token, raw


def access_token_list(*, user: User) -> QuerySet[PersonalAccessToken]:
    """The user's tokens that still work or expired (revoked ones are gone from the list)."""
    return PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True)


def access_token_get(*, user: User, token_id: int) -> PersonalAccessToken | None:
    return access_token_list(user=user).filter(pk=token_id).first()


def access_token_revoke(*, token: PersonalAccessToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def user_access_tokens_revoke(*, user: User) -> int:
    """Revoke every token of ``user`` (a new password, a deactivation, "log out everywhere")."""
    return PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def access_token_authenticate(*, raw: str) -> User | None:
    """The active user of a valid (known, unrevoked, unexpired) token, or None."""
    if not looks_like_access_token(raw) or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=_digest(raw), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
