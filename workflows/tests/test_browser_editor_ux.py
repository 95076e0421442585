"""The editor as a new admin meets it: each defect a scripted walk found, in a real browser."""

from __future__ import annotations

import json

import pytest

from accounts.tests.factories import UserFactory
from conversations.tests.test_browser import DESKTOP, browser, log_in, page, server, shoot  # noqa: F401
from workflows import services
from workflows.models import Workflow
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db(transaction=True)


def node(page, slug: str):  # noqa: F811
    return page.locator(f".drawflow-node[data-slug='{slug}']")


def console_errors(page) -> list[str]:  # noqa: F811
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def refuse_browser_dialogs(page) -> list[str]:  # noqa: F811
    """alert/confirm/prompt are the browser's, not the page's: any of them is a defect."""
    seen: list[str] = []

    def dismiss(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return seen


def agent(slug: str = "answer", **parameters) -> dict:
    return {"slug": slug, "kind": "agent", "display_name": "Answer", "parameters": parameters}


def published(graph: dict, slug: str = "flow") -> Workflow:
    return services.workflow_create(slug=slug, display_name="Flow", graph=graph).workflow


def open_editor(page, server, workflow: Workflow) -> None:  # noqa: F811
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.goto(f"{server}/workflows#/w/{workflow.pk}")
    page.wait_for_selector("#wf-problems .wf-ok, #wf-problems li:not(.wf-pending)")


def test_deleting_a_step_is_one_undo_that_brings_back_its_connections_and_a_restore_is_undone_too(
    page,  # noqa: F811
    server,  # noqa: F811
):
    workflow = published(linear_graph({"slug": "count", "kind": "state", "parameters": {
        "assignments": [{"target": "state.n", "expression": "1"}]}}, agent()))  # fmt: skip
    services.version_create(workflow=workflow, graph=linear_graph(agent()), activate=True)
    errors = console_errors(page)
    open_editor(page, server, workflow)
    assert page.locator("svg.connection").count() == 2

    node(page, "answer").click()
    page.keyboard.press("Delete")
    page.wait_for_function("() => document.querySelectorAll('.drawflow-node').length === 2")
    assert page.locator("svg.connection").count() == 0
    page.focus("#wf-canvas")
    page.keyboard.press("Control+z")
    page.wait_for_selector(".drawflow-node[data-slug='answer']")
    assert page.locator("svg.connection").count() == 2
    page.wait_for_selector("#wf-problems .wf-ok")

    # Restoring v1 is an edit like any other: one Ctrl+Z brings back what was on the canvas.
    page.click("#wf-versions li[data-version='1'] .wf-restore")
    page.wait_for_selector("#wf-versions li[data-version='1'] strong")
    page.wait_for_selector(".drawflow-node[data-slug='count']")
    page.focus("#wf-canvas")
    page.keyboard.press("Control+z")
    page.wait_for_function("() => !document.querySelector(\".drawflow-node[data-slug='count']\")")
    assert page.locator("svg.connection").count() == 2
    assert errors == []


def test_the_canvas_fills_a_large_window_every_step_is_in_view_on_open_and_after_arrange_and_the_band_pans(
    page,  # noqa: F811
    server,  # noqa: F811
):
    steps = [agent(f"step_{n}") for n in range(9)]
    workflow = published(linear_graph(*steps))
    page.set_viewport_size({"width": 1800, "height": 1000})
    open_editor(page, server, workflow)
    canvas = page.locator("#wf-canvas").bounding_box()
    assert canvas["width"] > 1100  # the page's reading column (72rem) no longer caps it
    assert canvas["height"] > 750

    def all_in_view() -> bool:
        box = page.locator("#wf-canvas").bounding_box()
        for element in page.locator(".drawflow-node").all():
            b = element.bounding_box()
            inside = b["x"] >= box["x"] and b["y"] >= box["y"]
            if not inside or b["x"] + b["width"] > box["x"] + box["width"] + 1:
                return False
            if b["y"] + b["height"] > box["y"] + box["height"] + 1:
                return False
        return True

    page.wait_for_function("() => document.querySelectorAll('.drawflow-node').length === 11")
    page.wait_for_timeout(100)
    assert all_in_view()
    page.click("#wf-layout")
    page.wait_for_timeout(150)
    assert all_in_view()
    shoot(page, "37-fit-to-view")

    # Zoomed out, the band outside the steps' area still pans the canvas and deselects.
    assert page.evaluate("() => document.getElementById('wf-canvas').classList[0]") == "parent-drawflow"
    node(page, "step_0").click()
    for _ in range(3):
        page.click("#wf-zoom-out")
    before = page.evaluate("() => document.querySelector('#wf-canvas .drawflow').style.transform")
    box = page.locator("#wf-canvas").bounding_box()
    page.mouse.move(box["x"] + 6, box["y"] + 6)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 80, steps=5)
    page.mouse.up()
    after = page.evaluate("() => document.querySelector('#wf-canvas .drawflow').style.transform")
    assert after != before
    assert page.locator(".drawflow-node.selected").count() == 0


