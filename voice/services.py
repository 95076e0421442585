"""Realtime voice sessions: resolve the settings, ask OpenAI for a short-lived client secret."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from chatkit_site.upstream import http_client, openai_base, openai_headers
from voice.models import VoiceSettings

logger = logging.getLogger("chatkit.voice")

FIELDS = ("model", "instructions", "voice")


class VoiceUnavailable(Exception):
    status = 503


class VoiceUpstreamError(Exception):
    status = 502


@dataclass(frozen=True)
class VoiceSession:
    client_secret: str
    expires_at: int | None
    model: str
    instructions: str
    voice: str


def resolve(requested: dict[str, str | None], saved: VoiceSettings) -> dict[str, str]:
    """Each value: the request's, else the admin's saved setting, else the environment's."""
    env = {
        "model": settings.CHATKIT_REALTIME_MODEL,
        "instructions": settings.CHATKIT_REALTIME_INSTRUCTIONS,
        "voice": settings.CHATKIT_REALTIME_VOICE,
    }
    return {
        name: (requested.get(name) or "").strip() or getattr(saved, name).strip() or env[name]
        for name in FIELDS
    }


def normalise_secret(body: dict[str, Any]) -> tuple[str | None, int | None]:
    """The secret may be a string or an object with value/expires_at, nested or at the top."""
    secret = body.get("client_secret", body)
    if isinstance(secret, str):
        return secret or None, body.get("expires_at")
    if isinstance(secret, dict):
        value = secret.get("value")
        return (value if isinstance(value, str) and value else None), secret.get(
            "expires_at", body.get("expires_at")
        )
    return None, None


async def voice_session_create(*, requested: dict[str, str | None]) -> VoiceSession:
    if not settings.OPENAI_API_KEY:
        raise VoiceUnavailable(_("Voice needs OPENAI_API_KEY, which is not configured on this server."))
    saved = await VoiceSettings.objects.order_by("pk").afirst() or VoiceSettings()
    values = resolve(requested, saved)
    payload = {
        "session": {
            "type": "realtime",
            "model": values["model"],
            "instructions": values["instructions"],
            "audio": {"output": {"voice": values["voice"]}},
        }
    }
    try:
        response = await http_client().post(
            f"{openai_base()}/v1/realtime/client_secrets",
            json=payload,
            headers=openai_headers(),
            timeout=settings.UPSTREAM_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        logger.warning("Realtime client secret request failed: %s", exc)
        raise VoiceUpstreamError(_("The realtime API could not be reached.")) from exc
    if response.status_code >= 400:
        logger.warning(
            "Realtime client secret request answered %s: %s", response.status_code, response.text[:500]
        )
        raise VoiceUpstreamError(
            _("The realtime API refused the session (status %(status)s).") % {"status": response.status_code}
        )
    try:
        body = response.json()
    except ValueError:
        body = {}
    secret, expires_at = normalise_secret(body if isinstance(body, dict) else {})
    if not secret:
        raise VoiceUpstreamError(_("The realtime API returned no client secret."))
    return VoiceSession(client_secret=secret, expires_at=expires_at, **values)
