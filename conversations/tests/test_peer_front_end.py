"""What the replaced system's own front end asks for, answered in its shapes (and threads.resume)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from conversations.tests.helpers import chat_client, create_thread, events_of, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory()


def test_resuming_a_thread_streams_nothing_and_keeps_it_as_stored(alice):
    client = chat_client(alice)
    thread_id, _events = create_thread(client, "hello")

    response = post(client, {"type": "threads.resume", "params": {"thread_id": thread_id}})

    assert response.status_code == 200
    assert events_of(response) == []
    thread = post(client, {"type": "threads.get_by_id", "params": {"thread_id": thread_id}}).json()
    kinds = [item["type"] for item in thread["items"]["data"]]
    assert kinds[0] == "user_message"
    assert "assistant_message" in kinds


def test_resuming_another_users_thread_is_a_404_and_a_resume_without_a_thread_a_400(alice):
    thread_id, _events = create_thread(chat_client(alice), "mine")
    mallory = chat_client(UserFactory())

    refused = post(mallory, {"type": "threads.resume", "params": {"thread_id": thread_id}})
    assert refused.status_code == 404
    assert thread_id in refused.json()["detail"]
    assert post(mallory, {"type": "threads.resume", "params": {}}).status_code == 400
    assert post(mallory, {"type": "threads.resume", "params": {"thread_id": "thr\x00x"}}).status_code == 404
    anonymous = Client().post("/api/chatkit", {"type": "threads.resume"}, content_type="application/json")
    assert anonymous.status_code == 401


def test_a_thread_has_one_main_branch_for_its_owner_only(alice):
    thread_id, _events = create_thread(chat_client(alice), "hello")

    mine = chat_client(alice).get(f"/api/chatkit/threads/{thread_id}/branches").json()
    assert mine["current_branch_id"] == "main"
    assert [(b["branch_id"], b["is_default"]) for b in mine["branches"]] == [("main", True)]
    assert chat_client(UserFactory()).get(f"/api/chatkit/threads/{thread_id}/branches").status_code == 404


def test_the_chats_workflow_is_named_with_its_active_version(alice):
    from workflows.models import Workflow

    workflow = Workflow.objects.get(is_chatkit_default=True)
    body = chat_client(alice).get("/api/chatkit/workflow").json()

    assert body["workflow_slug"] == workflow.slug
    assert body["definition_id"] == workflow.active_version_id
    assert body["auto_start"] is False
    assert Client().get("/api/chatkit/workflow").status_code == 401


def test_appearance_and_languages_come_from_this_projects_settings(settings):
    from conversations.models import ChatConfig

    ChatConfig.objects.create(greeting="Bonjour !", accent_color="#123abc")
    look = Client().get("/api/appearance-settings").json()
    assert (look["start_screen_greeting"], look["accent_color"]) == ("Bonjour !", "#123abc")
    ChatConfig.objects.update(accent_color="teal")  # not #RRGGBB: the peer's front end wants one
    assert Client().get("/api/appearance-settings").json()["accent_color"] == "#0f62fe"
    codes = [language["code"] for language in Client().get("/api/languages").json()["languages"]]
    assert codes == ["en", "fr"]


def test_hosted_options_list_the_hosted_workflow_only_when_one_is_configured(alice, settings):
    client = chat_client(alice)
    settings.CHATKIT_WORKFLOW_ID = None
    assert client.get("/api/chatkit/hosted").json() == []
    settings.CHATKIT_WORKFLOW_ID, settings.OPENAI_API_KEY = "wf_123", ""
    (option,) = client.get("/api/chatkit/hosted").json()
    assert (option["id"], option["available"]) == ("wf_123", False)


def test_live_updates_polling_never_reports_a_change(alice):
    body = chat_client(alice).get("/api/chatkit/live-updates/poll?thread_id=x&since=0").json()
    assert body == {"changed": False, "ts": 0.0}


def test_an_admin_sets_the_chats_look_in_the_peers_shape_and_the_chat_page_follows(admin_client_api):
    from conversations.models import ChatConfig

    body = {
        "color_scheme": "dark",
        "accent_color": "#aa3300",
        "start_screen_greeting": "Salut !",
        "start_screen_prompt": "Quoi de neuf ?\nAide-moi",
        "start_screen_placeholder": "Écrivez…",
        "radius_style": "pill",  # no counterpart here: accepted, not kept
    }
    saved = admin_client_api.patch("/api/admin/appearance-settings", body, format="json")

    assert saved.status_code == 200
    assert (saved.json()["color_scheme"], saved.json()["radius_style"]) == ("dark", "soft")
    config = Client().get("/api/config").json()
    assert (config["greeting"], config["starter_prompts"]) == ("Salut !", ["Quoi de neuf ?", "Aide-moi"])
    assert config["theme"] == {"color_scheme": "dark", "accent": "#aa3300"}
    url = "/api/admin/appearance-settings"
    system = admin_client_api.patch(url, {"color_scheme": "system"}, format="json")
    assert system.status_code == 200
    assert ChatConfig.objects.get().color_scheme == ""  # "system": the environment's again


def test_appearance_input_is_checked_and_only_admins_change_it(admin_client_api, user_client):
    bad = admin_client_api.patch("/api/admin/appearance-settings", {"accent_color": "red"}, format="json")
    assert bad.status_code == 400
    assert "accent_color" in bad.json()["errors"]
    unknown = admin_client_api.patch("/api/admin/appearance-settings", {"wallpaper": "x"}, format="json")
    assert unknown.status_code == 400
    assert user_client.patch("/api/admin/appearance-settings", {}, format="json").status_code == 403