def test_at_phone_width_every_list_action_is_on_screen_and_the_browser_checks_the_slug(
    page,  # noqa: F811
    server,  # noqa: F811
):
    published(linear_graph(agent()), slug="a-rather-long-workflow-slug")
    errors = console_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.wait_for_selector("tr[data-slug='a-rather-long-workflow-slug']")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for button in page.locator("tr[data-slug='a-rather-long-workflow-slug'] button").all():
        box = button.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    page.fill("#wf-new-slug", "not a slug!")
    assert page.evaluate("() => document.getElementById('wf-new-slug').validity.patternMismatch")
    page.fill("#wf-new-slug", "a_good-slug")
    assert page.evaluate("() => document.getElementById('wf-new-slug').validity.valid")
    shoot(page, "38-list-phone")
    assert errors == []


def test_problems_palette_and_selection_speak_french_to_a_french_admin(browser, server):  # noqa: F811
    context = browser.new_context(
        viewport=DESKTOP, locale="fr-FR", extra_http_headers={"Accept-Language": "fr"}
    )
    page = context.new_page()  # noqa: F811
    errors = console_errors(page)
    workflow = published(linear_graph(agent(instructions="Bonjour {{ user.email }}")), slug="fr")
    services.draft_save(
        workflow=workflow, graph=linear_graph(agent(instructions="Bonjour {{ user.email short }}"))
    )
    open_editor(page, server, workflow)
    page.wait_for_selector(".drawflow-node.wf-invalid")
    problems = page.locator("#wf-problems").inner_text()
    assert "« Answer »" in problems
    assert "instructions" in problems
    assert "n\u2019est pas un modèle" in problems
    assert "expected token" not in problems  # Jinja's words stay out of the sentence
    assert "nodes[" not in problems
    assert "⚠" in node(page, "answer").inner_text()  # the problem is on the step as well

    palette = page.locator(".wf-palette button[data-kind='condition']").inner_text()
    assert "Condition" in palette
    assert "◆" in palette
    assert "selon" in palette  # its line of help, in French
    assert (
        page.locator(".wf-palette button[data-kind='json_vector_store']")
        .inner_text()
        .count("json_vector_store")
        == 0
    )
    heights = {round(b.bounding_box()["height"]) for b in page.locator(".wf-palette .wf-kind-name").all()}
    assert max(heights) < 30  # one line each: nothing wraps

    # Selected is a blue ring on the step's own colour; an error is a dashed red border.
    node(page, "start").click()
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.drawflow-node.selected'));"
        " return [s.backgroundColor, s.outlineColor]; }"
    )
    assert style == ["rgb(209, 250, 229)", "rgb(15, 98, 254)"]
    invalid = page.evaluate(
        "() => getComputedStyle(document.querySelector('.drawflow-node.wf-invalid')).borderStyle"
    )
    assert invalid == "dashed"
    shoot(page, "39-editor-french")
    assert errors == []
    context.close()


