"""ASGI entry point, served by daphne (and by ``runserver``, which daphne replaces)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatkit_site.settings")

django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402  (settings are configured by the line above)

if settings.SERVE_STATIC:
    # Serves /static/ from the installed apps and static/ folder without a separate web
    # server; set SERVE_STATIC=false when nginx or a CDN serves collectstatic's output.
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(django_asgi_app)
else:
    application = django_asgi_app
