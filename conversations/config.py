"""The chat page's configuration: environment values, each overridable by the admin's Chat settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from conversations.hosted import hosted_configured
from conversations.models import ChatConfig


def effective_config(saved: ChatConfig | None) -> dict[str, Any]:
    """Environment values, each overridden by the admin's saved value when set."""
    saved = saved or ChatConfig()
    prompts = (
        [p.strip() for p in saved.starter_prompts.splitlines() if p.strip()]
        or settings.CHATKIT_STARTER_PROMPTS
        or [_("What's the weather in Paris?"), _("What can you do?")]
    )
    return {
        "greeting": saved.greeting.strip() or settings.CHATKIT_GREETING or _("How can I help you today?"),
        "placeholder": saved.placeholder.strip() or settings.CHATKIT_PLACEHOLDER or _("Ask anything…"),
        "starter_prompts": prompts,
        "theme": {
            "color_scheme": saved.color_scheme or settings.CHATKIT_COLOR_SCHEME,
            "accent": saved.accent_color.strip() or settings.CHATKIT_ACCENT_COLOR,
        },
        "uploads": {
            "max_file_bytes": settings.CHATKIT_MAX_UPLOAD_BYTES,
            "max_files": settings.CHATKIT_MAX_ATTACHMENTS,
            "accept": settings.CHATKIT_UPLOAD_TYPES,
        },
        "hosted": bool(settings.CHATKIT_FORCE_HOSTED and hosted_configured()),
        "voice": bool(settings.OPENAI_API_KEY),
        "offline": not settings.OPENAI_API_KEY,
        "weather_tool": settings.CHATKIT_WEATHER_TOOL,
    }
