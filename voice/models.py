from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VoiceSettings(models.Model):
    """The one row of realtime voice settings an admin can change without a redeploy.

    Empty fields fall back to the environment (CHATKIT_REALTIME_*).
    """

    model = models.CharField(_("model"), max_length=100, blank=True, default="")
    instructions = models.TextField(_("instructions"), blank=True, default="")
    voice = models.CharField(_("voice"), max_length=50, blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("voice settings")
        verbose_name_plural = _("voice settings")

    def __str__(self) -> str:
        return str(_("Voice settings"))

    @classmethod
    def current(cls) -> VoiceSettings:
        return cls.objects.order_by("pk").first() or cls()
