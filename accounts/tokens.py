"""JWT pairs: issue, refresh (rotating), and revoke.

Revocation, in three layers:
* the password: tokens carry a hash of the password hash (SimpleJWT's CHECK_REVOKE_TOKEN), so
  a password change invalidates every token of the user, access tokens included;
* the account: an inactive user's tokens are refused (and all are blacklisted on deactivation);
* the session: each pair carries a ``sid``; logging out records it in RevokedSession, which the
  authentication class checks in the same query that loads the user.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

import django.dispatch
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import RevokedSession, User

SID_CLAIM = "sid"

# Sent (after the commit) when a user's credentials may no longer hold: a logout, a new
# password, a deactivation, a demotion, "log out everywhere". events closes the user's sockets
# whose credentials fail the check again, on every worker. Argument: user_id.
credentials_changed = django.dispatch.Signal()


class InvalidRefreshToken(Exception):
    pass


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str


def new_sid() -> str:
    return f"api_{uuid.uuid4().hex}"


def sid_for_session(session_key: str) -> str:
    """The sid of tokens handed to the pages of one browser session (revoked at /logout)."""
    return "ses_" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def token_pair_for(*, user: User, sid: str | None = None) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    refresh[SID_CLAIM] = sid or new_sid()
    return TokenPair(access_token=str(refresh.access_token), refresh_token=str(refresh))


def users_with_revocation(*, user_id: object, sid: str | None) -> object:
    """The user of a token, annotated with whether its session was revoked (one query)."""
    users = User.objects.filter(pk=user_id)
    if sid:
        users = users.annotate(session_revoked=Exists(RevokedSession.objects.filter(sid=sid)))
    return users


def token_still_valid(*, user: User | None, claims: dict[str, object]) -> bool:
    """Whether credentials with these claims (a token's, or a socket ticket's) still hold."""
    if user is None or not user.is_active or getattr(user, "session_revoked", False):
        return False
    if user.revoked_before is not None:
        issued = claims.get("iat")
        if not isinstance(issued, int | float) or issued < user.revoked_before.timestamp():
            return False
    return claims.get(api_settings.REVOKE_TOKEN_CLAIM) == get_md5_hash_password(user.password)


def credential_user(*, user_id: object, sid: str | None, claims: dict[str, object]) -> User | None:
    """The user of still-valid credentials (same rules as a token), or None."""
    user = users_with_revocation(user_id=user_id, sid=sid).first()
    return user if token_still_valid(user=user, claims=claims) else None


def credential_claims(*, user: User, sid: str | None) -> dict[str, object]:
    """What a credential issued now records, to be checked by ``credential_user`` later."""
    return {
        api_settings.REVOKE_TOKEN_CLAIM: get_md5_hash_password(user.password),
        "iat": int(timezone.now().timestamp()),
        SID_CLAIM: sid,
    }


def token_refresh(*, refresh_token: str) -> TokenPair:
    """A new pair for a valid refresh token, which is blacklisted (rotation)."""
    try:
        refresh = RefreshToken(refresh_token)  # signature, expiry and the blacklist
    except TokenError:
        raise InvalidRefreshToken from None
    user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
    if not isinstance(user_id, str) or not user_id.isdigit():
        raise InvalidRefreshToken
    with transaction.atomic():
        # Lock the token's row: two concurrent refreshes with one token cannot both succeed.
        outstanding = (
            OutstandingToken.objects.select_for_update(of=("self",)).filter(jti=refresh["jti"]).first()
        )
        if outstanding is not None and BlacklistedToken.objects.filter(token=outstanding).exists():
            raise InvalidRefreshToken
        user = users_with_revocation(user_id=user_id, sid=refresh.payload.get(SID_CLAIM)).first()
        if not token_still_valid(user=user, claims=refresh.payload):
            raise InvalidRefreshToken
        refresh.blacklist()
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
    return TokenPair(access_token=str(refresh.access_token), refresh_token=str(refresh))


def session_revoke(*, user: User, sid: str) -> None:
    """Revoke every token of one login session (logout), and close its sockets."""
    now = timezone.now()
    RevokedSession.objects.filter(expires_at__lt=now).delete()  # forget what expired anyway
    lifetime = max(
        settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"], settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    )
    RevokedSession.objects.update_or_create(
        sid=sid[:64], defaults={"user": user, "expires_at": now + lifetime + timedelta(minutes=5)}
    )
    credentials_changed_announce(user_id=user.pk)


def user_logout_everywhere(*, user: User) -> None:
    """End every login of ``user``: tokens, browser sessions, personal access tokens, sockets."""
    from accounts.access_tokens import user_access_tokens_revoke

    with transaction.atomic():
        # iat is in whole seconds, rounded down: whatever was issued before now is older than now.
        user.revoked_before = timezone.now()
        user.save(update_fields=["revoked_before", "updated_at"])
        user_tokens_revoke(user=user)
        user_access_tokens_revoke(user=user)
        credentials_changed_announce(user_id=user.pk)


def credentials_changed_announce(*, user_id: int) -> None:
    """After the commit, tell whoever listens (open sockets) to check the user's credentials again."""
    transaction.on_commit(lambda: credentials_changed.send(sender=User, user_id=user_id))


def refresh_token_revoke(*, user: User, refresh_token: str) -> None:
    """Blacklist one refresh token of ``user`` (others' tokens and invalid ones are ignored)."""
    try:
        refresh = RefreshToken(refresh_token)
    except TokenError:
        return
    if refresh.payload.get(api_settings.USER_ID_CLAIM) == str(user.pk):
        refresh.blacklist()


def user_tokens_revoke(*, user: User) -> int:
    """Blacklist every outstanding refresh token of ``user`` (password change, deactivation)."""
    pending = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now()).exclude(
        Exists(BlacklistedToken.objects.filter(token=OuterRef("pk")))
    )
    rows = [BlacklistedToken(token=token) for token in pending]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
