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
        "prompt_id": None,
        "prompt_version": None,
        "prompt_variables": None,
        "created_at": None,
        "updated_at": None,
    }


def test_patch_saves_and_records_who(admin_client_api, admin_user):
    response = admin_client_api.patch(
        URL, {"voice": "verse", "instructions": " Speak French. "}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("model", "instructions", "voice")} == {
        "model": "env-model",
        "instructions": "Speak French.",
        "voice": "verse",
    }
    assert body["created_at"]
    assert body["updated_at"]
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


def test_a_prompt_is_saved_returned_and_cleared(admin_client_api):
    response = admin_client_api.patch(
        URL,
        {"prompt_id": "pmpt_123", "prompt_version": "4", "prompt_variables": {"city": "Lyon"}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["prompt_id"], body["prompt_version"], body["prompt_variables"]) == (
        "pmpt_123",
        "4",
        {"city": "Lyon"},
    )
    assert admin_client_api.get(URL).json()["prompt_variables"] == {"city": "Lyon"}
    cleared = admin_client_api.patch(URL, {"prompt_id": None, "prompt_variables": None}, format="json").json()
    assert (cleared["prompt_id"], cleared["prompt_variables"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"voice": "verse", "voise": "typo"},
        {"prompt": "pmpt_1"},
        {"prompt_variables": ["a"]},
        {"prompt_variables": {"deep": {"x": "y"}}},
    ],
)
def test_unknown_fields_and_bad_prompt_variables_are_400(admin_client_api, body):
    response = admin_client_api.patch(URL, body, format="json")

    assert response.status_code == 400
    assert not VoiceSettings.objects.exists()
