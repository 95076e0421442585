"""Workflows: the assistant as a graph of steps, saved in versions, with a run log per turn."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.credentials import credential_open, seal, sealed_for

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"


class AvailableModel(models.Model):
    """A model admins may pick for an agent step.

    Its API key is a credential (core.credentials): sealed for the endpoint it was
    entered for, never shown again. Without a key of its own, only an entry without a base URL
    (the operator's OPENAI_BASE_URL or OpenAI) uses the server's OPENAI_API_KEY.
    """

    class Provider(models.TextChoices):
        OPENAI = "openai", _("OpenAI")
        COMPATIBLE = "openai-compatible", _("OpenAI-compatible server")
        OFFLINE = "offline", _("Offline (no language model)")

    name = models.CharField(_("model id"), max_length=200, unique=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    provider = models.CharField(
        _("provider"), max_length=32, choices=Provider.choices, default=Provider.OPENAI
    )
    base_url = models.URLField(_("base URL"), max_length=500, blank=True, default="")
    sealed_api_key = models.TextField(_("API key (encrypted)"), blank=True, default="", editable=False)
    supports_reasoning = models.BooleanField(_("supports reasoning settings"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("available model")
        verbose_name_plural = _("available models")

    def __str__(self) -> str:
        return self.display_name or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A key does not follow the entry to another endpoint: a new origin clears it.
        if self.sealed_api_key and not sealed_for(self.sealed_api_key, url=self.endpoint_url):
            self.sealed_api_key = ""
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sealed_api_key"}
        super().save(*args, **kwargs)

    @property
    def endpoint_url(self) -> str:
        """Where requests for this model go."""
        return self.base_url or settings.OPENAI_BASE_URL or OPENAI_DEFAULT_URL

    @property
    def has_api_key(self) -> bool:
        return bool(self.sealed_api_key)

    def api_key_set(self, key: str) -> None:
        self.sealed_api_key = seal({"key": key}, url=self.endpoint_url) if key else ""

    def api_key(self) -> str:
        """The entry's own key, for its endpoint only ("" when none; CredentialError elsewhere)."""
        return str(credential_open(self.sealed_api_key, url=self.endpoint_url).get("key") or "")


class Workflow(models.Model):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    display_name = models.CharField(_("display name"), max_length=200)
    description = models.TextField(_("description"), blank=True, null=True)
    active_version = models.ForeignKey(
        "WorkflowVersion",
        verbose_name=_("active version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_chatkit_default = models.BooleanField(_("runs the chat"), default=False)
    apply_to_running_threads = models.BooleanField(
        _("new versions apply to running threads"),
        default=False,
        help_text=_("Otherwise a thread keeps the version it started on."),
    )
    # The editor's work in progress: saved as the admin edits, valid or not, until published.
    editor_draft = models.JSONField(_("editor draft"), null=True, blank=True)
    editor_draft_saved_at = models.DateTimeField(_("editor draft saved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        constraints = [
            models.UniqueConstraint(
                fields=["is_chatkit_default"],
                condition=Q(is_chatkit_default=True),
                name="one_chatkit_workflow",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.slug


class WorkflowVersion(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    graph = models.JSONField(_("graph"))
    # Once a version has run the chat it never changes: threads pinned to it, and run logs,
    # must keep meaning what they meant.
    was_activated = models.BooleanField(_("activated at least once"), default=False)
    # Test cases that failed when an admin published it anyway (their names); empty otherwise.
    published_despite = models.JSONField(_("published despite failing cases"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["workflow", "-version"]
        verbose_name = _("workflow version")
        verbose_name_plural = _("workflow versions")
        constraints = [
            models.UniqueConstraint(fields=["workflow", "version"], name="workflow_version_number"),
            models.UniqueConstraint(fields=["workflow", "name"], name="workflow_version_name"),
        ]

    def __str__(self) -> str:
        return f"{self.workflow.slug} v{self.version} ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.workflow.active_version_id == self.id


class ThreadWorkflow(models.Model):
    """Which version a thread runs, and the workflow state it carries from turn to turn."""

    thread = models.OneToOneField(
        "conversations.Thread", on_delete=models.CASCADE, primary_key=True, related_name="workflow"
    )
    version = models.ForeignKey(WorkflowVersion, on_delete=models.CASCADE, related_name="threads")
    state = models.JSONField(_("state"), default=dict, blank=True)
    # A widget shown by the workflow whose actions resume it: {"item_id", "node"}.
    resume = models.JSONField(_("resume on widget action"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("thread workflow state")
        verbose_name_plural = _("thread workflow states")

    def __str__(self) -> str:
        return f"{self.thread_id} · {self.version}"


class WorkflowRun(models.Model):
    """One turn of a workflow on a thread: which version, each step, the state before and after."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    thread = models.ForeignKey("conversations.Thread", on_delete=models.CASCADE, related_name="workflow_runs")
    version = models.ForeignKey(WorkflowVersion, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(_("trigger"), max_length=32, default="message")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    steps = models.JSONField(_("steps"), default=list)
    state_before = models.JSONField(_("state before"), default=dict)
    state_after = models.JSONField(_("state after"), default=dict)
    error = models.TextField(_("error"), blank=True, default="")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("workflow run")
        verbose_name_plural = _("workflow runs")
        indexes = [models.Index(fields=["thread", "-started_at"], name="workflow_run_thread")]

    def __str__(self) -> str:
        return f"{self.thread_id} · {self.version} · {self.status}"


class EditorViewport(models.Model):
    """Where an admin left the canvas of a workflow (version, device): pan and zoom.

    The replaced system's builder saves these (``PUT /api/workflows/viewports``) and restores them
    when a workflow is opened again; kept per user so its front end pointed here works the same.
    """

    class Device(models.TextChoices):
        DESKTOP = "desktop", _("desktop")
        MOBILE = "mobile", _("mobile")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        WorkflowVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    device_type = models.CharField(_("device"), max_length=16, choices=Device.choices, default=Device.DESKTOP)
    x = models.FloatField()
    y = models.FloatField()
    zoom = models.FloatField()
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("editor viewport")
        verbose_name_plural = _("editor viewports")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workflow", "version", "device_type"],
                name="one_viewport_per_place",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id}/{self.version_id or '-'}/{self.device_type}"


class WorkflowTestCase(models.Model):
    """A test case of a workflow: user messages (and a start state) with what must happen.

    Run against the draft or any version by the dry-run engine (``workflows.engine.evals``);
    publishing runs them all and refuses a version that fails one unless told to publish anyway.
    ``expectations`` is a list of ``{"type": …}`` objects (``workflows.engine.evals.KINDS``).
    """

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="test_cases")
    name = models.CharField(_("name"), max_length=200)
    messages = models.JSONField(_("user messages"), default=list)
    state = models.JSONField(_("start state"), default=dict, blank=True)
    expectations = models.JSONField(_("expectations"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["workflow", "name", "pk"]
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")
        constraints = [
            models.UniqueConstraint(fields=["workflow", "name"], name="test_case_name_per_workflow")
        ]

    def __str__(self) -> str:
        return self.name
