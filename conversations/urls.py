"""Routes of conversations (see chatkit_site/urls.py)."""

from django.urls import path

from conversations import views
from conversations.apis import attachments, chatkit, config, hosted, peer

# /api/chatkit
chatkit_root = [path("", chatkit.chatkit_endpoint, name="chatkit")]

# /api/chatkit/…
chatkit_routes = [
    path("attachments/<str:attachment_id>/upload", attachments.UploadApi.as_view(), name="chatkit-upload"),
    path("attachments/<str:attachment_id>/preview", attachments.PreviewApi.as_view(), name="chatkit-preview"),
    path("session", hosted.session, name="chatkit-session"),
    path("session/refresh", hosted.session_refresh, name="chatkit-session-refresh"),
    path("proxy/<path:path>", hosted.proxy, name="chatkit-proxy"),
    # Asked by the replaced system's front end (conversations/apis/peer.py).
    path("hosted", peer.HostedOptionsApi.as_view(), name="chatkit-hosted-options"),
    path("threads/<str:thread_id>/branches", peer.ThreadBranchesApi.as_view(), name="chatkit-branches"),
    path("live-updates/poll", peer.LiveUpdatesPollApi.as_view(), name="chatkit-live-updates-poll"),
]

# /api/appearance-settings and /api/languages (the replaced system's front end reads them)
peer_root = [
    path("appearance-settings", peer.AppearanceApi.as_view(), name="api-appearance-settings"),
    path("languages", peer.LanguagesApi.as_view(), name="api-languages"),
]

# /api/admin/…
admin_api = [
    path("appearance-settings", peer.AdminAppearanceApi.as_view(), name="api-admin-appearance-settings"),
]

# /api/config
config_root = [path("", config.config, name="api-config")]

# Pages
pages = [
    path("", views.home, name="home"),
    path("chart-frame", views.chart_frame, name="chart-frame"),
]
