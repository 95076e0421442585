"""ASGI entry point, served by daphne (and by ``runserver``, which daphne replaces).

The stack, outermost first: request body limits (before anything reads or buffers a body),
static files (unless a proxy serves them), then Django — with a shorter middleware chain for
POST /api/chatkit, the hot path — or, for /mcp, the project's MCP server (mcphub.endpoint).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatkit_site.settings")


def build_application() -> object:
    from django.conf import settings

    from chatkit_site.bodylimit import BodyLimitMiddleware, install_daphne_limit
    from chatkit_site.handlers import (
        ChatKitHandler,
        GuardedASGIHandler,
        PathDispatcher,
        SafeStaticFilesHandler,
    )
    from mcphub.endpoint import endpoint

    install_daphne_limit()
    application: object = PathDispatcher(chatkit=ChatKitHandler(), default=GuardedASGIHandler(), mcp=endpoint)
    if settings.SERVE_STATIC:
        # Serves /static/ from the installed apps without a separate web server; set
        # SERVE_STATIC=false when nginx or a CDN serves collectstatic's output.
        application = SafeStaticFilesHandler(application)
    return BodyLimitMiddleware(application)


django.setup(set_prefix=False)
application = build_application()
