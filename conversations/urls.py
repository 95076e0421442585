from django.urls import path

from conversations import config, hosted, uploads, views

urlpatterns = [
    path("chatkit", views.chatkit_endpoint, name="chatkit"),
    path("chatkit/session", hosted.session, name="chatkit-session"),
    path("chatkit/session/refresh", hosted.session_refresh, name="chatkit-session-refresh"),
    path("chatkit/proxy/<path:path>", hosted.proxy, name="chatkit-proxy"),
    path("config", config.config_view, name="api-config"),
    path("chatkit/attachments/<str:attachment_id>/upload", uploads.upload_attachment, name="chatkit-upload"),
    path(
        "chatkit/attachments/<str:attachment_id>/preview", uploads.preview_attachment, name="chatkit-preview"
    ),
]
