from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared core every app stands on (it imports none of them): its management commands."""

    name = "core"
    verbose_name = "Core"
