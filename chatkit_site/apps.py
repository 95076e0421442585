from django.apps import AppConfig


class ChatkitSiteConfig(AppConfig):
    """The project itself, as an app: its management commands (runserver)."""

    name = "chatkit_site"
    verbose_name = "chatkit-django"
