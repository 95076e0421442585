"""The shipped tutor, offline: routing, grounded answers, study card, quiz graded by its evaluator,
map and chart cards; its own test cases pass."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from conversations.tests.helpers import create_thread, events_of, post
from mcphub.tests.test_chart_server import charts_url  # noqa: F401
from workflows.models import ThreadWorkflow
from workflows.tests.helpers import say

pytestmark = pytest.mark.django_db


@pytest.fixture
def tutor():
    call_command("load_workflow_examples", "--chatkit", "tutor", stdout=StringIO())


def widgets_of(events: list[dict]) -> list[dict]:
    return [e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"]


def answers_of(events: list[dict]) -> list[dict]:
    return [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]


def test_the_tutors_test_cases_pass_offline(tutor):
    from accounts.tests.factories import UserFactory

    UserFactory(is_superuser=True, is_admin=True)  # the CLI runs the cases as the first admin
    out = StringIO()
    call_command("workflow_test", "tutor", stdout=out)  # raises SystemExit(1) when a case fails
    assert "tutor v1: 6 of 6 cases pass." in out.getvalue()


def test_a_question_is_answered_with_numbered_sources(tutor, alice_chat):
    _thread, events = create_thread(alice_chat, "Quels sont les niveaux d'alerte ?")
    answer = answers_of(events)[-1]
    sources = [a["source"] for part in answer["content"] for a in part.get("annotations", [])]
    assert "vigilance" in answer["content"][0]["text"]
    assert sources[0]["title"] == "Les niveaux d'alerte"
    assert "/knowledge/tutor-kb/niveaux-alerte" in sources[0]["url"]


def test_fiche_gives_a_study_card_in_french(tutor, alice_chat):
    _thread, events = create_thread(alice_chat, "fiche sur le kit d'urgence")
    card = str(widgets_of(events)[0]["widget"])
    assert "Vérifiez vos connaissances" in card
    assert "radio à piles" in card


def test_a_submitted_quiz_is_graded_by_the_evaluator_and_the_score_kept(tutor, alice_chat):
    thread_id, events = create_thread(alice_chat, "quiz")
    quiz = widgets_of(events)[0]
    assert "Combien y a-t-il de niveaux" in str(quiz["widget"]) or "How many alert levels" in str(
        quiz["widget"]
    )
    answers = {"quiz_id": "x", "q1": "2", "q2_1": True, "q2_2": True, "q2_3": False}
    graded = events_of(
        post(
            alice_chat,
            {
                "type": "threads.custom_action",
                "params": {
                    "thread_id": thread_id,
                    "item_id": quiz["id"],
                    "action": {"type": "quiz.submit", "payload": answers},
                },
            },
        )
    )
    result = str(widgets_of(graded)[0]["widget"])
    assert "2 / 2" in result
    state = ThreadWorkflow.objects.get(thread_id=thread_id).state
    assert state["last_score"] == 2
    assert state["scores"][0]["total"] == 2

    # A wrong answer is graded as such, with its explanation.
    again = say(alice_chat, thread_id, "quiz")
    quiz = widgets_of(again)[0]
    wrong = {"q1": "1", "q2_1": True, "q2_2": False}
    action = {"type": "quiz.submit", "payload": wrong}
    params = {"thread_id": thread_id, "item_id": quiz["id"], "action": action}
    graded = events_of(post(alice_chat, {"type": "threads.custom_action", "params": params}))
    assert "0 / 2" in str(widgets_of(graded)[0]["widget"])
    assert len(ThreadWorkflow.objects.get(thread_id=thread_id).state["scores"]) == 2


def test_a_place_gives_a_map_card_and_a_graph_a_chart_card(tutor, alice_chat):
    thread_id, events = create_thread(alice_chat, "carte de Lyon")
    card = str(widgets_of(events)[0]["widget"])
    assert "Afficher la carte" in card
    assert "45.764" in card
    charted = say(alice_chat, thread_id, "graph of visitors per month")
    chart = str(widgets_of(charted)[0]["widget"])
    assert "chart.open" in chart
    assert "260" in chart  # the data set's last value, in the figure


def test_the_offline_grader_reads_answers_nested_under_the_forms_values_too():
    import json

    from workflows.tutor import quiz_grade
    from workflows.tutor_data import QUIZZES

    _key, _title, quiz = QUIZZES[1]  # the English quiz
    values = {"q1": "2", "q2_1": True, "q2_2": True}
    action = {"type": "quiz.submit", "payload": {"quiz_id": "x", "values": values}}
    grade = quiz_grade({"QUIZ": quiz}, json.dumps(action))
    assert (grade["score"], grade["total"]) == (2, 2)


def load_tutor_with_charts(url: str) -> None:
    call_command("load_workflow_examples", "--chatkit", "tutor", "--charts-url", url, stdout=StringIO())


def test_offline_the_chart_step_calls_the_chart_servers_make_chart_with_its_data_set(charts_url, admin_user):  # noqa: F811
    from workflows.models import Workflow
    from workflows.tests.test_console import console

    load_tutor_with_charts(charts_url)
    workflow = Workflow.objects.get(slug="tutor")
    graph = workflow.active_version.graph
    body = {"graph": graph, "message": "graph of visitors per month"}

    run = events_of(console(admin_user, workflow.pk, body))[-1]["run"]

    chart_step = next(step for step in run["steps"] if step["node"] == "chart_make")
    (call,) = chart_step["tool_calls_not_made"]  # the console is a dry run: reported, not made
    assert (call["server"], call["tool"]) == ("charts", "make_chart")
    assert call["arguments"]["title"] == "Visitors per month"
    assert call["arguments"]["series"][0]["values"][-1] == 260


def test_in_the_chat_the_chart_card_carries_the_chart_servers_figure(charts_url, alice_chat, monkeypatch):  # noqa: F811
    from workflows import tutor as tutor_rules

    answers: list[dict | None] = []
    original = tutor_rules._tool_answer

    def seen(text: str) -> dict | None:
        answers.append(original(text))
        return answers[-1]

    monkeypatch.setattr(tutor_rules, "_tool_answer", seen)
    load_tutor_with_charts(charts_url)

    _thread, events = create_thread(alice_chat, "graph of visitors per month")

    assert answers[-1] is not None  # the structured step was given the server's answer
    assert answers[-1]["figure"]["data"][0]["y"][-1] == 260
    assert "chart.open" in str(widgets_of(events)[0]["widget"])
