"""A workflow's runs over REST: the list the editor's Runs panel shows, and one run's steps."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from conversations.tests.helpers import create_thread
from workflows.models import Workflow
from workflows.tests.helpers import say

pytestmark = pytest.mark.django_db


def test_runs_are_listed_newest_first_with_each_steps_input_output_and_state_changes(
    alice, alice_chat, admin_client_api
):
    call_command("load_workflow_examples", "--chatkit", "intake", stdout=StringIO())
    intake = Workflow.objects.get(slug="intake")
    thread_id, _events = create_thread(alice_chat, "Hi")
    say(alice_chat, thread_id, "Ada")

    listed = admin_client_api.get(f"/api/workflows/{intake.pk}/runs")
    failed_only = admin_client_api.get(f"/api/workflows/{intake.pk}/runs?status=failed")
    bad = admin_client_api.get(f"/api/workflows/{intake.pk}/runs?limit=lots")

    assert listed.status_code == 200
    runs = listed.json()
    assert [run["path"][-1] for run in runs] == ["end_ask_email", "end_ask_name"]
    assert {run["user"] for run in runs} == {alice.email}
    assert runs[0]["version"] == 1
    assert runs[0]["duration_ms"] >= 0
    assert failed_only.json() == []
    assert bad.status_code == 400
    detail = admin_client_api.get(f"/api/workflows/{intake.pk}/runs/{runs[0]['id']}").json()
    collect = next(step for step in detail["steps"] if step["node"] == "collect")
    assert collect["state_changes"] == {"name": "Ada"}
    assert "Ada" in collect["input"]
    assert detail["state_after"]["asking"] == "email"
    assert admin_client_api.get(f"/api/workflows/{intake.pk}/runs/999999").status_code == 404


def test_only_admins_see_runs(alice_chat, api_client, alice):
    call_command("load_workflow_examples", stdout=StringIO())
    intake = Workflow.objects.get(slug="intake")
    api_client.force_authenticate(alice)

    assert api_client.get(f"/api/workflows/{intake.pk}/runs").status_code == 403
