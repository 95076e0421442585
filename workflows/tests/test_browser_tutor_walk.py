"""The issue's acceptance walk through the shipped tutor, in a real browser with no key.

The server answers with the offline model (not the browser tests' scripted one), so what runs is
the tutor exactly as `load_workflow_examples --chatkit tutor` ships it, its chart step calling the
chart MCP server in its own process.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from conversations.tests.test_browser import browser, log_in, page, running_server, send, shoot  # noqa: F401
from mcphub.tests.test_chart_server import charts_url  # noqa: F401
from workflows.models import ThreadWorkflow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    from conversations.engine.offline_model import OfflineModel

    with running_server(django_db_blocker, OfflineModel) as url:
        yield url


def widget(page, text: str):  # noqa: F811
    return page.locator(".fb-widget", has_text=text).last


def test_the_tutor_gives_sources_a_study_card_a_graded_quiz_a_map_and_a_chart(page, server, charts_url):  # noqa: F811
    # The chart MCP server runs as its own process, registered as the tutor's "charts".
    call_command(
        "load_workflow_examples", "--chatkit", "tutor", "--charts-url", charts_url, stdout=StringIO()
    )
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # offline, for sure
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, server, UserFactory().email)
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)

    # A question the sample course covers: an answer with numbered sources opening the passage.
    send(page, "Quels sont les niveaux d'alerte ?")
    link = page.locator(".fb-sources a").first
    link.wait_for(timeout=30_000)
    assert link.inner_text().startswith("[1] ")
    with page.context.expect_page() as opened:
        link.click()
    passage = opened.value
    passage.wait_for_load_state()
    assert "vigilance" in passage.locator(".passage-cited").inner_text().lower()
    passage.close()
    shoot(page, "50-tutor-sources")

    # "fiche sur …": a study card.
    send(page, "fiche sur le kit d'urgence")
    card = widget(page, "Vérifiez vos connaissances")
    card.wait_for(timeout=30_000)
    assert "Que retenir de « Le kit d'urgence » ?" in card.inner_text()  # titles, not document ids
    assert "emergency kit" not in card.inner_text().lower()  # the learner's language only
    shoot(page, "51-tutor-study-card")

    # "quiz": answered and submitted in the page, graded by the evaluator, kept after a reload.
    send(page, "quiz")
    quiz = page.locator(".fb-widget form").last
    quiz.wait_for(timeout=30_000)
    quiz.locator("input[name=q1][value='2']").check()
    quiz.locator("input[name=q2_1]").check()
    quiz.locator("input[name=q2_2]").check()
    shoot(page, "52-tutor-quiz")
    quiz.locator("button[type=submit]").click()
    score = re.compile(r"2\s*/\s*2")
    page.locator(".fb-widget", has_text=score).last.wait_for(timeout=30_000)
    state = ThreadWorkflow.objects.get().state
    assert state["last_score"] == 2
    page.reload()
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    page.locator(".fb-thread").first.click()
    result = page.locator(".fb-widget", has_text=score).last
    result.wait_for(timeout=15_000)
    result.scroll_into_view_if_needed()
    shoot(page, "53-tutor-quiz-result")

    # "carte de Lyon": a map card; "show map" opens the pane with the place and the offline note.
    send(page, "carte de Lyon")
    page.click("button:has-text('Afficher la carte')", timeout=30_000)
    page.wait_for_selector("#side-pane:not([hidden])")
    assert "Lyon" in page.locator("#side-pane-title").inner_text()
    page.wait_for_selector("#side-pane-map-note:not([hidden])")
    shoot(page, "54-tutor-map")

    # "graph of …": a chart card; open draws the chart in the pane's sandboxed frame.
    send(page, "graph of visitors per month")
    page.locator("button", has_text=re.compile("Open chart|Ouvrir le graphique")).last.click(timeout=30_000)
    page.wait_for_selector("#side-pane-chart")
    page.frame_locator("#side-pane-chart").locator(".main-svg").first.wait_for(timeout=15_000)
    assert page.get_attribute("#side-pane-chart", "sandbox") == "allow-scripts"
    assert page.evaluate("() => document.getElementById('side-pane-chart').contentDocument") is None
    shoot(page, "55-tutor-chart")

    # The figure is kept with the widget: after a reload the chart opens again.
    page.reload()
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    page.locator(".fb-thread").first.click()
    page.locator("button", has_text=re.compile("Open chart|Ouvrir le graphique")).last.click(timeout=15_000)
    page.frame_locator("#side-pane-chart").locator(".main-svg").first.wait_for(timeout=15_000)
    assert errors == []
