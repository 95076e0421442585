from __future__ import annotations

import pytest
from agents.testing import assistant_message
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversations.models import Thread
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

    # Thread ids contain "_", which the admin escapes in URLs: an unquoted id whose hex part
    # starts like an escape ("thr_2F…") would name another object. Build the URL as the admin does.
    response = admin_browser.get(reverse("admin:conversations_thread_change", args=[quote(thread_id)]))

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


def test_a_thread_whose_id_looks_like_an_admin_escape_opens_from_the_list(admin_browser, alice):
    # "_28" is how the admin escapes "(" in URLs; ids are "thr_<hex>", so some start like that.
    thread = Thread.objects.create(
        id="thr_2829aa", owner=alice, title="escaped id", created_at=timezone.now()
    )

    listing = admin_browser.get("/admin/conversations/thread/").content.decode()
    link = reverse("admin:conversations_thread_change", args=[quote(thread.id)])
    assert f'href="{link}"' in listing

    response = admin_browser.get(link)
    assert response.status_code == 200
    assert "escaped id" in response.content.decode()