def test_unpublished_changes_show_and_can_be_discarded_restore_asks_and_compare_goes_field_by_field(
    page,  # noqa: F811
    server,  # noqa: F811
):
    workflow = published(linear_graph(agent(instructions="Old words.")))
    services.version_create(
        workflow=workflow, graph=linear_graph(agent(instructions="Current words.")), activate=True
    )
    seen = refuse_browser_dialogs(page)
    open_editor(page, server, workflow)
    page.wait_for_selector("#wf-dirty[data-dirty=no]")
    assert page.locator("#wf-discard").is_hidden()

    node(page, "answer").click()
    page.fill("#wf-f-instructions", "New words.")
    page.wait_for_selector("#wf-dirty[data-dirty=yes]")
    page.wait_for_selector("#wf-status:has-text('Draft saved')")

    # Compare the draft with the running version: which field changed, from what to what.
    page.check("#wf-versions li[data-version='draft'] .wf-pick")
    page.check("#wf-versions li[data-version='2'] .wf-pick")
    page.click("#wf-compare")
    page.wait_for_selector("#wf-diff .wf-changed")
    diff = page.locator("#wf-diff").inner_text()
    assert "instructions" in diff
    assert "Current words." in diff
    assert "New words." in diff

    # Restore asks in the page before dropping the draft; cancelling keeps everything.
    page.click("#wf-versions li[data-version='1'] .wf-restore")
    page.wait_for_selector("#wf-restore-ask")
    page.click("#wf-restore-ask-cancel")
    page.wait_for_selector("#wf-restore-ask", state="detached")
    workflow.refresh_from_db()
    assert workflow.active_version.version == 2

    # Discard the draft: back to the running version, nothing unpublished.
    page.click("#wf-discard")
    page.click("#wf-discard-ask-ok")
    page.wait_for_selector("#wf-dirty[data-dirty=no]")
    workflow.refresh_from_db()
    assert workflow.editor_draft is None
    node(page, "answer").click()
    assert page.input_value("#wf-f-instructions") == "Current words."
    assert seen == []


def test_a_new_workflow_says_it_is_not_published_and_offers_no_restore(page, server):  # noqa: F811
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.fill("#wf-new-slug", "fresh")
    page.fill("#wf-new-name", "Fresh")
    page.click(".wf-create button[type=submit]")
    page.wait_for_selector("#wf-versions li[data-version='1']")
    assert page.locator("#wf-versions li[data-version='1'] button").count() == 0
    assert "not published" in page.locator("#wf-versions li[data-version='1']").inner_text()
    assert "Not published yet" in page.locator("#wf-dirty").inner_text()


def test_steps_are_reached_connected_and_deleted_from_the_keyboard(page, server):  # noqa: F811
    workflow = published(linear_graph())
    open_editor(page, server, workflow)
    page.locator(".wf-palette button[data-kind='agent']").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".drawflow-node[data-slug='agent_1'].selected")
    assert page.evaluate("() => document.activeElement.dataset.slug") == "agent_1"

    # Tab from the canvas reaches a step and selects it; "Connect to…" draws its connection.
    page.focus("#wf-canvas")
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.dataset.slug")
    assert first == "start"
    page.wait_for_selector(".drawflow-node[data-slug='start'].selected")
    page.select_option("#wf-connect-target", "agent_1")
    page.focus("#wf-connect")
    page.keyboard.press("Enter")
    node(page, "agent_1").focus()
    page.wait_for_selector(".drawflow-node[data-slug='agent_1'].selected")
    page.select_option("#wf-connect-target", "end")
    page.focus("#wf-connect")
    page.keyboard.press("Enter")
    page.wait_for_selector("#wf-problems .wf-ok")
    assert page.locator("svg.connection").count() == 2

    node(page, "agent_1").focus()
    page.keyboard.press("Delete")
    page.wait_for_selector(".drawflow-node[data-slug='agent_1']", state="detached")
    page.keyboard.press("Control+z")
    page.wait_for_selector(".drawflow-node[data-slug='agent_1']")
    assert page.locator("svg.connection").count() == 2


