"""Bearer-token authentication: SimpleJWT's, plus session revocation in the user's query."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts.models import User
from accounts.tokens import SID_CLAIM, token_still_valid, users_with_revocation


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token: Any) -> User:
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if not isinstance(user_id, str) or not user_id.isdigit():
            raise InvalidToken(_("Token contained no recognizable user identification"))
        user = users_with_revocation(user_id=user_id, sid=validated_token.get(SID_CLAIM)).first()
        if not token_still_valid(user=user, claims=validated_token.payload):
            raise AuthenticationFailed(_("The token has been revoked."), code="token_revoked")
        return user


def authenticate_bearer_sync(request: Any) -> User | None:
    try:
        result = JWTAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return result[0] if result else None


async def authenticate_bearer(request: Any) -> User | None:
    """The user of the request's Bearer token, or None (for async views outside DRF).

    The token is checked on the event loop (a missing, malformed, forged or expired one is
    refused without touching a thread or the database); only the user's row is read through
    db_call, so the request holds no connection afterwards.
    """
    from core.db import db_call

    authentication = JWTAuthentication()
    header = authentication.get_header(request)
    raw = authentication.get_raw_token(header) if header is not None else None
    if raw is None:
        return None
    try:
        token = authentication.get_validated_token(raw)
    except AuthenticationFailed:
        return None
    try:
        return await db_call(authentication.get_user, token)
    except AuthenticationFailed:
        return None
