from __future__ import annotations

import json

import httpx
import pytest
import respx

from voice.models import VoiceSettings

pytestmark = pytest.mark.django_db

URL = "/api/chatkit/voice/session"
UPSTREAM = "https://api.openai.com/v1/realtime/client_secrets"


@pytest.fixture(autouse=True)
def configured(settings):
    settings.OPENAI_API_KEY = "sk-server-key"
    settings.OPENAI_BASE_URL = None
    settings.CHATKIT_REALTIME_MODEL = "env-model"
    settings.CHATKIT_REALTIME_INSTRUCTIONS = "env instructions"
    settings.CHATKIT_REALTIME_VOICE = "env-voice"


@pytest.fixture
def upstream():
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(UPSTREAM).mock(
            return_value=httpx.Response(
                200, json={"value": "ek_secret", "expires_at": 1_900_000_000, "session": {"type": "realtime"}}
            )
        )
        yield route


def sent(route) -> dict:
    return json.loads(route.calls.last.request.content)


def test_env_values_are_used_when_nothing_else_is_set(user_client, upstream):
    response = user_client.post(URL, {}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "client_secret": "ek_secret",
        "expires_at": 1_900_000_000,
        "model": "env-model",
        "instructions": "env instructions",
        "voice": "env-voice",
    }
    assert sent(upstream) == {
        "session": {
            "type": "realtime",
            "model": "env-model",
            "instructions": "env instructions",
            "audio": {"output": {"voice": "env-voice"}},
        }
    }
    request = upstream.calls.last.request
    assert request.headers["Authorization"] == "Bearer sk-server-key"


def test_admin_settings_override_env_and_the_request_overrides_both(user_client, upstream, admin_user):
    VoiceSettings.objects.create(
        model="admin-model", instructions="", voice="admin-voice", updated_by=admin_user
    )

    from_settings = user_client.post(URL, {}, format="json").json()
    from_request = user_client.post(
        URL, {"voice": "request-voice", "instructions": "Be brief"}, format="json"
    ).json()

    assert (from_settings["model"], from_settings["instructions"], from_settings["voice"]) == (
        "admin-model",
        "env instructions",
        "admin-voice",
    )
    assert (from_request["model"], from_request["instructions"], from_request["voice"]) == (
        "admin-model",
        "Be brief",
        "request-voice",
    )
    assert sent(upstream)["session"]["audio"]["output"]["voice"] == "request-voice"


@pytest.mark.parametrize(
    ("body", "secret", "expires"),
    [
        ({"client_secret": "ek_plain"}, "ek_plain", None),
        ({"client_secret": {"value": "ek_nested", "expires_at": 123}}, "ek_nested", 123),
        ({"value": "ek_top", "expires_at": 456}, "ek_top", 456),
    ],
)
def test_both_secret_shapes_are_normalised(user_client, upstream, body, secret, expires):
    upstream.mock(return_value=httpx.Response(200, json=body))

    response = user_client.post(URL, {}, format="json").json()

    assert response["client_secret"] == secret
    assert response["expires_at"] == expires


@pytest.mark.parametrize("body", [{}, {"client_secret": ""}, {"client_secret": {"expires_at": 1}}, []])
def test_an_answer_without_a_secret_is_502(user_client, upstream, body):
    upstream.mock(return_value=httpx.Response(200, json=body))

    response = user_client.post(URL, {}, format="json")

    assert response.status_code == 502
    assert response.json() == {"detail": "The realtime API returned no client secret."}


def test_an_upstream_failure_is_502(user_client, upstream):
    upstream.mock(return_value=httpx.Response(500, json={"error": {"message": "internal"}}))

    response = user_client.post(URL, {}, format="json")

    assert response.status_code == 502
    assert response.json() == {"detail": "The realtime API refused the session (status 500)."}


def test_an_unreachable_upstream_is_502(user_client, upstream):
    upstream.mock(side_effect=httpx.ConnectError("no network"))

    response = user_client.post(URL, {}, format="json")

    assert response.status_code == 502
    assert response.json() == {"detail": "The realtime API could not be reached."}


def test_without_an_api_key_it_is_503_and_nothing_is_called(user_client, upstream, settings):
    settings.OPENAI_API_KEY = None

    response = user_client.post(URL, {}, format="json")

    assert response.status_code == 503
    assert upstream.call_count == 0


def test_without_a_token_it_is_401_and_nothing_is_called(api_client, upstream):
    response = api_client.post(URL, {}, format="json")

    assert response.status_code == 401
    assert upstream.call_count == 0


def test_openai_base_url_is_honoured_with_or_without_v1(user_client, settings):
    settings.OPENAI_BASE_URL = "http://proxy.internal/v1"
    with respx.mock() as mock:
        route = mock.post("http://proxy.internal/v1/realtime/client_secrets").mock(
            return_value=httpx.Response(200, json={"value": "ek"})
        )
        assert user_client.post(URL, {}, format="json").status_code == 200
        assert route.call_count == 1


def test_a_stored_prompt_is_passed_to_openai(user_client, upstream):
    VoiceSettings.objects.create(prompt_id="pmpt_123", prompt_version="4", prompt_variables={"city": "Lyon"})

    assert user_client.post(URL, {}, format="json").status_code == 200

    assert sent(upstream)["session"]["prompt"] == {
        "id": "pmpt_123",
        "version": "4",
        "variables": {"city": "Lyon"},
    }


def test_without_a_prompt_none_is_sent(user_client, upstream):
    VoiceSettings.objects.create(prompt_id=None)

    user_client.post(URL, {}, format="json")

    assert "prompt" not in sent(upstream)["session"]