def test_a_connection_dropped_anywhere_on_a_step_reaches_it_and_ports_are_large(page, server):  # noqa: F811
    workflow = published(linear_graph())
    open_editor(page, server, workflow)
    page.locator("svg.connection .main-path").first.dispatch_event("mousedown")
    page.locator("svg.connection .main-path").first.dispatch_event("mouseup")
    page.focus("#wf-canvas")
    page.keyboard.press("Delete")
    assert page.locator("svg.connection").count() == 0
    port = node(page, "start").locator(".outputs .output_1").bounding_box()
    assert port["width"] >= 24
    node(page, "start").locator(".outputs .output_1").drag_to(node(page, "end").locator(".wf-node-title"))
    page.wait_for_selector("#wf-problems .wf-ok")
    assert page.locator("svg.connection").count() == 1


def test_pickers_offer_mcp_servers_and_task_tools_and_a_condition_value_is_typed_not_quoted(
    page,  # noqa: F811
    server,  # noqa: F811
):
    from mcphub.models import McpServer

    McpServer.objects.create(name="crm", description="Customer records", transport="streamable_http",
                             url="https://crm.example/mcp")  # fmt: skip
    check = {"slug": "check", "kind": "condition", "display_name": "Enough?",
             "parameters": {"path": "state.n", "operator": "truthy"}}  # fmt: skip
    nodes = [{"slug": "start", "kind": "start"}, agent(), check, {"slug": "end", "kind": "end"}]
    edges = [{"source": "start", "target": "answer"}, {"source": "answer", "target": "check"},
             {"source": "check", "target": "end", "condition": "true"},
             {"source": "check", "target": "end", "condition": "false"}]  # fmt: skip
    workflow = published({"nodes": nodes, "edges": edges})
    open_editor(page, server, workflow)
    node(page, "answer").click()
    page.select_option("#wf-tools-mcp", "crm")
    page.check("text=The user's tasks")
    parameters = json.loads(page.input_value("#wf-parameters"))
    assert {"type": "mcp", "server": "crm"} in parameters["tools"]
    assert {"type": "tasks"} in parameters["tools"]

    node(page, "check").click()
    page.select_option("#wf-f-operator", "greater_than")
    page.select_option("#wf-condition-type", "number")
    page.fill("#wf-condition-value", "3")
    assert json.loads(page.input_value("#wf-parameters"))["value"] == 3
    page.select_option("#wf-condition-type", "text")
    page.fill("#wf-condition-value", "yes please")
    assert json.loads(page.input_value("#wf-parameters"))["value"] == "yes please"
    page.select_option("#wf-f-operator", "equals")
    page.select_option("#wf-condition-type", "boolean")
    page.select_option("#wf-condition-boolean", "false")
    assert json.loads(page.input_value("#wf-parameters"))["value"] is False
    # The path field suggests the paths this graph sets.
    assert "input.text" in page.evaluate(
        "() => [...document.querySelectorAll('#wf-paths option')].map(o => o.value)"
    )


def test_rename_duplicate_and_delete_ask_in_the_page(page, server):  # noqa: F811
    published(linear_graph(agent()), slug="orig")
    seen = refuse_browser_dialogs(page)
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.click("tr[data-slug='orig'] button:has-text('Rename')")
    page.fill("#wf-rename-name", "Renamed")
    page.click("#wf-rename-ok")
    page.wait_for_selector("tr[data-slug='orig'] a:has-text('Renamed')")

    page.click("tr[data-slug='orig'] button:has-text('Duplicate')")
    page.fill("#wf-duplicate-name", "Twin")
    page.fill("#wf-duplicate-slug", "twin")
    page.click("#wf-duplicate-ok")
    page.wait_for_selector("tr[data-slug='twin'] a:has-text('Twin')")

    page.click("tr[data-slug='twin'] button:has-text('Delete')")
    page.wait_for_selector("#wf-delete")
    page.click("#wf-delete-cancel")
    assert Workflow.objects.filter(slug="twin").exists()
    page.click("tr[data-slug='twin'] button:has-text('Delete')")
    page.click("#wf-delete-ok")
    page.wait_for_selector("tr[data-slug='twin']", state="detached")
    assert not Workflow.objects.filter(slug="twin").exists()
    assert seen == []
