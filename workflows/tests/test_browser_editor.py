"""The workflow editor in a real browser: build start → agent → end, publish, chat, restore."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from conversations.tests.test_browser import browser, log_in, page, send, server, shoot  # noqa: F401
from workflows.models import Workflow

pytestmark = pytest.mark.django_db(transaction=True)


def node(page, slug: str):  # noqa: F811
    return page.locator(f".drawflow-node[data-slug='{slug}']")


def connect(page, source: str, target: str, output: str = "output_1") -> None:  # noqa: F811
    node(page, source).locator(f".outputs .{output}").drag_to(node(page, target).locator(".inputs .input_1"))


def test_an_admin_builds_publishes_and_restores_a_workflow_on_the_canvas(page, server):  # noqa: F811
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.wait_for_selector(".wf-create")
    shoot(page, "30-workflow-list")

    page.fill("#wf-new-slug", "three")
    page.fill("#wf-new-name", "Three steps")
    page.click(".wf-create button[type=submit]")
    page.wait_for_selector(".drawflow-node[data-slug='start']")
    page.wait_for_selector("#wf-problems .wf-ok")

    # A condition without edges: its problems appear on it and in the list, and go with it.
    page.click(".wf-palette button[data-kind='condition']")
    page.wait_for_selector(".drawflow-node[data-slug='condition_1'].wf-invalid")
    problems = page.locator("#wf-problems").inner_text()
    assert "“Condition 1” needs one step for when it is true" in problems
    node(page, "condition_1").click()
    page.keyboard.press("Delete")
    page.wait_for_selector("#wf-problems .wf-ok")
    # The start step survives the Delete key.
    node(page, "start").click()
    page.keyboard.press("Delete")
    assert node(page, "start").count() == 1

    page.click(".wf-palette button[data-kind='agent']")
    node(page, "agent_1").click()
    page.fill("#wf-display-name", "Helper")
    page.fill("#wf-f-instructions", "Be brief, {{ user.email }}.")
    edge = page.locator("svg.connection .main-path").first  # start → end, to be replaced
    edge.dispatch_event("mousedown")
    edge.dispatch_event("mouseup")
    page.focus("#wf-canvas")
    page.keyboard.press("Delete")
    assert page.locator("svg.connection").count() == 0
    node(page, "end").hover()
    connect(page, "start", "agent_1")
    connect(page, "agent_1", "end")
    page.wait_for_selector("#wf-problems .wf-ok")
    shoot(page, "31-three-steps")

    # The test console runs the draft: the answer, the steps, the path lit on the canvas.
    page.fill("#wf-console-input", "hi console")
    page.click("#wf-console button[type=submit]")
    page.wait_for_selector("#wf-console-steps li[data-node='end']")
    page.wait_for_selector("#wf-console-answer:has-text('Echo: hi console')")
    assert "wf-ran" in (node(page, "agent_1").get_attribute("class") or "")
    shoot(page, "31b-test-console")
    page.click("#wf-publish")
    page.wait_for_selector("#wf-status:has-text('version 2')")

    workflow = Workflow.objects.get(slug="three")
    assert [n["kind"] for n in workflow.active_version.graph["nodes"]] == ["start", "end", "agent"]
    agent = workflow.active_version.graph["nodes"][2]
    assert agent["display_name"] == "Helper"
    assert agent["parameters"]["instructions"] == "Be brief, {{ user.email }}."

    page.click("a[href='#/']")
    page.click("tr[data-slug='three'] button:has-text('Use for the chat')")
    page.wait_for_selector("tr[data-slug='three'] strong")
    page.goto(f"{server}/")
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    send(page, "hello editor")
    page.wait_for_function(
        "() => document.querySelector('.fb-assistant_message')?.innerText.includes('Echo: hello editor')"
    )

    page.goto(f"{server}/workflows#/w/{workflow.pk}")
    page.click("#wf-versions li[data-version='1'] button")
    page.wait_for_selector("#wf-versions li[data-version='1'] strong")
    workflow.refresh_from_db()
    assert workflow.active_version.version == 1
    shoot(page, "32-restored")


def test_versions_compare_undo_copy_paste_errors_and_an_import_round_trip(page, server, tmp_path):  # noqa: F811
    import json

    from workflows import services
    from workflows.tests.helpers import linear_graph

    first = services.workflow_create(
        slug="support", display_name="Support", graph=linear_graph({"slug": "answer", "kind": "agent"})
    )
    workflow = first.workflow
    services.version_create(
        workflow=workflow,
        graph=linear_graph(
            {
                "slug": "count",
                "kind": "state",
                "parameters": {"assignments": [{"target": "state.n", "expression": "1"}]},
            },
            {"slug": "answer", "kind": "agent"},
        ),
    )
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.wait_for_selector("tr[data-slug='support']")

    # A server error is shown with its message.
    page.fill("#wf-new-slug", "support")
    page.fill("#wf-new-name", "Again")
    page.click(".wf-create button[type=submit]")
    page.wait_for_selector("#wf-status:has-text('already exists')")

    # At phone width the list works and the editor says it needs a larger screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("tr[data-slug='support']").is_visible()
    page.goto(f"{server}/workflows#/w/{workflow.pk}")
    page.wait_for_selector(".wf-small-screen", state="visible")
    shoot(page, "34-phone")
    page.set_viewport_size({"width": 1280, "height": 820})
    page.wait_for_selector(".drawflow-node[data-slug='answer']")
    page.check("#wf-versions li[data-version='1'] .wf-pick")
    page.check("#wf-versions li[data-version='2'] .wf-pick")
    page.click("#wf-compare")
    page.wait_for_selector("#wf-diff .wf-added")
    diff = page.locator("#wf-diff").inner_text()
    assert "added: count (count)" in diff
    assert "start → count" in diff
    assert "start → answer" in diff  # removed
    shoot(page, "33-compare")

    before = page.locator(".drawflow-node").count()
    page.click(".wf-palette button[data-kind='widget']")
    assert page.locator(".drawflow-node").count() == before + 1
    page.focus("#wf-canvas")
    page.keyboard.press("Control+z")
    page.wait_for_function(f"() => document.querySelectorAll('.drawflow-node').length === {before}")
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function(f"() => document.querySelectorAll('.drawflow-node').length === {before + 1}")

    node(page, "answer").click()
    page.focus("#wf-canvas")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    page.wait_for_selector(".drawflow-node[data-slug='agent_1']")

    # Export, delete, import: the same graph comes back.
    exported = services.workflow_export(workflow=workflow)
    path = tmp_path / "support.json"
    path.write_text(json.dumps(exported))
    services.workflow_delete(workflow=workflow)
    page.goto(f"{server}/workflows#/")
    page.reload()
    page.wait_for_selector(".wf-create")
    page.set_input_files("#wf-import", str(path))
    page.wait_for_selector("#wf-import-as-slug")
    assert page.input_value("#wf-import-as-slug") == "support"
    page.click("#wf-import-as-ok")
    page.wait_for_selector("tr[data-slug='support']")
    again = Workflow.objects.get(slug="support")
    assert services.workflow_export(workflow=again)["versions"] == exported["versions"]


KEEP = "state.{0} or (input.text if state.asking == '{0}' else none)"
INTAKE_STEPS = [
    ("state", {"assignments": [
        {"target": "state.name", "expression": KEEP.format("name")},
        {"target": "state.email", "expression": KEEP.format("email")}]}),
    ("condition", {"path": "state.name", "operator": "falsy"}),
    ("state", {"assignments": [{"target": "state.asking", "expression": "'name'"}]}),
    ("end", {"message": "Hello! What is your name?"}),
    ("condition", {"path": "state.email", "operator": "falsy"}),
    ("state", {"assignments": [{"target": "state.asking", "expression": "'email'"}]}),
    ("end", {"message": "Thank you, {{ state.name }}. What is your email address?"}),
    ("json_vector_store", {"store": "intake-records", "operation": "upsert", "doc_id": "state.email",
                           "document": "{'name': state.name, 'email': state.email}"}),
    ("widget", {"widget": "intake-summary", "variables": {"name": "state.name", "email": "state.email"}}),
    ("state", {"assignments": [{"target": "state.complete", "expression": "true"}]}),
]  # fmt: skip
INTAKE_EDGES = [
    ("start", "state_1", "output_1"), ("state_1", "condition_1", "output_1"),
    ("condition_1", "state_2", "output_1"), ("condition_1", "condition_2", "output_2"),
    ("state_2", "end_1", "output_1"), ("condition_2", "state_3", "output_1"),
    ("condition_2", "json_vector_store_1", "output_2"), ("state_3", "end_2", "output_1"),
    ("json_vector_store_1", "widget_1", "output_1"), ("widget_1", "state_4", "output_1"),
    ("state_4", "end", "output_1"),
]  # fmt: skip


def set_parameters(page, slug: str, parameters: dict) -> None:  # noqa: F811
    import json

    node(page, slug).click()
    page.click("#wf-inspector details summary")
    page.fill("#wf-parameters", json.dumps(parameters))


def test_the_intake_example_is_built_on_the_canvas_then_runs_in_the_console_and_the_chat(page, server):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    call_command("load_workflow_examples", stdout=StringIO())  # the store and the summary widget it uses
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.fill("#wf-new-slug", "intake-by-hand")
    page.fill("#wf-new-name", "Intake by hand")
    page.click(".wf-create button[type=submit]")
    page.wait_for_selector(".drawflow-node[data-slug='start']")

    edge = page.locator("svg.connection .main-path").first  # start → end, replaced below
    edge.dispatch_event("mousedown")
    edge.dispatch_event("mouseup")
    page.focus("#wf-canvas")
    page.keyboard.press("Delete")
    for kind, _parameters in INTAKE_STEPS:
        page.click(f".wf-palette button[data-kind='{kind}']")
    counters: dict[str, int] = {}
    for kind, parameters in INTAKE_STEPS:
        counters[kind] = counters.get(kind, 0) + 1
        set_parameters(page, f"{kind}_{counters[kind]}", parameters)
    set_parameters(
        page,
        "end",
        {
            "message": "Recorded. We will write to {{ state.email }}.",
            "status": {"type": "closed", "reason": "Done."},
        },
    )
    for source, target, output in INTAKE_EDGES:
        connect(page, source, target, output)
    page.wait_for_selector("#wf-problems .wf-ok", timeout=10_000)
    labels = sorted(page.locator("text.wf-edge-label").all_text_contents())
    assert labels == ["false", "false", "true", "true"]
    shoot(page, "35-intake-by-hand")

    page.fill("#wf-console-input", "hello")
    page.click("#wf-console button[type=submit]")
    page.wait_for_selector("#wf-console-answer:has-text('What is your name?')")
    page.click("#wf-publish")
    page.wait_for_selector("#wf-status:has-text('version 2')")
    published = Workflow.objects.get(slug="intake-by-hand").active_version.graph
    assert {e["metadata"].get("label") for e in published["edges"] if e["condition"]} == {"true", "false"}
    page.click("a[href='#/']")
    page.click("tr[data-slug='intake-by-hand'] button:has-text('Use for the chat')")
    page.wait_for_selector("tr[data-slug='intake-by-hand'] strong")

    page.goto(f"{server}/")
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    for message, expected in [
        ("Hi", "What is your name?"),
        ("Ada Lovelace", "Thank you, Ada Lovelace"),
        ("ada@example.com", "We will write to ada@example.com"),
    ]:
        send(page, message)
        page.wait_for_function(
            "text => [...document.querySelectorAll('.fb-assistant_message')]"
            ".some(n => n.innerText.includes(text))",
            arg=expected,
            timeout=20_000,
        )
    page.wait_for_selector(".ck-widget >> text=Email: ada@example.com")
    shoot(page, "36-intake-by-hand-in-chat")


def test_test_cases_run_from_the_editor_and_guard_publish_until_the_admin_publishes_anyway(page, server):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    call_command("load_workflow_examples", stdout=StringIO())
    intake = Workflow.objects.get(slug="intake")
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.click(f"a[href='#/w/{intake.pk}']")
    page.wait_for_selector("#wf-cases li[data-case]")
    assert page.locator("#wf-cases li[data-case]").count() == 3

    page.click("#wf-run-cases")
    page.wait_for_selector("#wf-case-results table")
    assert page.locator(".wf-case-table tr.wf-case-passed").count() == 3

    # A new case from the form: messages one per line, a typed state value.
    page.click(".wf-cases-section details summary")
    page.fill("#wf-case-name", "Keeps the name")
    page.fill("#wf-case-messages", "hi\nGrace")
    page.select_option(".wf-case-type", "state_equals")
    page.fill(".wf-case-main", "name")
    page.fill(".wf-case-value", "Grace")
    page.click("#wf-case-form button[type=submit]")
    page.wait_for_selector("#wf-cases li:has-text('Keeps the name')")
    assert intake.test_cases.get(name="Keeps the name").expectations == [
        {"type": "state_equals", "key": "name", "value": "Grace"}
    ]

    # Break the "need an email?" condition: the cases say which fail and where; publish asks.
    set_parameters(page, "need_email", {"path": "state.email", "operator": "truthy"})
    page.click("#wf-run-cases")
    page.wait_for_selector(".wf-case-table tr.wf-case-failed")
    page.locator(".wf-case-table tr.wf-case-failed button").first.click()
    page.wait_for_selector(".drawflow-node.wf-case-failed[data-slug='summary']")
    page.click("#wf-publish")
    page.wait_for_selector("#wf-publish-refused li:has-text('Records the request and closes')")
    shoot(page, "37-publish-refused-by-cases")
    page.click("#wf-publish-cancel")
    assert intake.versions.count() == 1
    page.click("#wf-publish")
    page.click("#wf-publish-anyway")
    page.wait_for_selector("#wf-status:has-text('version 2')")
    page.wait_for_selector("#wf-versions .wf-despite")
    intake.refresh_from_db()
    assert intake.active_version.version == 2
    assert "Records the request and closes" in intake.active_version.published_despite


def test_a_production_run_from_the_chat_appears_in_the_runs_panel_at_once_with_its_path(page, server):  # noqa: F811
    import time
    from io import StringIO

    from django.core.management import call_command

    call_command("load_workflow_examples", "--chatkit", "intake", stdout=StringIO())
    intake = Workflow.objects.get(slug="intake")
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email, "/workflows")
    page.click(f"a[href='#/w/{intake.pk}']")
    page.wait_for_selector("#wf-runs .wf-runs-empty")
    page.wait_for_selector("#wf-runs-live[data-status='live']")

    chat = page.context.new_page()
    chat.goto(f"{server}/")
    chat.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    send(chat, "Hi")
    chat.wait_for_function(
        "() => [...document.querySelectorAll('.fb-assistant_message')]"
        ".some(n => n.innerText.includes('name'))",
        timeout=20_000,
    )
    answered = time.monotonic()
    page.wait_for_selector("#wf-runs li[data-status='completed']", timeout=2_000)
    assert time.monotonic() - answered < 2.5
    assert admin.email in page.locator("#wf-runs li").first.inner_text()

    page.locator("#wf-runs li button").first.click()
    page.wait_for_selector("#wf-run-detail li[data-node='end_ask_name']")
    lit = page.locator(".drawflow-node.wf-ran").evaluate_all("nodes => nodes.map(n => n.dataset.slug)")
    assert set(lit) == {"start", "collect", "need_name", "ask_name", "end_ask_name"}
    assert "asking" in page.locator("#wf-run-detail li[data-node='ask_name']").inner_text()
    shoot(page, "38-runs-panel")
