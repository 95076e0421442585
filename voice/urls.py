"""Routes of realtime voice (see chatkit_site/urls.py)."""

from django.urls import path

from voice import apis, views

# /api/chatkit/…
chatkit = [path("voice/session", apis.VoiceSessionApi.as_view(), name="api-voice-session")]

# /api/admin/…
admin_api = [path("voice-settings", apis.VoiceSettingsApi.as_view(), name="api-voice-settings")]

# Pages
pages = [path("voice", views.voice_page, name="voice")]
