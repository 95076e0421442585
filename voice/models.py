from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validation import validate_json_value


def validate_prompt_variables(value: object) -> None:
    """An object of strings (what OpenAI's prompt variables take), or nothing."""
    if value is None:
        return
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise ValidationError(_("Prompt variables must be an object whose values are strings."))
    validate_json_value(value)


class VoiceSettings(models.Model):
    """The one row of realtime voice settings an admin can change without a redeploy.

    Empty fields fall back to the environment (CHATKIT_REALTIME_*).
    """

    model = models.CharField(_("model"), max_length=100, blank=True, default="")
    instructions = models.TextField(_("instructions"), blank=True, default="")
    voice = models.CharField(_("voice"), max_length=50, blank=True, default="")
    # A stored prompt (OpenAI prompt id, version and variables) the session starts from.
    prompt_id = models.CharField(_("prompt id"), max_length=200, null=True, blank=True)
    prompt_version = models.CharField(_("prompt version"), max_length=50, null=True, blank=True)
    prompt_variables = models.JSONField(
        _("prompt variables"), null=True, blank=True, validators=[validate_prompt_variables]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("updated by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("voice settings")
        verbose_name_plural = _("voice settings")

    def __str__(self) -> str:
        return str(_("Voice settings"))

    @classmethod
    def current(cls) -> VoiceSettings:
        return cls.objects.order_by("pk").first() or cls()
