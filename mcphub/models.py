"""MCP servers an admin registers: their tools become tools of the assistant's agents."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.credentials import credential_open, seal, sealed_for

HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,100}$")
# Headers the HTTP client sets itself: an entry may not override them.
RESERVED_HEADERS = frozenset({"host", "content-length", "content-type", "transfer-encoding", "connection"})
MAX_HEADER_VALUE = 8192
TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def header_problems(values: Any) -> list[str]:
    if not isinstance(values, dict) or len(values) > 20:
        return [str(_("An object of at most 20 header name → value."))]
    problems: list[Any] = []
    for name, value in values.items():
        if not isinstance(name, str) or not HEADER_NAME.match(name) or name.lower() in RESERVED_HEADERS:
            problem = _("%(name)s is not a header name an entry may set.")
        elif not isinstance(value, str) or not value or len(value) > MAX_HEADER_VALUE:
            problem = _("The value of %(name)s must be text of 1 to 8192 characters.")
        elif any(char in value for char in "\r\n\x00"):
            problem = _("The value of %(name)s must be one line.")
        else:
            continue
        problems.append(str(problem % {"name": str(name)[:100]}))
    return problems


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
    # Headers sent with every request (an API key, "Authorization: Bearer …"): credentials,
    # sealed for this entry's URL (core.credentials) and never shown again. Their
    # names are kept apart, in clear, to show which are set.
    sealed_headers = models.TextField(_("headers (encrypted)"), blank=True, default="", editable=False)
    header_names = models.JSONField(_("headers set"), default=list, blank=True, editable=False)
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Credentials do not follow a URL to another server: a new origin clears them.
        if self.sealed_headers and not sealed_for(self.sealed_headers, url=self.url):
            self.headers_clear()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sealed_headers", "header_names"}
        super().save(*args, **kwargs)

    def headers_set(self, values: dict[str, str]) -> None:
        """Seal ``values`` (header → value) for this entry's current URL (call ``save`` after)."""
        problems = header_problems(values)
        if problems:
            raise ValidationError({"headers": problems})
        self.sealed_headers = seal(dict(values), url=self.url) if values else ""
        self.header_names = sorted(values)

    def headers_clear(self) -> None:
        self.sealed_headers, self.header_names = "", []

    def request_headers(self) -> dict[str, str]:
        """The headers to send to this entry's URL (raises CredentialError for another URL)."""
        return {str(k): str(v) for k, v in credential_open(self.sealed_headers, url=self.url).items()}

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
        if not isinstance(self.allowed_tools, list) or not all(
            isinstance(t, str) and TOOL_NAME.match(t) for t in self.allowed_tools
        ):
            errors["allowed_tools"] = _("A list of tool names.")
        if errors:
            raise ValidationError(errors)
