from __future__ import annotations

import pytest
from agents.testing import assistant_message
from django.test import Client

from conversations.tests.helpers import create_thread

pytestmark = pytest.mark.django_db


def test_the_thread_list_shows_owner_title_and_item_count(admin_browser, alice_client, scripted):
    scripted.enqueue([assistant_message("an answer")])
    create_thread(alice_client, "A question for the admin")

    html = admin_browser.get("/admin/conversations/thread/").content.decode()

    assert "A question for the admin" in html
    assert "alice@example.com" in html
    assert '<td class="field-item_count">2</td>' in html


def test_the_thread_page_shows_the_transcript_in_order(admin_browser, alice_client, scripted):
    scripted.enqueue([assistant_message("the answer")])
    thread_id, events = create_thread(alice_client, "the question")
    assert [e for e in events if e["type"] == "error"] == []

    response = admin_browser.get(f"/admin/conversations/thread/{thread_id}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    transcript = html.split("class='transcript'", 1)[1]
    assert transcript.index("the question") < transcript.index("the answer")
    assert 'name="_save"' not in html  # read-only


def test_attachments_and_feedback_pages_load(admin_browser):
    assert admin_browser.get("/admin/conversations/attachment/").status_code == 200
    assert admin_browser.get("/admin/conversations/feedback/").status_code == 200


def test_non_admins_cannot_open_the_admin(alice):
    client = Client()
    client.force_login(alice)

    assert client.get("/admin/conversations/thread/").status_code == 302
