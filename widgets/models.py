from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validation import validate_json_value


class WidgetTemplate(models.Model):
    """A ChatKit widget in the library: a static widget tree or a ``.widget`` template."""

    class IndexStatus(models.TextChoices):
        PENDING = "pending", _("pending")
        INDEXED = "indexed", _("indexed")
        FAILED = "failed", _("failed")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=255, null=True, blank=True)
    description = models.TextField(_("description"), null=True, blank=True)
    definition = models.JSONField(_("definition"), validators=[validate_json_value])
    # Indexing into the "chatkit-widgets" store happens after commit; its outcome is kept here
    # so that a failure is visible in the admin instead of being lost in a log.
    index_status = models.CharField(
        _("index status"), max_length=16, choices=IndexStatus.choices, default=IndexStatus.PENDING
    )
    index_error = models.TextField(_("index error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("widget")
        verbose_name_plural = _("widgets")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def is_template(self) -> bool:
        return isinstance(self.definition, dict) and "template" in self.definition
