"""The tutor's pieces in a real browser: an answer's numbered sources, the side pane's map and chart."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from conversations.tests.test_browser import browser, log_in, page, send, server, shoot  # noqa: F401
from workflows import services
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db(transaction=True)

FIGURE = "{'data': [{'type': 'bar', 'x': ['Jan', 'Feb', 'Mar'], 'y': [3, 1, 2]}], 'layout': {}}"


def chat_with(graph: dict) -> None:
    version = services.workflow_create(slug="tutor-bits", display_name="Tutor bits", graph=graph)
    services.workflow_set_chatkit(workflow=version.workflow)


def test_an_answer_shows_numbered_sources_that_open_their_passage(page, server):  # noqa: F811
    from vectorstores.services import document_ingest, store_create

    store_create(slug="faq", title="FAQ", read_access="users")
    document_ingest(
        store_slug="faq",
        doc_id="alerts",
        document={"title": "Alert levels", "text": "There are four alert levels."},
    )
    tools = [{"type": "knowledge_base", "stores": ["faq"], "top_k": 1}]
    chat_with(linear_graph({"slug": "qa", "kind": "agent", "parameters": {"tools": tools}}))
    user = UserFactory()
    log_in(page, server, user.email)
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    send(page, "search alert levels")
    link = page.locator(".fb-sources a").first
    link.wait_for(timeout=20_000)
    assert link.inner_text() == "[1] Alert levels"
    shoot(page, "40-sources")
    with page.context.expect_page() as opened:
        link.click()
    passage = opened.value
    passage.wait_for_load_state()
    assert "There are four alert levels." in passage.locator(".passage-cited").inner_text()
    passage.close()
    page.reload()  # the sources were saved with the message
    page.click(".fb-thread >> text=search alert levels")
    page.locator(".fb-sources a").first.wait_for(timeout=15_000)


def test_the_side_pane_opens_a_map_offline_and_draws_a_chart_in_a_sandboxed_frame(page, server):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    call_command("load_widget_kit", stdout=StringIO())
    chat_with(
        linear_graph(
            {
                "slug": "map",
                "kind": "widget",
                "parameters": {
                    "widget": "map-card",
                    "variables": {
                        "place": "'Lyon'",
                        "latitude": "45.764",
                        "longitude": "4.8357",
                        "lang": "'fr'",
                    },
                },
            },
            {
                "slug": "chart",
                "kind": "widget",
                "parameters": {
                    "widget": "chart-card",
                    "variables": {"title": "'Visits'", "kind": "'bar'", "figure": FIGURE},
                },
            },
        )
    )
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # offline, for sure
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    user = UserFactory()
    log_in(page, server, user.email)
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    send(page, "show me")
    page.click("button:has-text('Afficher la carte')", timeout=20_000)
    page.wait_for_selector("#side-pane:not([hidden])")
    assert page.locator("#side-pane-title").inner_text() == "Lyon"
    page.wait_for_selector("#side-pane-map-note:not([hidden])")
    assert "45.7640, 4.8357" in page.locator("#side-pane-map-note").inner_text()
    shoot(page, "41-map-pane")

    page.click("button:has-text('Open chart')")
    page.wait_for_selector("#side-pane-chart")
    frame = page.frame_locator("#side-pane-chart")
    frame.locator(".main-svg").first.wait_for(timeout=15_000)
    assert page.get_attribute("#side-pane-chart", "sandbox") == "allow-scripts"
    # The frame has no same-origin access: the page cannot reach into it, nor it into the page.
    assert page.evaluate("() => document.getElementById('side-pane-chart').contentDocument") is None
    inner = next(f for f in page.frames if f.url.endswith("/chart-frame"))
    assert inner.evaluate("() => window.origin") == "null"
    assert (
        inner.evaluate("() => { try { return !!window.parent.document; } catch (e) { return 'blocked'; } }")
        == "blocked"
    )
    shoot(page, "42-chart-pane")

    page.click("#side-pane-close")
    page.wait_for_selector("#side-pane", state="hidden")
    assert errors == []


def test_the_chart_frame_is_sandboxed_even_when_opened_directly(client):
    response = client.get("/chart-frame")
    policy = response["Content-Security-Policy"]
    assert "sandbox allow-scripts" in policy
    assert "allow-same-origin" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
