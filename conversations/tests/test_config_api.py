from __future__ import annotations

import pytest

from conversations.models import ChatConfig

pytestmark = pytest.mark.django_db


def test_it_serves_the_environments_values_to_anyone(client, settings):
    settings.OPENAI_API_KEY = None
    settings.CHATKIT_GREETING = "Bonjour !"
    settings.CHATKIT_STARTER_PROMPTS = ["One", "Two"]

    body = client.get("/api/config").json()

    assert body["greeting"] == "Bonjour !"
    assert body["starter_prompts"] == ["One", "Two"]
    assert body["placeholder"] == "Ask anything…"
    assert body["theme"] == {"color_scheme": "light", "accent": "#0f62fe"}
    assert body["uploads"] == {
        "max_file_bytes": 10 * 1024 * 1024,
        "max_files": 4,
        "accept": ["image/*", "application/pdf", "text/plain"],
    }
    assert body["offline"] is True
    assert body["voice"] is False
    assert body["hosted"] is False


def test_admin_overrides_win_field_by_field(client):
    ChatConfig.objects.create(
        greeting="Welcome back", starter_prompts="Plan a trip\n\nSummarise a PDF\n", color_scheme="dark"
    )

    body = client.get("/api/config").json()

    assert body["greeting"] == "Welcome back"
    assert body["starter_prompts"] == ["Plan a trip", "Summarise a PDF"]
    assert body["theme"]["color_scheme"] == "dark"
    assert body["theme"]["accent"] == "#0f62fe"


def test_hosted_and_voice_flags_follow_the_configuration(client, settings):
    settings.OPENAI_API_KEY = "sk-x"
    settings.CHATKIT_WORKFLOW_ID = "wf_1"
    settings.CHATKIT_FORCE_HOSTED = True

    body = client.get("/api/config").json()

    assert body["hosted"] is True
    assert body["voice"] is True
    assert body["offline"] is False
    assert "sk-x" not in str(body)


def test_the_admin_edits_the_settings_row(admin_user):
    from django.test import Client

    browser = Client()
    browser.force_login(admin_user)

    response = browser.post(
        "/admin/conversations/chatconfig/add/",
        {
            "greeting": "Hi",
            "placeholder": "",
            "starter_prompts": "",
            "color_scheme": "",
            "accent_color": "red;",
        },
    )

    assert response.status_code == 200  # invalid accent colour
    assert not ChatConfig.objects.exists()


def test_built_in_texts_follow_the_visitors_language(client, settings):
    settings.CHATKIT_GREETING = None
    settings.CHATKIT_STARTER_PROMPTS = []

    french = client.get("/api/config", HTTP_ACCEPT_LANGUAGE="fr").json()
    english = client.get("/api/config").json()

    assert french["greeting"] == "Comment puis-je vous aider aujourd'hui ?"
    assert french["starter_prompts"] == ["Quel temps fait-il à Paris ?", "Que sais-tu faire ?"]
    assert english["greeting"] == "How can I help you today?"
