from __future__ import annotations

import pytest

from voice.models import VoiceSettings

pytestmark = pytest.mark.django_db

URL = "/api/admin/voice-settings"


@pytest.fixture(autouse=True)
def env(settings):
    settings.CHATKIT_REALTIME_MODEL = "env-model"
    settings.CHATKIT_REALTIME_INSTRUCTIONS = "env instructions"
    settings.CHATKIT_REALTIME_VOICE = "env-voice"


def test_get_shows_the_effective_settings(admin_client_api):
    assert admin_client_api.get(URL).json() == {
        "model": "env-model",
        "instructions": "env instructions",
        "voice": "env-voice",
    }


def test_patch_saves_and_records_who(admin_client_api, admin_user):
    response = admin_client_api.patch(
        URL, {"voice": "verse", "instructions": " Speak French. "}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"model": "env-model", "instructions": "Speak French.", "voice": "verse"}
    saved = VoiceSettings.objects.get()
    assert saved.updated_by == admin_user
    assert (
        admin_client_api.patch(URL, {"model": "gpt-realtime-mini"}, format="json").json()["voice"] == "verse"
    )
    assert VoiceSettings.objects.count() == 1


@pytest.mark.parametrize("body", [{"voice": ""}, {"model": "   "}, {"instructions": ""}, {}])
def test_blank_values_are_400(admin_client_api, body):
    response = admin_client_api.patch(URL, body, format="json")

    assert response.status_code == 400
    assert not VoiceSettings.objects.exists()


def test_voice_settings_are_for_admins(user_client, api_client):
    assert user_client.get(URL).status_code == 403
    assert user_client.patch(URL, {"voice": "x"}, format="json").status_code == 403
    assert api_client.get(URL).status_code == 401
    assert not VoiceSettings.objects.exists()
