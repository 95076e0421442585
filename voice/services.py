"""Realtime voice sessions: resolve the settings, ask OpenAI for a short-lived client secret."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from core.upstream import http_client, openai_base, openai_headers
from voice.models import VoiceSettings

logger = logging.getLogger("chatkit.voice")

FIELDS = ("model", "instructions", "voice")
PROMPT_FIELDS = ("prompt_id", "prompt_version", "prompt_variables")


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


def prompt_of(saved: VoiceSettings) -> dict[str, Any] | None:
    """The stored prompt as OpenAI takes it ({id, version?, variables?}), when one is set."""
    if not saved.prompt_id:
        return None
    prompt: dict[str, Any] = {"id": saved.prompt_id}
    if saved.prompt_version:
        prompt["version"] = saved.prompt_version
    if saved.prompt_variables:
        prompt["variables"] = saved.prompt_variables
    return prompt


def voice_settings_update(*, saved: VoiceSettings, values: dict[str, Any], user: Any) -> VoiceSettings:
    for name in FIELDS:
        if name in values:
            setattr(saved, name, values[name].strip())
    for name in PROMPT_FIELDS:
        if name in values:
            value = values[name]
            setattr(saved, name, (value.strip() or None) if isinstance(value, str) else value)
    saved.updated_by = user if getattr(user, "pk", None) else None
    saved.full_clean(exclude=["updated_by"])
    saved.save()
    return saved


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
    payload: dict[str, Any] = {
        "session": {
            "type": "realtime",
            "model": values["model"],
            "instructions": values["instructions"],
            "audio": {"output": {"voice": values["voice"]}},
        }
    }
    prompt = prompt_of(saved)
    if prompt is not None:
        payload["session"]["prompt"] = prompt
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
