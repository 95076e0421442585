"""Test cases of a workflow: run by the dry-run engine, guarding every publish, and from the CLI."""

from __future__ import annotations

import copy
import json
from io import StringIO
from xml.etree import ElementTree as ET

import pytest
from agents.testing import assistant_message
from django.core.management import call_command

from vectorstores.models import Document
from workflows.models import Workflow, WorkflowTestCase
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(admin_client_api) -> Workflow:
    call_command("load_workflow_examples", stdout=StringIO())
    return Workflow.objects.get(slug="intake")


def broken(workflow: Workflow) -> dict:
    """The intake graph with the "need an email?" condition turned around."""
    graph = copy.deepcopy(workflow.active_version.graph)
    for node in graph["nodes"]:
        if node["slug"] == "need_email":
            node["parameters"]["operator"] = "truthy"
    return graph


def workflow_test(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("workflow_test", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_the_shipped_intake_example_comes_with_cases_that_pass(intake):
    code, out = workflow_test("intake")

    assert intake.test_cases.count() == 3
    assert code == 0, out
    assert "3 of 3 cases pass" in out


def test_publishing_a_version_that_breaks_a_case_is_refused_naming_the_case_and_where(
    intake, admin_client_api
):
    base = f"/api/workflows/{intake.pk}"
    admin_client_api.put(f"{base}/draft", {"graph": broken(intake)}, format="json")

    refused = admin_client_api.post(
        f"{base}/versions", {"graph": broken(intake), "mark_as_active": True}, format="json"
    )
    code, out = workflow_test("intake")

    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["detail"].startswith("2 of 3 test cases fail")
    assert any(
        e.startswith(
            "Asks for the email once it has the name: Step “end_ask_email” was not reached (path: start"
        )
        for e in body["errors"]
    ), body["errors"]
    intake.refresh_from_db()
    assert intake.versions.count() == 1  # nothing was written
    assert code == 1
    assert "FAILED   Records the request and closes" in out
    assert Document.objects.filter(store__slug="intake-records").count() == 0  # a dry run

    admin_client_api.put(f"{base}/draft", {"graph": intake.active_version.graph}, format="json")
    assert workflow_test("intake")[0] == 0
    fixed = admin_client_api.post(
        f"{base}/versions", {"graph": intake.active_version.graph, "mark_as_active": True}, format="json"
    )
    assert fixed.status_code == 201, fixed.content


def test_publish_anyway_activates_and_records_the_failing_cases_on_the_version(intake, admin_client_api):
    base = f"/api/workflows/{intake.pk}"
    draft = admin_client_api.post(f"{base}/versions", {"graph": broken(intake)}, format="json").json()

    refused = admin_client_api.post(f"{base}/production", {"version_id": draft["id"]}, format="json")
    forced = admin_client_api.post(
        f"{base}/production", {"version_id": draft["id"], "publish_anyway": True}, format="json"
    )

    assert refused.status_code == 409
    assert forced.status_code == 200, forced.content
    assert sorted(forced.json()["published_despite"]) == [
        "Asks for the email once it has the name",
        "Records the request and closes",
    ]
    intake.refresh_from_db()
    assert intake.active_version_id == draft["id"]


def test_running_cases_against_a_draft_gives_a_table_with_each_failures_run(intake, admin_client_api):
    response = admin_client_api.post(
        f"/api/workflows/{intake.pk}/cases/run", {"graph": broken(intake)}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["passed"], body["failed"], body["skipped"]) == (1, 2, 0)
    failed = next(r for r in body["results"] if r["name"] == "Asks for the email once it has the name")
    assert failed["outcome"] == "failed"
    # the broken condition skips asking for the email: the summary card fails without one
    assert [step["node"] for step in failed["runs"][-1]["steps"]][-3:] == ["need_email", "store", "summary"]
    assert failed["runs"][-1]["status"] == "failed"
    assert "data.email" in failed["error"]
    assert failed["checks"][0]["outcome"] == "failed"


def test_each_kind_of_expectation_passes_and_fails_as_it_should(admin_client_api):
    graph = linear_graph(
        {"slug": "count", "kind": "state", "parameters": {"assignments": [
            {"target": "state.count", "expression": "(state.count | default(0)) + 1"}]}},
        {"slug": "card", "kind": "widget", "parameters": {"widget": "intake-summary", "variables": {
            "name": "'Ada'", "email": "'ada@example.org'"}}},
    )  # fmt: skip
    graph["nodes"][-1]["parameters"] = {"message": "You said {{ input.text }} ({{ state.count }})"}
    call_command("load_workflow_examples", stdout=StringIO())  # the intake-summary widget
    created = admin_client_api.post(
        "/api/workflows", {"display_name": "Kinds", "graph": graph}, format="json"
    )
    workflow_id = created.json()["workflow_id"]
    good = [
        {"type": "reaches", "step": "card"},
        {"type": "status", "value": "completed"},
        {"type": "contains", "text": "you said hi"},
        {"type": "not_contains", "text": "goodbye"},
        {"type": "matches", "pattern": r"\(\d+\)$"},
        {"type": "state_equals", "key": "state.count", "value": 2},
        {"type": "widget", "kind": "card"},
    ]
    bad = [
        {"type": "reaches", "step": "nowhere"},
        {"type": "status", "value": "closed"},
        {"type": "contains", "text": "goodbye"},
        {"type": "not_contains", "text": "said"},
        {"type": "matches", "pattern": "^nope"},
        {"type": "state_equals", "key": "count", "value": 5},
        {"type": "widget", "kind": "ListView"},
    ]
    for name, expectations in (("good", good), ("bad", bad)):
        made = admin_client_api.post(
            f"/api/workflows/{workflow_id}/cases",
            {"name": name, "messages": ["hello", "hi"], "expectations": expectations},
            format="json",
        )
        assert made.status_code == 201, made.content

    body = admin_client_api.post(f"/api/workflows/{workflow_id}/cases/run", {}, format="json").json()

    results = {r["name"]: r for r in body["results"]}
    assert [c["outcome"] for c in results["good"]["checks"]] == ["passed"] * 7, results["good"]
    assert [c["outcome"] for c in results["bad"]["checks"]] == ["failed"] * 7
    assert "State “count” is 2, expected 5." in [c["message"] for c in results["bad"]["checks"]]


def test_a_rubric_is_skipped_without_a_model_and_graded_by_one(intake, admin_client_api, monkeypatch):
    base = f"/api/workflows/{intake.pk}"
    case = admin_client_api.post(
        f"{base}/cases",
        {
            "name": "polite",
            "messages": ["Hello"],
            "expectations": [{"type": "rubric", "rubric": "Is polite."}],
        },
        format="json",
    ).json()
    run = {"case_ids": [case["id"]]}

    offline = admin_client_api.post(f"{base}/cases/run", run, format="json").json()

    assert offline["skipped"] == 1
    assert "no language model is available" in offline["results"][0]["checks"][0]["message"]

    from agents.testing import ScriptedModel

    from conversations.engine import agent as agent_module

    grader = ScriptedModel()
    monkeypatch.setattr(agent_module, "build_model", lambda: grader)
    grader.enqueue([assistant_message(json.dumps({"passed": False, "reason": "It never says please."}))])
    graded = admin_client_api.post(f"{base}/cases/run", run, format="json").json()

    assert graded["failed"] == 1
    assert graded["results"][0]["checks"][0]["message"] == "Rubric not met: It never says please."


def test_bad_cases_are_refused_with_a_clear_message(intake, admin_client_api):
    base = f"/api/workflows/{intake.pk}/cases"
    unknown = admin_client_api.post(
        base, {"name": "x", "messages": ["hi"], "expectations": [{"type": "telepathy"}]}, format="json"
    )
    bad_pattern = admin_client_api.post(
        base,
        {"name": "x", "messages": ["hi"], "expectations": [{"type": "matches", "pattern": "("}]},
        format="json",
    )
    twice = admin_client_api.post(
        base,
        {
            "name": "Asks for the name first",
            "messages": ["hi"],
            "expectations": [{"type": "reaches", "step": "a"}],
        },
        format="json",
    )
    no_messages = admin_client_api.post(
        base, {"name": "y", "messages": [], "expectations": [{"type": "reaches", "step": "a"}]}, format="json"
    )

    assert unknown.status_code == 400
    assert "type is one of" in unknown.json()["detail"]
    assert bad_pattern.status_code == 400
    assert "pattern is not valid" in bad_pattern.json()["detail"]
    assert twice.status_code == 400
    assert no_messages.status_code == 400
    assert WorkflowTestCase.objects.filter(workflow=intake).count() == 3


def test_workflow_test_writes_junit_xml_and_says_so_for_a_workflow_without_cases(intake, tmp_path):
    report = tmp_path / "cases.xml"

    code, _out = workflow_test("intake", "--running", "--junit", str(report))
    _code, none = workflow_test("assistant")

    suite = ET.parse(report).getroot()
    assert code == 0
    assert (suite.get("tests"), suite.get("failures")) == ("3", "0")
    assert "has no test cases" in none
