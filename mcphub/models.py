"""MCP servers an admin registers: their tools become tools of the assistant's agents."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,100}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class McpServer(models.Model):
    class Transport(models.TextChoices):
        STREAMABLE_HTTP = "streamable_http", _("Streamable HTTP")
        STDIO = "stdio", _("Command on this host (stdio)")

    name = models.SlugField(
        _("name"), max_length=64, unique=True, help_text=_("How agents and workflow steps refer to it.")
    )
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    transport = models.CharField(
        _("transport"), max_length=20, choices=Transport.choices, default=Transport.STREAMABLE_HTTP
    )
    url = models.CharField(_("URL"), max_length=500, blank=True, default="")
    command = models.CharField(
        _("command"), max_length=500, blank=True, default="",
        help_text=_("stdio only, and only when MCP_ALLOW_STDIO=true: it runs on this host."),
    )  # fmt: skip
    args = models.JSONField(_("arguments"), default=list, blank=True)
    headers = models.JSONField(
        _("headers"), default=dict, blank=True,
        help_text=_(
            'Header name → the name of the environment variable holding its value, e.g. '
            '{"Authorization": "CRM_TOKEN"}. Secrets stay in the environment.'
        ),
    )  # fmt: skip
    timeout_seconds = models.FloatField(
        _("timeout (seconds)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    allowed_tools = models.JSONField(
        _("allowed tools"), default=list, blank=True, help_text=_("Tool names agents may call; empty: all.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    in_assistant = models.BooleanField(
        _("used by the default assistant"), default=False,
        help_text=_("Workflow agent steps choose their servers in their tools."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("MCP server")
        verbose_name_plural = _("MCP servers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        for field in ("description", "url", "command"):
            if "\x00" in getattr(self, field):
                errors[field] = _("NUL characters are not allowed.")
        if self.transport == self.Transport.STREAMABLE_HTTP:
            try:
                URLValidator(schemes=["http", "https"])(self.url)
            except ValidationError:
                errors["url"] = _("An http or https URL is required.")
        else:
            if not settings.MCP_ALLOW_STDIO:
                errors["transport"] = _(
                    "stdio servers run commands on this host: set MCP_ALLOW_STDIO=true first."
                )
            if not self.command.strip():
                errors["command"] = _("A command is required.")
        if not isinstance(self.args, list) or not all(
            isinstance(a, str) and "\x00" not in a for a in self.args
        ):
            errors["args"] = _("A list of strings.")
        if not isinstance(self.headers, dict) or not all(
            isinstance(k, str) and HEADER_NAME.match(k) and isinstance(v, str) and ENV_NAME.match(v)
            for k, v in self.headers.items()
        ):
            errors["headers"] = _("An object of header name → environment variable name.")
        if not isinstance(self.allowed_tools, list) or not all(
            isinstance(t, str) and TOOL_NAME.match(t) for t in self.allowed_tools
        ):
            errors["allowed_tools"] = _("A list of tool names.")
        if errors:
            raise ValidationError(errors)
