"""The admin: workflows, a version's diagram and validation, run logs linked from the thread."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.admin.utils import quote
from django.core.management import call_command

from conversations.tests.helpers import create_thread
from workflows.models import Workflow, WorkflowRun, WorkflowVersion

pytestmark = pytest.mark.django_db


def test_the_admin_pages_show_workflows_versions_and_run_logs(admin_browser, alice_chat):
    call_command("load_workflow_examples", "--chatkit", "intake", stdout=StringIO())
    thread_id, _ = create_thread(alice_chat, "hello")
    version = Workflow.objects.get(slug="intake").active_version
    run = WorkflowRun.objects.get(thread_id=thread_id)

    assert admin_browser.get("/admin/workflows/workflow/").status_code == 200
    page = admin_browser.get(f"/admin/workflows/workflowversion/{version.pk}/change/").content.decode()
    assert "need_name" in page
    assert "Valid." in page
    # Admin URLs quote their ids (a thread id like "thr_40ab…" would otherwise read as "thr@ab…").
    thread_url = f"/admin/conversations/thread/{quote(thread_id)}/change/"
    thread_page = admin_browser.get(thread_url).content.decode()
    assert "1 run log(s)" in thread_page
    run_page = admin_browser.get(f"/admin/workflows/workflowrun/{run.pk}/change/").content.decode()
    assert "end_ask_name" in run_page


def test_activating_an_older_version_from_the_admin_rolls_back(admin_browser):
    workflow = Workflow.objects.get(slug="assistant")
    first = workflow.active_version
    second = WorkflowVersion.objects.create(workflow=workflow, version=2, name="v2", graph=first.graph)
    workflow.active_version = second
    workflow.save()

    admin_browser.post(
        "/admin/workflows/workflowversion/",
        {"action": "activate", "_selected_action": [first.pk]},
    )

    workflow.refresh_from_db()
    assert workflow.active_version_id == first.pk


def test_a_version_page_draws_the_graph_and_a_run_shows_what_changed_in_state(admin_browser, alice_chat):
    call_command("load_workflow_examples", "--chatkit", "intake", stdout=StringIO())
    thread_id, _ = create_thread(alice_chat, "hello")
    version = Workflow.objects.get(slug="intake").active_version

    page = admin_browser.get(f"/admin/workflows/workflowversion/{version.pk}/change/").content.decode()
    run = WorkflowRun.objects.get(thread_id=thread_id)
    run_page = admin_browser.get(f"/admin/workflows/workflowrun/{run.pk}/change/").content.decode()

    assert page.count("<rect") == len(version.graph["nodes"])
    assert page.count("<line") == len(version.graph["edges"])
    assert "state.asking" in run_page
    assert "&quot;name&quot;" in run_page


def test_a_workflow_exported_from_the_admin_imports_back_under_a_new_slug(admin_browser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    workflow = Workflow.objects.get(slug="assistant")
    exported = admin_browser.post(
        "/admin/workflows/workflow/", {"action": "export_json", "_selected_action": [workflow.pk]}
    ).content

    response = admin_browser.post(
        "/admin/workflows/workflow/import/",
        {"file": SimpleUploadedFile("w.json", exported, "application/json"), "slug": "assistant-copy"},
    )
    broken = admin_browser.post(
        "/admin/workflows/workflow/import/",
        {"file": SimpleUploadedFile("w.json", b"{oops", "application/json")},
    )

    assert response.status_code == 302
    copy = Workflow.objects.get(slug="assistant-copy")
    assert copy.active_version.graph == workflow.active_version.graph
    assert broken.status_code == 200
    assert "not JSON" in broken.content.decode()
    assert "Import" in admin_browser.get("/admin/workflows/workflow/").content.decode()


def test_the_admin_index_links_to_the_editor_and_the_editor_is_for_admins(admin_browser, alice):
    from django.test import Client

    member = Client()
    member.force_login(alice)

    assert 'href="/workflows"' in admin_browser.get("/admin/").content.decode()
    assert admin_browser.get("/workflows").status_code == 200
    assert member.get("/workflows").status_code == 403
    assert Client().get("/workflows").status_code == 302  # to the login page
    french = admin_browser.get("/workflows", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Console de test" in french
