from django.urls import path

from voice import apis

urlpatterns = [
    path("chatkit/voice/session", apis.VoiceSessionApi.as_view(), name="api-voice-session"),
    path("admin/voice-settings", apis.VoiceSettingsApi.as_view(), name="api-voice-settings"),
]
