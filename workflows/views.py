"""The workflow editor page (/workflows), for admins."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from workflows.graph import KINDS, OPERATORS
from workflows.problems import KIND_NAMES


def editor_strings() -> dict[str, str]:
    return {
        "workflows": _("Workflows"),
        "create": _("Create"),
        "slug": _("Slug"),
        "name": _("Name"),
        "open": _("Open"),
        "delete": _("Delete"),
        "export": _("Export"),
        "import": _("Import"),
        "runsChat": _("Runs the chat"),
        "makeChat": _("Use for the chat"),
        "activeVersion": _("Active version"),
        "none": _("none"),
        "back": _("All workflows"),
        "add": _("Add a step"),
        "saved": _("Draft saved"),
        "saving": _("Saving…"),
        "publish": _("Publish"),
        "published": _("Published as version %(n)s"),
        "valid": _("The graph is valid."),
        "problems": _("Problems"),
        "versions": _("Versions"),
        "restore": _("Restore"),
        "active": _("active"),
        "inspector": _("Step"),
        "displayName": _("Display name"),
        "enabled": _("Enabled"),
        "parameters": _("Parameters (JSON)"),
        "badJson": _("Not valid JSON:"),
        "selectNode": _("Select a step to edit it."),
        "smallScreen": _("The editor needs a larger screen; the list of workflows still works here."),
        "confirmDelete": _("Delete this workflow?"),
        "error": _("Something went wrong."),
        "instructions": _("Instructions"),
        "variablesHint": _(
            "A template: {{ input.text }}, {{ state.x }}, {{ user.email }}, {{ input.output_text }}."
        ),
        "model": _("Model"),
        "defaultModel": _("The configured model"),
        "reasoning": _("Reasoning effort"),
        "tools": _("Tools"),
        "defaultTools": _("The assistant's default tools"),
        "knowledgeBase": _("Knowledge base search"),
        "weather": _("Weather"),
        "webSearch": _("Web search (OpenAI models)"),
        "output": _("Output"),
        "outputText": _("Text"),
        "outputSchema": _("JSON schema"),
        "outputWidget": _("A library widget"),
        "schema": _("JSON schema"),
        "widget": _("Widget"),
        "showInChat": _("Show in the chat"),
        "includeHistory": _("Include the conversation's history"),
        "showSources": _("Show the knowledge base's sources under the answer"),
        "handoffs": _("Can hand off to"),
        "path": _("Path"),
        "pathHint": _("state.x.y, input.text, input.output_parsed.z, user.email"),
        "operator": _("Operator"),
        "value": _("Value"),
        "target": _("Target"),
        "expression": _("Expression"),
        "remove": _("Remove"),
        "addAssignment": _("Add an assignment"),
        "operation": _("Operation"),
        "search": _("Search"),
        "upsert": _("Store a document"),
        "store": _("Knowledge store"),
        "variables": _("Variables"),
        "variablesExpressions": _('An object of expressions: {"name": "state.name"}'),
        "resumeAt": _("Its actions resume the workflow at"),
        "message": _("Message"),
        "threadStatus": _("Conversation status"),
        "reason": _("Reason"),
        "undo": _("Undo"),
        "redo": _("Redo"),
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "layout": _("Arrange"),
        "compare": _("Compare"),
        "pickTwo": _("Tick two versions to compare them."),
        "added": _("added"),
        "removed": _("removed"),
        "changed": _("changed"),
        "same": _("No difference."),
        "rename": _("Rename"),
        "duplicate": _("Duplicate"),
        "console": _("Test console"),
        "consoleMessage": _("A message to try the draft with"),
        "send": _("Send"),
        "stateAfter": _("State after this step"),
        "testCases": _("Test cases"),
        "noCases": _("No test cases yet: add one to guard what works."),
        "runAll": _("Run all against the draft"),
        "runCase": _("Run"),
        "running": _("Running…"),
        "addCase": _("Add a test case"),
        "caseName": _("Case name"),
        "caseMessages": _("User messages, one per line"),
        "caseExpectations": _("What must happen:"),
        "expectation": _("Expectation"),
        "expectationValue": _("What it is about"),
        "valueType": _("Type of the value"),
        "expectedValue": _("Expected value"),
        "typeText": _("text"),
        "typeNumber": _("number"),
        "typeBoolean": _("true/false"),
        "addExpectation": _("Add an expectation"),
        "saveCase": _("Save the case"),
        "expect_reaches": _("reaches step"),
        "expect_status": _("ends with status"),
        "expect_contains": _("answer contains"),
        "expect_not_contains": _("answer does not contain"),
        "expect_matches": _("answer matches"),
        "expect_state_equals": _("state key equals"),
        "expect_widget": _("shows a widget of kind"),
        "expect_rubric": _("meets the rubric"),
        "hint_reaches": _("step slug, e.g. ask_email"),
        "hint_status": _("completed, failed, active, closed or locked"),
        "hint_contains": _("text"),
        "hint_not_contains": _("text"),
        "hint_matches": _("regular expression"),
        "hint_state_equals": _("state key, e.g. email"),
        "hint_widget": _("Card, ListView…"),
        "hint_rubric": _("what a good answer does"),
        "outcome": _("Result"),
        "why": _("Why"),
        "outcome_passed": _("passed"),
        "outcome_failed": _("failed"),
        "outcome_skipped": _("skipped"),
        "casesPassed": _("passed"),
        "casesFailed": _("failed"),
        "casesSkipped": _("skipped"),
        "publishRefused": _("Publishing was refused: test cases fail"),
        "publishAnyway": _("Publish anyway"),
        "publishedDespite": _("published despite failing cases"),
        "cancel": _("Cancel"),
        "runs": _("Runs"),
        "run": _("Run log"),
        "testRun": _("test"),
        "noRuns": _("No run yet: chat with this workflow to see its runs here."),
        "live": _("live"),
        "polling": _("refreshed every 5 s"),
        "stepInput": _("input"),
        "stepOutput": _("output"),
        "stateChanges": _("state changes"),
        "status_completed": _("completed"),
        "status_failed": _("failed"),
        "status_running": _("running"),
        "status_cancelled": _("cancelled"),
        "fit": _("Fit to view"),
        "unpublished": _("Unpublished changes"),
        "upToDate": _("Published: the draft is the running version"),
        "neverPublished": _("Not published yet"),
        "discardDraft": _("Discard draft"),
        "confirmDiscard": _("Drop your unpublished changes and go back to the running version?"),
        "confirmRestore": _(
            "Restoring version %(n)s makes it the running version and drops your unpublished changes."
        ),
        "notPublished": _("not published"),
        "draft": _("Draft (unpublished)"),
        "ok": _("OK"),
        "newName": _("New name"),
        "newSlug": _("New slug (letters, digits, - and _)"),
        "deleteTitle": _("Delete “%(name)s”? Its versions and runs go with it."),
        "importTitle": _("Import a workflow"),
        "connectTo": _("Connect to…"),
        "connectButton": _("Connect"),
        "branch": _("Branch"),
        "whenTrue": _("when true"),
        "whenFalse": _("when false"),
        "deleteStep": _("Delete this step"),
        "connected": _("Connected."),
        "mcpServers": _("MCP servers"),
        "registeredTools": _("Registered tools"),
        "taskTools": _("The user's tasks (list, add, complete)"),
        "noChoices": _("none registered"),
        "valueKind": _("Type of the value"),
        "keyboardHelp": _(
            "Keyboard: Tab moves through the steps, Delete removes the selected one, Ctrl+Z undoes, "
            "Ctrl+C / Ctrl+V copy a step."
        ),
        "true": _("true"),
        "false": _("false"),
        "version": _("Version"),
        "field_display_name": _("display name"),
        "field_is_enabled": _("enabled"),
        "stepsAddedRemoved": _("Steps"),
        "connections": _("Connections"),
    }


KIND_HELP = {
    "start": (gettext_lazy("Where every turn begins."), "▶"),
    "agent": (gettext_lazy("A model answers, with its instructions, tools and output."), "✦"),
    "condition": (gettext_lazy("Goes one way or the other depending on a value."), "◆"),
    "state": (gettext_lazy("Remembers values for the next steps and turns."), "="),
    "json_vector_store": (gettext_lazy("Searches a knowledge store, or stores a document in it."), "☰"),
    "widget": (gettext_lazy("Shows a widget from the library in the chat."), "▦"),
    "end": (gettext_lazy("Ends the turn, with an optional message."), "■"),
}


def kind_info() -> dict[str, dict[str, str]]:
    """Each kind of step as the palette shows it: translated name, one line of help, an icon."""
    return {
        kind: {"name": str(KIND_NAMES[kind]), "help": str(KIND_HELP[kind][0]), "icon": KIND_HELP[kind][1]}
        for kind in KINDS
    }


@never_cache
@ensure_csrf_cookie
@login_required
def editor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        return render(request, "workflows_forbidden.html", status=403)
    config = {
        "strings": editor_strings(),
        "kinds": list(KINDS),
        "kindInfo": kind_info(),
        "operators": list(OPERATORS),
    }
    return render(request, "workflows.html", {"editor_config": config})
