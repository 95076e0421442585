"""ASGI entry point, served by daphne (and by ``runserver``, which daphne replaces).

The stack, outermost first: request body limits (before anything reads or buffers a body),
static files (unless a proxy serves them), then Django — with a shorter middleware chain for
POST /api/chatkit, the hot path — or, for /mcp, the project's MCP server (mcphub.endpoint).
WebSockets go to Channels' router (/ws/events: events.consumers).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatkit_site.settings")


def build_application() -> object:
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.conf import settings

    from chatkit_site.bodylimit import BodyLimitMiddleware, install_daphne_limit
    from chatkit_site.handlers import (
        ChatKitHandler,
        GuardedASGIHandler,
        PathDispatcher,
        SafeStaticFilesHandler,
    )
    from events.routing import websocket_urlpatterns
    from mcphub.endpoint import endpoint

    install_daphne_limit()
    http: object = PathDispatcher(chatkit=ChatKitHandler(), default=GuardedASGIHandler(), mcp=endpoint)
    if settings.SERVE_STATIC:
        # Serves /static/ from the installed apps without a separate web server; set
        # SERVE_STATIC=false when nginx or a CDN serves collectstatic's output.
        http = SafeStaticFilesHandler(http)
    # WebSockets (/ws/events) only from pages of this site's own hosts (Origin checked).
    websocket = AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))
    return ProtocolTypeRouter({"http": BodyLimitMiddleware(http), "websocket": websocket})


django.setup(set_prefix=False)
application = build_application()
