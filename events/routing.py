"""WebSocket routes (served beside Django's HTTP by chatkit_site.asgi)."""

from django.urls import path, re_path

from events.consumers import EventsConsumer, NotFoundConsumer

websocket_urlpatterns = [
    path("ws/events", EventsConsumer.as_asgi()),
    re_path(r"", NotFoundConsumer.as_asgi()),
]
