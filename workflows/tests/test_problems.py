"""The editor's problems in plain words: named by display name, in the request's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from workflows.problems import problem_text
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db


def unconnected_state() -> dict:
    graph = linear_graph({"slug": "agent_1", "kind": "agent", "display_name": "Triage"})
    graph["nodes"].append(
        {"slug": "state_1", "kind": "state", "display_name": "Remember the email",
         "parameters": {"assignments": [{"target": "state.email", "expression": "input.text"}]}}
    )  # fmt: skip
    return graph


def test_validation_names_the_step_by_its_display_name_in_plain_words(admin_client_api):
    response = admin_client_api.post("/api/workflows/validate", {"graph": unconnected_state()}, format="json")
    problem = response.json()["errors"][0]
    assert problem["node"] == "state_1"
    assert problem["message"] == 'nodes[3] "state_1": state needs exactly one outgoing edge (has 0)'
    assert problem["text"] == "“Remember the email” leads nowhere yet: connect it to the next step."


def test_validation_speaks_french_to_a_french_request(admin_client_api):
    response = admin_client_api.post(
        "/api/workflows/validate", {"graph": unconnected_state()}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    text = response.json()["errors"][0]["text"]
    assert text == "« Remember the email » ne mène encore nulle part : reliez-le à l’étape suivante."  # noqa: RUF001


@translation.override("en")
def test_a_template_mistake_is_told_without_jinjas_words():
    text = problem_text(
        message="nodes[1] \"agent_1\": instructions: expected token 'end of print statement', got 'short'",
        node="agent_1",
        graph=unconnected_state(),
    )
    assert text.startswith("“Triage”: the instructions is not a valid template or expression")
    assert "expected token" not in text


@translation.override("en")
def test_a_message_no_rule_knows_is_still_shown_after_the_steps_name():
    text = problem_text(
        message='nodes[1] "agent_1": something new went wrong', node="agent_1", graph=unconnected_state()
    )
    assert text == "“Triage”: something new went wrong"
